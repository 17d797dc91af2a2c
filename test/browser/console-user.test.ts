/**
 * The user page's flows in Chromium, each checked on the page AND in the API
 * (issue 14): edit with a concurrent change (412, re-apply), the server's field
 * error beside the field, terminate confirmation, a key shown once then masked,
 * lockout then unlock, a test SMS reaching the SMTP sink, and the audit
 * timeline showing the change just made.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { openConsole, signInWithKey, type ConsolePage } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

let smtp: SmtpCapture;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ ECGRID_DEMO: '1', SMTP_URL: smtp.url, SMTP_FROM: 'console-test@example.com' });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

interface UserInfo {
  userId: number;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  status: string;
  lockedOut: boolean;
}

const freshUser = async () => (await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 })).user;
const read = async (userId: number) => expectOk(await server.api.get<UserInfo>(`/v2/users/${userId}`));

async function openUser(userId: number): Promise<ConsolePage> {
  const opened = await openConsole(browser, server.url, { hash: `#/users/${userId}` });
  await signInWithKey(opened.page, server.rootKey);
  await opened.page.getByTestId('user-summary').waitFor();
  return opened;
}

const section = (page: Page, title: string) => page.locator('section').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

describe('profile', () => {
  it('shows "changed by someone else" on a 412 with the new values, and re-applies the edit on top of them', async () => {
    const user = await freshUser();
    const { page, close } = await openUser(user.userId);
    const profile = section(page, 'Profile');
    // The form holds the user as read (and its ETag) before the concurrent change.
    await expect.poll(() => profile.getByLabel('Last name').inputValue()).toBe(user.lastName);
    // Meanwhile, someone else changes the last name.
    expectOk(await server.api.put('/v2/users', { userId: user.userId, lastName: 'Theirs' }));
    await profile.getByLabel('E-mail').fill('mine@example.com');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Changed by someone else');
    expect(await conflict.locator('[data-field=name]').textContent()).toBe('Test Theirs');
    expect((await read(user.userId)).email).toBe(user.email); // nothing written yet

    await profile.getByLabel('Last name').fill('Theirs');
    await conflict.getByRole('button', { name: 'Re-apply my changes' }).click();
    await profile.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = await read(user.userId);
    expect(stored).toMatchObject({ email: 'mine@example.com', lastName: 'Theirs' });
    await expect.poll(() => page.locator('[data-testid=user-summary] >> nth=0').locator('[data-field=email]').textContent()).toBe('mine@example.com');

    // The timeline shows the change just made, old → new.
    const history = section(page, 'History');
    await expect.poll(() => history.locator('tbody tr').first().textContent()).toContain(`email: ${user.email} → mine@example.com`);
    await close();
  });

  it('shows the server\'s field error next to the field', async () => {
    const user = await freshUser();
    const { page, close } = await openUser(user.userId);
    const profile = section(page, 'Profile');
    await profile.getByLabel('E-mail').fill('not-an-email');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    const expected = (await server.api.put('/v2/users', { userId: user.userId, email: 'not-an-email' })).body.message;
    expect(expected).toMatch(/^email: /);
    const field = profile.getByLabel('E-mail');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await field.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe(expected);
    expect(await profile.getByRole('alert').count()).toBe(0); // no generic failure besides it
    expect((await read(user.userId)).email).toBe(user.email);
    await close();
  });
});

describe('status', () => {
  it('terminates only once the login is typed, and the API then says Terminated', async () => {
    const user = await freshUser();
    const { page, close } = await openUser(user.userId);
    const terminate = section(page, 'Terminate');
    const button = terminate.getByRole('button', { name: 'Terminate user' });
    expect(await button.isDisabled()).toBe(true);
    await terminate.getByRole('textbox').fill(`${user.login}x`);
    expect(await button.isDisabled()).toBe(true);
    await terminate.getByRole('textbox').fill(user.login);
    await button.click();
    await expect.poll(() => page.locator('[data-field=status]').textContent()).toBe('Terminated');
    expect((await read(user.userId)).status).toBe('Terminated');
    expect(await page.locator('[data-action]').count()).toBe(0); // nothing more to do with it
    await close();
  });

  it('suspends and reactivates', async () => {
    const user = await freshUser();
    const { page, close } = await openUser(user.userId);
    await page.getByRole('button', { name: 'Suspend user' }).click();
    await expect.poll(() => page.locator('[data-field=status]').textContent()).toBe('Suspended');
    expect((await read(user.userId)).status).toBe('Suspended');
    await page.getByRole('button', { name: 'Reactivate user' }).click();
    await expect.poll(() => page.locator('[data-field=status]').textContent()).toBe('Active');
    expect((await read(user.userId)).status).toBe('Active');
    await close();
  });

  it('shows a lockout, and setting a generated password unlocks it', async () => {
    const user = await freshUser();
    for (let i = 0; i < 5; i++) await server.api.post('/v2/auth/login', { login: user.login, password: 'Wrong-passw0rd!' }, { key: null });
    expect((await read(user.userId)).lockedOut).toBe(true);
    const { page, close } = await openUser(user.userId);
    await page.getByTestId('lockout').waitFor();
    // The end of the lockout, from the user object's lockedUntil (extension): 15 minutes after the fifth failure.
    const lockedUntil = expectOk(await server.api.get<{ lockedUntil: string }>(`/v2/users/${user.userId}`)).lockedUntil;
    const shown = `until ${lockedUntil.slice(0, 10)} ${lockedUntil.slice(11, 19)} UTC`;
    await expect.poll(() => page.getByTestId('lockout').textContent()).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((15|14) min left\)\. Setting a new password unlocks the account now\./);
    expect(await page.getByTestId('lockout').textContent()).toContain(shown);
    // A level that may not read the audit log (a MailboxUser of the same mailbox) sees the time left too.
    const peer = await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 });
    const asPeer = await openConsole(browser, server.url, { hash: `#/users/${user.userId}` });
    await signInWithKey(asPeer.page, peer.key);
    await expect.poll(() => asPeer.page.getByTestId('lockout').textContent()).toMatch(/\((15|14) min left\)\.$/);
    expect(await asPeer.page.getByTestId('lockout').textContent()).toContain(shown);
    await asPeer.close();
    await page.getByRole('button', { name: 'Generate a password' }).click();
    const input = page.getByLabel('New password', { exact: true });
    await expect.poll(() => input.inputValue()).toMatch(/^.{16}$/);
    const generated = await input.inputValue();
    await page.getByRole('button', { name: 'Set password and unlock' }).click();
    await page.getByRole('status').filter({ hasText: 'the account is unlocked' }).waitFor();
    expect((await read(user.userId)).lockedOut).toBe(false);
    await expect.poll(() => page.getByTestId('locked').count()).toBe(0);
    expectOk(await server.api.post('/v2/auth/login', { login: user.login, password: generated }, { key: null }));
    expect((await server.api.post('/v2/auth/login', { login: user.login, password: TEST_PASSWORD }, { key: null })).status).toBe(401);
    await close();
  });
});

describe('keys', () => {
  it('shows a new key in full exactly once, then masked; it works until revoked', async () => {
    const user = await freshUser();
    const { page, close } = await openUser(user.userId);
    const keys = section(page, 'API keys');
    await keys.getByTestId('keys-table').waitFor();
    await keys.getByLabel('Visibility').selectOption('Shared');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const value = keys.getByTestId('new-key-value');
    await value.waitFor();
    const key = (await value.textContent())!;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectOk(await server.api.get<{ userId: number }>('/v2/users/me', { key })).userId).toBe(user.userId);

    const listed = expectOk(await server.api.post<Array<{ keyId: number; key: string }>>('/v2/keys/list', { userId: user.userId }));
    const created = listed.find((k) => k.key === `${key.slice(0, 4)}…${key.slice(-4)}`)!;
    expect(created).toBeDefined();
    await keys.getByRole('button', { name: 'I have copied it' }).click();
    await expect.poll(() => keys.getByTestId('new-key').count()).toBe(0);
    const row = keys.locator(`tr[data-key-id="${created.keyId}"]`);
    expect(await row.locator('code').textContent()).toBe(`${key.slice(0, 4)}…${key.slice(-4)}`);
    expect(await page.content()).not.toContain(key);

    await row.getByRole('button', { name: `Revoke key ${created.keyId}` }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await server.api.get('/v2/users/me', { key })).status).toBe(401);
    await close();
  });

  it('reveals the primary key as an audited read', async () => {
    const { user, key } = await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 });
    const { page, close } = await openUser(user.userId);
    await page.getByRole('button', { name: 'Reveal primary key (audited read)' }).click();
    await expect.poll(() => page.getByTestId('revealed-key').locator('code').textContent()).toBe(key);
    const events = expectOk(await server.api.post<{ events: Array<{ action: string }> }>('/v2/audit/list', { targetType: 'key', recordsPerPage: 5 })).events;
    expect(events.map((e) => e.action)).toContain('key.read');
    await close();
  });
});

describe('test SMS', () => {
  it('reaches the SMTP sink at the carrier gateway', async () => {
    const { page, close } = await openUser(1042);
    const sms = section(page, 'Test SMS');
    await sms.getByLabel('Message (1–160 characters)').fill('Hello from the console test');
    await sms.getByRole('button', { name: 'Send test SMS' }).click();
    await sms.getByRole('status').filter({ hasText: 'SMS sent to 3125550142' }).waitFor();
    await expect.poll(() => smtp.messages.find((m) => m.text.includes('Hello from the console test'))?.envelopeTo).toEqual(['3125550142@vtext.com']);
    await close();
  });
});
