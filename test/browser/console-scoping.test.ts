/**
 * What each demo role sees (issue 14): for Root, NetworkAdmin 12345,
 * MailboxAdmin 1042 and MailboxUser 1043, the users list and the tenancy tree
 * show exactly the objects the API returns for that credential, and an
 * out-of-scope user id typed in the URL shows "not found". Also the users
 * list's server-side paging and its filters in the URL (back button).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { openConsole, shownUserIds, signInWithKey } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { createWorld, startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

interface Role {
  name: string;
  key: string;
}

let server: TestServer;
let browser: Browser;
let roles: Role[];
let outsider: number;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  const world = await createWorld(server);
  outsider = world.mbUserB1.user.userId;
  const keyOf = async (userId: number) => expectOk(await server.api.post<string>(`/v2/users/key-generate/${userId}`));
  roles = [
    { name: 'Root', key: server.rootKey },
    { name: 'NetworkAdmin 12345', key: await keyOf(12345) },
    { name: 'MailboxAdmin 1042', key: await keyOf(1042) },
    { name: 'MailboxUser 1043', key: await keyOf(1043) },
  ];
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function go(page: Page, hash: string) {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

describe.each(['Root', 'NetworkAdmin 12345', 'MailboxAdmin 1042', 'MailboxUser 1043'])('%s', (roleName) => {
  it('sees in the users list and the tree exactly what the API returns for its credential; an out-of-scope id is "not found"', async () => {
    const role = roles.find((r) => r.name === roleName)!;
    const api = server.api.as(role.key);
    const { page, requests, close } = await openConsole(browser, server.url);
    await signInWithKey(page, role.key);

    const list = await api.post<Array<{ userId: number }>>('/v2/users/list', { recordsPerPage: 100 });
    const expectedUsers = expectOk(list).map((u) => u.userId);
    expect(expectedUsers.length).toBeGreaterThan(0);
    await go(page, '#/users?size=100');
    await page.getByTestId('users-table').waitFor();
    await expect.poll(() => shownUserIds(page)).toEqual(expectedUsers);
    const total = list.headers.get('X-Total-Count');
    await expect.poll(() => page.getByTestId('users-total').textContent()).toMatch(new RegExp(`^${total} users?`));

    const networks = expectOk(await api.post<{ networks: Array<{ networkId: number }> }>('/v2/networks/list', { recordsPerPage: 500 })).networks.map((n) => n.networkId);
    const mailboxes = expectOk(await api.post<{ mailboxes: Array<{ mailboxId: number }> }>('/v2/mailboxes/list', { recordsPerPage: 500 })).mailboxes.map((m) => m.mailboxId);
    await go(page, '#/tenancy');
    await page.getByTestId('tree').waitFor();
    const ids = (selector: string, attribute: string) =>
      page.locator(selector).evaluateAll((nodes, name) => nodes.map((n) => Number(n.getAttribute(name as string))).sort((a, b) => a - b), attribute);
    await expect.poll(() => ids('[data-network-id]', 'data-network-id')).toEqual([...networks].sort((a, b) => a - b));
    await expect.poll(() => ids('[data-mailbox-id]', 'data-mailbox-id')).toEqual([...mailboxes].sort((a, b) => a - b));

    // An id outside the credential's scope (or none at all for Root): the API says 404, the page "not found".
    const hidden = role.name === 'Root' ? 999_999 : outsider;
    expect((await api.get(`/v2/users/${hidden}`)).status).toBe(404);
    await go(page, `#/users/${hidden}`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByTestId('not-found').textContent()).toBe(`User ${hidden} not found.`);

    expect(requests.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
    await close();
  });
});

describe('users list', () => {
  it('pages on the server (X-Total-Count), keeps page and filters in the URL, and the back button returns', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/users?size=10' });
    await signInWithKey(page, server.rootKey);
    await page.getByTestId('users-table').waitFor();
    const pageOf = async (pageNo: number, body: object = {}) => {
      const reply = await server.api.post<Array<{ userId: number }>>('/v2/users/list', { ...body, pageNo, recordsPerPage: 10 });
      return { ids: expectOk(reply).map((u) => u.userId), total: Number(reply.headers.get('X-Total-Count')) };
    };
    const first = await pageOf(1);
    expect(first.total).toBeGreaterThan(10);
    await expect.poll(() => shownUserIds(page)).toEqual(first.ids);
    await expect.poll(() => page.getByTestId('users-total').textContent()).toBe(`${first.total} users · page 1 of ${Math.ceil(first.total / 10)}`);

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => shownUserIds(page)).toEqual((await pageOf(2)).ids);
    await page.goBack();
    await expect.poll(() => shownUserIds(page)).toEqual(first.ids);

    // Filters: status and auth level, applied by the server; the URL says so and a fresh page opened on it shows the same.
    await page.getByLabel('Auth level').selectOption('MailboxUser');
    await page.getByLabel('Network id').fill('1');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/authLevel=MailboxUser/);
    expect(page.url()).toContain('networkId=1');
    const filtered = await pageOf(1, { authLevel: 'MailboxUser', networkId: 1 });
    expect(filtered.ids.length).toBeGreaterThan(0);
    await expect.poll(() => shownUserIds(page)).toEqual(filtered.ids);

    const shared = await openConsole(browser, server.url, { hash: new URL(page.url()).hash });
    await signInWithKey(shared.page, server.rootKey);
    await expect.poll(() => shownUserIds(shared.page)).toEqual(filtered.ids);
    await shared.close();

    // A login filter finds the one user by its exact login.
    await page.getByLabel('Auth level').selectOption('');
    await page.getByLabel('Network id').fill('');
    await page.getByLabel('Login (exact)').fill('JSMITH');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => shownUserIds(page)).toEqual([1042]);
    await close();
  });
});
