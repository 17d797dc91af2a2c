/**
 * The other screens in Chromium, checked on the page and in the API (issue 14):
 * the tenancy tree (counts, create / edit / terminate mailbox, buttons by
 * level), the audit log ("Load newer", filters in the URL), My account
 * (password change with the server's field error, own keys) and "Show as API
 * call" (the credential and passwords elided).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { openConsole, signInWithKey, signInWithPassword } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

let server: TestServer;
let browser: Browser;
let networkAdminKey: string;
let mailboxAdminKey: string;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  networkAdminKey = expectOk(await server.api.post<string>('/v2/users/key-generate/12345'));
  mailboxAdminKey = expectOk(await server.api.post<string>('/v2/users/key-generate/1042'));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const go = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

describe('tenancy tree', () => {
  it('shows user counts per status as the API counts them; a NetworkAdmin creates, edits and terminates a mailbox', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/tenancy' });
    await signInWithKey(page, networkAdminKey);
    const api = server.api.as(networkAdminKey);
    const count = async (body: object) => Number((await api.post('/v2/users/list', { ...body, recordsPerPage: 1 })).headers.get('X-Total-Count'));
    const active5001 = await count({ mailboxId: 5001, status: 'Active' });
    expect(active5001).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-mailbox-id="5001"] .counts').textContent()).toBe(`${active5001} Active`);
    await expect.poll(() => page.locator('[data-network-id="1001"] > p .counts').textContent()).toContain(`${await count({ networkId: 1001, status: 'Active' })} Active`);

    const network = page.locator('[data-network-id="1001"]');
    await network.getByRole('button', { name: 'New mailbox in MYNETWORK' }).click();
    const form = network.getByRole('form', { name: 'New mailbox in network 1001' });
    await form.getByLabel('Unique id').fill('CONSOLEMB1');
    await form.getByLabel('Company name').fill('Console Mailbox');
    await form.getByRole('button', { name: 'Create mailbox' }).click();
    const created = await form.getByRole('status').textContent();
    const mailboxId = Number(/Mailbox (\d+) \(CONSOLEMB1\) created/.exec(created ?? '')?.[1]);
    expect(expectOk(await api.get<{ uniqueId: string; networkId: number }>(`/v2/mailboxes/${mailboxId}`))).toMatchObject({ uniqueId: 'CONSOLEMB1', networkId: 1001 });
    const row = page.locator(`[data-mailbox-id="${mailboxId}"]`);
    await row.waitFor();

    // A bad website: the server's message beside the field, nothing stored.
    await network.getByRole('button', { name: 'Edit network MYNETWORK' }).click();
    await network.getByLabel('Website').first().fill('not a url');
    await network.getByRole('button', { name: 'Save network' }).click();
    const expected = (await api.put('/v2/networks', { networkId: 1001, website: 'not a url' })).body.message;
    await network.locator('.field-error').filter({ hasText: expected }).waitFor();
    await network.getByLabel('Website').first().fill('https://acme.example.com');
    await network.getByRole('button', { name: 'Save network' }).click();
    await network.getByRole('status').filter({ hasText: 'Saved MYNETWORK' }).waitFor();
    expect(expectOk(await api.get<{ website: string }>('/v2/networks/1001')).website).toBe('https://acme.example.com');

    await row.getByRole('button', { name: 'Terminate mailbox CONSOLEMB1' }).click();
    expect(expectOk(await api.get<{ status: string }>(`/v2/mailboxes/${mailboxId}`)).status).toBe('Active'); // not before the confirmation
    await row.getByRole('button', { name: 'Yes, terminate CONSOLEMB1 for good' }).click();
    await expect.poll(async () => expectOk(await api.get<{ status: string }>(`/v2/mailboxes/${mailboxId}`)).status).toBe('Terminated');
    await expect.poll(() => row.locator('.status').first().textContent()).toBe('Terminated');
    await close();
  });

  it('offers a MailboxAdmin only the edit of its own mailbox', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/tenancy' });
    await signInWithKey(page, mailboxAdminKey);
    await page.locator('[data-mailbox-id="101"]').waitFor();
    const buttons = await page.locator('[data-testid=tree] button').allTextContents();
    expect(buttons).toEqual(['Edit mailbox MBX101']);
    await close();
  });
});

describe('audit log', () => {
  it('lists newest first, loads only newer events, and keeps its filters in the URL', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/audit' });
    await signInWithKey(page, server.rootKey);
    const rows = page.locator('[data-testid=audit-table] tbody tr');
    await rows.first().waitFor();
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-event-id'))));
    const before = await ids();
    expect(before).toEqual([...before].sort((a, b) => b - a));

    expectOk(await server.api.put('/v2/users', { userId: 1043, lastName: 'Newer' }));
    await page.getByRole('button', { name: 'Load newer' }).click();
    await page.getByRole('status').filter({ hasText: '1 newer event.' }).waitFor();
    const after = await ids();
    expect(after.slice(1)).toEqual(before);
    expect(await rows.first().textContent()).toContain('lastName: Jones → Newer');

    // Polling: a change made elsewhere appears by itself.
    await page.getByLabel('Load newer every 10 s').check();
    expectOk(await server.api.put('/v2/users', { userId: 1043, lastName: 'Polled' }));
    await expect.poll(() => rows.first().textContent(), { timeout: 25_000, interval: 500 }).toContain('lastName: Newer → Polled');
    await page.getByLabel('Load newer every 10 s').uncheck();

    await page.getByLabel('Target type').selectOption('user');
    await page.getByLabel('Target id').fill('1043');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/targetType=user&targetId=1043/);
    const expected = expectOk(await server.api.post<{ events: Array<{ eventId: number }> }>('/v2/audit/list', { targetType: 'user', targetId: 1043, recordsPerPage: 50 })).events.map((e) => e.eventId);
    await expect.poll(ids).toEqual(expected);
    await close();
  }, 60_000);
});

describe('my account', () => {
  it('changes my password (server field error first), shows my session and creates my own key', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/account' });
    await signInWithPassword(page, 'jsmith@example.com', 'Sup3r$ecret!');
    await page.getByTestId('my-session').waitFor();
    expect(await page.getByTestId('my-session').textContent()).toContain('jsmith@example.com (MailboxAdmin)');

    await page.getByLabel('Current password').fill('Not-the-passw0rd!');
    await page.getByLabel('New password').fill('N3w-Passw0rd!x');
    await page.getByRole('button', { name: 'Change my password' }).click();
    const current = page.getByLabel('Current password');
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await current.getAttribute('aria-describedby')}`).textContent()).toMatch(/^currentPassword: /);

    await current.fill('Sup3r$ecret!');
    await page.getByRole('button', { name: 'Change my password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password updated successfully.' }).waitFor();
    expectOk(await server.api.post('/v2/auth/login', { login: 'jsmith@example.com', password: 'N3w-Passw0rd!x' }, { key: null }));

    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key-value').textContent())!;
    expect(expectOk(await server.api.get<{ userId: number }>('/v2/users/me', { key })).userId).toBe(4821);
    await close();
  });
});

describe('show as API call', () => {
  it('gives the equivalent curl command with the credential and passwords elided', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/users/1043' });
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Secret-Passw0rd!');
    await page.getByText('Show as API call').first().click();
    const loginCurl = (await page.locator('.api-call pre').first().textContent())!;
    expect(loginCurl).toContain('/v2/auth/login');
    expect(loginCurl).not.toContain('Secret-Passw0rd!');

    await signInWithKey(page, server.rootKey);
    await page.getByTestId('user-summary').waitFor();
    const profile = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Profile', exact: true }) });
    await profile.getByText('Show as API call').click();
    const curl = (await profile.locator('pre').textContent())!;
    expect(curl).toContain(`curl -X PUT "${server.url}/v2/users"`);
    expect(curl).toContain('-H "X-API-Key: $ECGRID_API_KEY"');
    expect(curl).toMatch(/If-Match: "1043\.\d+"/);
    expect(curl).toContain('"userId":1043');
    expect(curl).not.toContain(server.rootKey);
    await close();
  });
});

describe('new user', () => {
  it('creates a user (server field error first); a MailboxAdmin may give at most its own level, a MailboxUser may not create', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/users' });
    await signInWithKey(page, mailboxAdminKey);
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.locator('section').filter({ has: page.getByRole('heading', { name: 'New user' }) });
    expect(await form.getByLabel('Auth level').locator('option').allTextContents()).toEqual(['MailboxAdmin', 'MailboxUser', 'TPUser', 'General']);
    await form.getByLabel('Login').fill('console-new');
    await form.getByLabel('E-mail').fill('nope');
    await form.getByRole('button', { name: 'Generate a password' }).click();
    await expect.poll(() => form.getByLabel('Password').inputValue()).toMatch(/^.{16}$/);
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => form.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    expect(expectOk(await server.api.post<unknown[]>('/v2/users/by-name', { login: 'console-new' }))).toEqual([]);

    await form.getByLabel('E-mail').fill('console-new@example.com');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByRole('status').filter({ hasText: 'Created user' }).waitFor();
    const [created] = expectOk(await server.api.post<Array<{ userId: number; networkId: number; mailboxId: number; authLevel: string }>>('/v2/users/by-name', { login: 'console-new' }));
    expect(created).toMatchObject({ networkId: 1, mailboxId: 101, authLevel: 'MailboxUser' });
    await close();

    const userKey = expectOk(await server.api.post<string>('/v2/users/key-generate/1043'));
    const asUser = await openConsole(browser, server.url, { hash: '#/users' });
    await signInWithKey(asUser.page, userKey);
    await asUser.page.getByTestId('users-table').waitFor();
    expect(await asUser.page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    await asUser.close();
  });
});
