/**
 * The differential check (issue 14): for each demo role, every button the
 * console shows on a user page is an action the API accepts for that role, and
 * every action the API would accept has its button. The console decides with
 * the permission module (src/domain/permissions.ts, PERMISSIONS.md's table);
 * here the API itself is asked, one real call per action, on fresh targets of
 * every placement and level around the role (destructive calls last).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthLevel } from '../../src/domain/levels.js';
import type { Status } from '../../src/domain/statuses.js';
import { launchBrowser } from '../support/browser.js';
import { openConsole, signInWithKey } from '../support/console.js';
import { expectOk, type Api } from '../support/http.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

let server: TestServer;
let browser: Browser;
/** A second Root for the setup and undo calls: the Root role's probes end the first one's key. */
let admin: Api;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  admin = server.api.as((await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 })).key);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The console's buttons (data-action) for the actions of perms.ts; create-key stands for "manage keys". */
const BUTTON_OF = {
  'edit-profile': 'edit-profile',
  'edit-config': 'edit-config',
  'send-sms': 'send-sms',
  'reset-sessions': 'reset-sessions',
  'list-keys': 'create-key',
  'regenerate-key': 'regenerate-key',
  'read-key': 'read-key',
  'set-password': 'set-password',
  'set-role': 'set-role',
  'set-placement': 'set-placement',
  suspend: 'suspend',
  reactivate: 'reactivate',
  terminate: 'terminate',
} as const;
type Action = keyof typeof BUTTON_OF;

interface Target {
  userId: number;
  networkId: number;
  mailboxId: number;
  authLevel: AuthLevel;
  status: Status;
}

/**
 * One API call per action, as the console would make it. Status changes are
 * undone by Root so later calls see the same target; the order puts what
 * cannot be undone (terminate; a new key for oneself) last.
 */
const PROBES: Array<[Action, (api: Api, t: Target) => Promise<number>]> = [
  ['edit-profile', async (api, t) => (await api.put('/v2/users', { userId: t.userId, firstName: 'Probe' })).status],
  ['edit-config', async (api, t) => (await api.post('/v2/users/update-config', { userId: t.userId, company: 'Probe Inc' })).status],
  ['send-sms', async (api, t) => (await api.post('/v2/users/send-sms', { userId: t.userId, message: 'probe' })).status],
  ['reset-sessions', async (api, t) => (await api.post(`/v2/users/reset/${t.userId}`)).status],
  ['list-keys', async (api, t) => (await api.post('/v2/keys/list', { userId: t.userId })).status],
  ['read-key', async (api, t) => (await api.get(`/v2/users/key/${t.userId}`)).status],
  ['set-password', async (api, t) => (await api.post('/v2/users/password', { userId: t.userId, newPassword: 'Probe-Passw0rd!' })).status],
  ['set-role', async (api, t) => (await api.post('/v2/users/role', { userId: t.userId, authLevel: t.authLevel })).status],
  ['set-placement', async (api, t) => (await api.post('/v2/users/set-network-mailbox', { userId: t.userId, networkId: t.networkId, mailboxId: t.mailboxId })).status],
  ['suspend', async (api, t) => {
    const status = (await api.put('/v2/users', { userId: t.userId, status: 'Suspended' })).status;
    if (status === 200) expectOk(await admin.put('/v2/users', { userId: t.userId, status: 'Active' }));
    return status;
  }],
  ['reactivate', async (api, t) => {
    const status = (await api.put('/v2/users', { userId: t.userId, status: 'Active' })).status;
    if (status === 200) expectOk(await admin.put('/v2/users', { userId: t.userId, status: 'Suspended' }));
    return status;
  }],
  ['regenerate-key', async (api, t) => (await api.post(`/v2/users/key-generate/${t.userId}`)).status],
  ['terminate', async (api, t) => (await api.delete(`/v2/users/${t.userId}`)).status],
];

/** Fresh targets around the demo data: each placement and level, one suspended, one in a network no demo role sees. */
async function freshTargets(): Promise<Target[]> {
  const specs: Array<{ authLevel: AuthLevel; networkId: number; mailboxId: number; status?: Status }> = [
    { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 },
    { authLevel: 'MailboxAdmin', networkId: 1, mailboxId: 101 },
    { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101, status: 'Suspended' },
    { authLevel: 'NetworkUser', networkId: 1, mailboxId: 0 },
    { authLevel: 'NetworkAdmin', networkId: 1001, mailboxId: 0 },
    { authLevel: 'NetworkUser', networkId: 1001, mailboxId: 0 },
    { authLevel: 'MailboxUser', networkId: 1001, mailboxId: 5001 },
    { authLevel: 'TechOps', networkId: 0, mailboxId: 0 },
    { authLevel: 'MailboxUser', networkId: 2, mailboxId: 205 },
  ];
  const targets: Target[] = [];
  for (const spec of specs) {
    const { user } = await createUser(server, spec);
    // A cell phone, so that "send SMS" is decided by access alone.
    expectOk(await admin.post('/v2/users/update-config', { userId: user.userId, cellPhone: '3125550100', cellCarrier: 'Verizon' }));
    targets.push({ userId: user.userId, networkId: user.networkId, mailboxId: user.mailboxId, authLevel: user.authLevel, status: user.status });
  }
  return targets;
}

async function roleKey(role: string): Promise<string> {
  if (role === 'Root') return server.rootKey;
  const userId = Number(role.split(' ')[1]);
  return expectOk(await admin.post<string>(`/v2/users/key-generate/${userId}`));
}

describe.each(['Root', 'NetworkAdmin 12345', 'MailboxAdmin 1042', 'MailboxUser 1043'])('%s', (role) => {
  it('shows a button for exactly the actions the API accepts', async () => {
    const key = await roleKey(role);
    const api = admin.as(key);
    const me = expectOk(await api.get<Target>('/v2/users/me'));
    expectOk(await admin.post('/v2/users/update-config', { userId: me.userId, cellPhone: '3125550100', cellCarrier: 'Verizon' }));
    // Oneself last: a new primary key for oneself ends this role's credential.
    const targets = [...(await freshTargets()), me];

    const { page, close } = await openConsole(browser, server.url);
    await signInWithKey(page, key);
    const shown = new Map<number, Set<string>>();
    for (const target of targets) {
      await page.evaluate(`location.hash = '#/users/${target.userId}'`);
      await page.locator(`[data-testid=user-summary], [data-testid=not-found]`).first().waitFor({ timeout: 5000 }).catch(async (e) => { throw new Error(`${target.userId}: ${await page.locator('main').innerText()}`, { cause: e }); });
      await expect.poll(() => page.locator('h1').textContent()).toMatch(target.userId === me.userId ? /\(you\)$/ : /./);
      // The page for this id, not the previous one still on screen.
      await page.locator(`[data-testid=not-found], [data-testid=user-summary] dd:text-is("${target.userId}")`).first().waitFor();
      const buttons = await page.locator('[data-action]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-action')!));
      shown.set(target.userId, new Set(buttons));
    }
    await close();

    const mismatches: string[] = [];
    let accepted = 0;
    for (const target of targets) {
      const buttons = shown.get(target.userId)!;
      // A new key for oneself ends the credential: that call comes last of all.
      const self = target.userId === me.userId;
      const probes = self ? [...PROBES.filter(([a]) => a !== 'regenerate-key'), ...PROBES.filter(([a]) => a === 'regenerate-key')] : PROBES;
      for (const [action, probe] of probes) {
        if (action === 'suspend' && target.status !== 'Active') continue;
        if (action === 'reactivate' && target.status !== 'Suspended') continue;
        const status = await probe(api, target);
        const visible = buttons.has(BUTTON_OF[action]);
        if (status === 200) accepted++;
        else expect([403, 404], `${role} ${action} on ${target.userId}: ${status}`).toContain(status);
        if (visible !== (status === 200)) mismatches.push(`${action} on user ${target.userId} (${target.authLevel} ${target.networkId}/${target.mailboxId}): button ${visible ? 'shown' : 'hidden'}, API ${status}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The check is not vacuous: every role may do something (at least to itself).
    expect(accepted).toBeGreaterThan(0);
  }, 60_000);
});
