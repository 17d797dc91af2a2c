/**
 * The tools' arguments and results (MCP.md §4, §5; §8 #6): the documented
 * examples on a demo server, wrapped and flat forms, lenient reading, strict
 * typing, the list-users filters and scope rule, an ambiguous login, the cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN_PASSWORD } from '../../src/services/demo-data.js';
import { expectOk } from '../support/http.js';
import { callToolRaw } from '../support/mcp.js';
import { createNetwork, createUser, startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/sessions.js';

let server: TestServer;
let as12345: Record<string, string>;
let as4821: Record<string, string>;
let asRoot: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  as12345 = { 'x-connectivity-api-key': expectOk(await server.api.post<string>('/v2/users/key-generate/12345')) };
  const { token } = await login(server.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
  as4821 = { authorization: `Bearer ${token}` };
  asRoot = { 'x-api-key': server.rootKey };
});
afterAll(() => server?.close());

const call = (credential: Record<string, string>, name: string, args: unknown) => callToolRaw(server.url, credential, `connectivity_${name}`, args);

async function value(credential: Record<string, string>, name: string, args: unknown) {
  const answer = await call(credential, name, args);
  expect(answer.isError, JSON.stringify(answer.value)).toBe(false);
  return answer.value;
}

async function failure(credential: Record<string, string>, name: string, args: unknown, code: string, field?: string) {
  const answer = await call(credential, name, args);
  expect(answer.isError, JSON.stringify(answer.value)).toBe(true);
  expect(answer.result.structuredContent).toBeUndefined();
  expect(answer.value).toEqual({ code, message: expect.any(String), userMessage: expect.stringMatching(/\S/), suggestedAction: expect.stringMatching(/\S/) });
  if (field) expect(answer.value.message.startsWith(`${field}: `), answer.value.message).toBe(true);
  return answer.value;
}

const ids = (list: { users?: Array<{ userId: number }>; mailboxes?: Array<{ mailboxId: number }> }) =>
  (list.users ?? []).map((u) => u.userId).concat((list.mailboxes ?? []).map((m) => m.mailboxId));

describe('the documented examples (MCP.md §5.4–5.12)', () => {
  it('hello-world greets 12345 with its ids as strings', async () => {
    expect(await value(as12345, 'system_hello-world', { request: {} })).toEqual({
      message: 'Hello, keyowner, from ecgrid-identity.', loginName: 'keyowner', authLevel: 'NetworkAdmin', networkId: '1001', mailboxId: '5001',
      serverTimeUtc: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    expect((await value(as12345, 'system_hello-world', { request: { name: '  Ada ' } })).message).toBe('Hello, Ada, from ecgrid-identity.');
    expect((await value(as12345, 'system_hello-world', { request: { name: '' } })).message).toBe('Hello, keyowner, from ecgrid-identity.');
  });

  it('get-version', async () => {
    expect(await value(as12345, 'system_get-version', { request: {} })).toEqual({ rest: '2.6', ecgridOs: null });
  });

  it('get-user-me: sessionId for a Bearer caller, null for a key; never a secret', async () => {
    const mine = await value(as12345, 'user_get-user-me', { request: {} });
    expect(mine).toMatchObject({ ecgridOsVersion: null, sessionId: null, sessionEventId: null, userId: 12345, loginName: 'keyowner', authLevel: 'NetworkAdmin', networkId: 1001, mailboxId: 5001, timeOut: 3600 });
    const theirs = await value(as4821, 'user_get-user-me', { request: {} });
    expect(theirs.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.store.sessions.findCredential(theirs.sessionId))?.user.userId).toBe(4821);
    expect(theirs.openSessions).toBeGreaterThanOrEqual(1);
    const text = JSON.stringify(theirs);
    expect(text).not.toContain(as4821.authorization!.slice(7));
    expect(Object.keys(theirs).some((key) => /token|key|password/i.test(key))).toBe(false);
  });

  it('get-user-by-id: 1042 for 4821; 12345 (another network) is NOT_FOUND like a missing user', async () => {
    expect(await value(as4821, 'user_get-user-by-id', { request: { userId: 1042 } })).toMatchObject({
      userId: 1042, loginName: 'jsmith', firstName: 'John', lastName: 'Smith', email: 'jsmith@example.com', authLevel: 'MailboxAdmin',
      lockoutStatus: false, networkId: 1, mailboxId: 101, timeOut: 3600, created: '2024-03-15T10:22:00Z',
    });
    const outOfScope = await failure(as4821, 'user_get-user-by-id', { request: { userId: 12345 } }, 'NOT_FOUND');
    expect(outOfScope.message).toBe('userId: user 12345 not found');
    const missing = await failure(as4821, 'user_get-user-by-id', { request: { userId: 999999 } }, 'NOT_FOUND');
    expect({ ...missing, message: missing.message.replace('999999', '12345'), userMessage: missing.userMessage.replace('999999', '12345') }).toEqual(outOfScope);
  });

  it('get-user-by-login: AJONES is 1043 for 4821; a login out of scope is NOT_FOUND', async () => {
    expect(await value(as4821, 'user_get-user-by-login', { request: { loginName: 'AJONES' } })).toMatchObject({ userId: 1043, loginName: 'ajones', authLevel: 'MailboxUser', created: '2024-04-01T08:00:00Z' });
    await failure(as4821, 'user_get-user-by-login', { request: { loginName: 'keyowner' } }, 'NOT_FOUND', 'loginName');
    await failure(as4821, 'user_get-user-by-login', { request: { loginName: "x' OR 1=1 --" } }, 'VALIDATION_ERROR', 'loginName');
    await failure(as4821, 'user_get-user-by-login', { request: { loginName: 'a\u0000b' } }, 'VALIDATION_ERROR', 'loginName');
  });

  it('list-users: name SMITH gives 1042 and 4821 to 4821', async () => {
    const list = await value(as4821, 'user_list-users', { request: { name: 'SMITH' } });
    expect(list.count).toBe(2);
    expect(ids(list)).toEqual([1042, 4821]);
    expect(list.truncated).toBeUndefined();
  });

  it('get-network-by-id: 1001 for 12345, network 1 NOT_FOUND', async () => {
    const network = await value(as12345, 'network_get-network-by-id', { request: { networkId: 1001 } });
    expect(network).toMatchObject({ networkId: 1001, name: 'Acme Corporation', runStatus: null, ownerUserId: null, billingAuthLevel: null, ediWebsite: null, routingNetworkId: null, created: '2020-03-15T08:00:00Z' });
    expect(Object.keys(network)).toHaveLength(22);
    await failure(as12345, 'network_get-network-by-id', { networkId: 1 }, 'NOT_FOUND', 'networkId');
  });

  it('get-mailbox-by-id: 5002 for 12345 with its 21 contact fields null', async () => {
    const mailbox = await value(as12345, 'mailbox_get-mailbox-by-id', { request: { mailboxId: 5002 } });
    expect(mailbox).toMatchObject({ mailboxId: 5002, networkId: 1001, name: 'ACMEMBOX02', useType: null, priceListId: null, contractId: null, accountingAuthLevel: null });
    expect(Object.keys(mailbox).filter((key) => /(UserId|LoginName|AuthLevel)$/.test(key))).toHaveLength(21);
    await failure(as12345, 'mailbox_get-mailbox-by-id', { request: { mailboxId: 101 } }, 'NOT_FOUND', 'mailboxId');
  });

  it('list-mailboxes and get-mailbox-by-name for 12345; nothing for 4821 in network 1001', async () => {
    const all = await value(as12345, 'mailbox_list-mailboxes', { request: {} });
    expect(ids(all)).toEqual([5001, 5002]);
    expect(Object.keys(all.mailboxes[0])).toEqual([
      'mailboxId', 'networkId', 'name', 'description', 'status', 'useType', 'managed', 'ecgridAccount', 'defaultAs2Id', 'ownerUserId', 'ownerLoginName', 'ownerAuthLevel', 'created', 'modified',
    ]);
    expect(ids(await value(as12345, 'mailbox_get-mailbox-by-name', { request: { networkId: 1001, name: 'box02' } }))).toEqual([5002]);
    expect(await value(as4821, 'mailbox_get-mailbox-by-name', { request: { networkId: 1001, name: 'box02' } })).toEqual({ count: 0, mailboxes: [] });
    expect(await value(as12345, 'mailbox_get-mailbox-by-name', { request: { networkId: 1001, name: 'someone@example.com' } })).toEqual({ count: 0, mailboxes: [] });
    expect(await value(as12345, 'mailbox_get-mailbox-by-name', { request: { networkId: 1001, name: '%' } })).toEqual({ count: 0, mailboxes: [] });
    expect(ids(await value(as4821, 'mailbox_list-mailboxes', { request: {} }))).toEqual([101]);
    expect(ids(await value(asRoot, 'mailbox_list-mailboxes', { request: {} }))).toEqual(expect.arrayContaining([101, 205, 5001, 5002]));
    const techOps = await createUser(server, { authLevel: 'TechOps', networkId: (await createNetwork(server)).networkId, mailboxId: 0 });
    expect(ids(await value({ 'x-connectivity-api-key': techOps.key }, 'mailbox_list-mailboxes', { request: {} }))).toEqual(expect.arrayContaining([101, 205, 5001, 5002]));
  });
});

describe('argument forms and reading (MCP.md §4)', () => {
  const user1042 = async (args: unknown) => (await value(as4821, 'user_get-user-by-id', args)).userId;

  it('reads wrapped and flat forms, numeric strings, any-case names, and ignores unknown fields', async () => {
    expect(await user1042({ request: { userId: 1042 } })).toBe(1042);
    expect(await user1042({ userId: 1042 })).toBe(1042);
    expect(await user1042({ request: null, userId: 1042 })).toBe(1042);
    expect(await user1042({ request: { userId: '1042' } })).toBe(1042);
    expect(await user1042({ request: { userId: ' 1042 ' } })).toBe(1042);
    expect(await user1042({ REQUEST: { USERID: 1042 } })).toBe(1042);
    expect(await user1042({ Request: { userid: '1042', colour: 'blue' } })).toBe(1042);
    expect(await user1042({ request: { userId: 1042 }, userId: 1043 })).toBe(1042);
  });

  it('reads absent, null and empty arguments as an empty request', async () => {
    for (const args of [undefined, null, {}, { request: {} }]) {
      expect(await value(as4821, 'system_get-version', args)).toEqual({ rest: '2.6', ecgridOs: null });
      await failure(as4821, 'user_get-user-by-id', args, 'VALIDATION_ERROR', 'userId');
    }
  });

  it('refuses a request that is not an object, naming request', async () => {
    for (const request of ['x', [], 5, true]) await failure(as4821, 'system_get-version', { request }, 'VALIDATION_ERROR', 'request');
  });

  it('types strictly: integers, booleans, ranges; null is absent', async () => {
    for (const userId of [0, -1, 1.5, '1.5', 'abc', 2_147_483_648, true, {}, [1042]]) {
      await failure(as4821, 'user_get-user-by-id', { request: { userId } }, 'VALIDATION_ERROR', 'userId');
    }
    await failure(as4821, 'user_get-user-by-id', { request: { userId: null } }, 'VALIDATION_ERROR', 'userId');
    await failure(as4821, 'user_list-users', { request: { networkId: 1, lockedOut: 'true' } }, 'VALIDATION_ERROR', 'lockedOut');
    await failure(as4821, 'user_list-users', { request: { mailboxId: -2 } }, 'VALIDATION_ERROR', 'mailboxId');
    await failure(as4821, 'user_list-users', { request: { name: '   ' } }, 'VALIDATION_ERROR', 'name');
    await failure(as4821, 'user_list-users', { request: { name: 'x'.repeat(41) } }, 'VALIDATION_ERROR', 'name');
    await failure(as4821, 'user_list-users', { request: { lockedOut: true } }, 'VALIDATION_ERROR', 'networkId');
    // Control characters (NUL: PostgreSQL refuses it in text) are refused before any lookup.
    await failure(as4821, 'user_list-users', { request: { name: 'a\u0000b' } }, 'VALIDATION_ERROR', 'name');
    await failure(as4821, 'mailbox_get-mailbox-by-name', { request: { networkId: 1, name: 'MB\u0000' } }, 'VALIDATION_ERROR', 'name');
    await failure(as4821, 'system_hello-world', { request: { name: 'x\u0007' } }, 'VALIDATION_ERROR', 'name');
  });

  it('never repeats a string the caller sent in an error', async () => {
    const secretish = 'sk-live-0123456789abcdef';
    for (const [name, args] of [
      ['user_get-user-by-id', { request: { userId: secretish } }],
      ['user_get-user-by-login', { request: { loginName: secretish } }],
      ['user_get-user-by-login', { request: { loginName: `${secretish} !` } }],
      ['user_list-users', { request: { networkId: secretish } }],
      ['mailbox_get-mailbox-by-name', { request: { networkId: secretish, name: secretish } }],
    ] as const) {
      const answer = await call(as4821, name, args);
      expect(answer.isError).toBe(true);
      expect(JSON.stringify(answer.value)).not.toContain(secretish);
    }
  });
});

describe('list-users filters', () => {
  it('applies the scope: a filter outside it gives an empty list; mailbox 0 is outside a mailbox scope', async () => {
    expect(await value(as4821, 'user_list-users', { request: { networkId: 1001 } })).toEqual({ count: 0, users: [] });
    expect(await value(as4821, 'user_list-users', { request: { mailboxId: 0 } })).toEqual({ count: 0, users: [] });
    expect(ids(await value(as4821, 'user_list-users', { request: { mailboxId: -1 } }))).toEqual([1042, 1043, 4821]);
    expect(ids(await value(as12345, 'user_list-users', { request: { mailboxId: -1 } }))).toEqual([12345]);
  });

  it('mailbox 0 lists network-level users; name matches login or e-mail literally; lockedOut keeps locked users', async () => {
    const { networkId } = await createNetwork(server);
    const netLevel = await createUser(server, { authLevel: 'NetworkUser', networkId, mailboxId: 0, login: 'under_score', email: 'pct@example.org' });
    const other = await createUser(server, { authLevel: 'NetworkAdmin', networkId, mailboxId: 0, login: 'underxscore', email: 'other@example.org' });
    expect(ids(await value(asRoot, 'user_list-users', { request: { networkId, mailboxId: 0 } }))).toEqual([netLevel.user.userId, other.user.userId]);
    expect(ids(await value(asRoot, 'user_list-users', { request: { networkId, name: 'R_S' } }))).toEqual([netLevel.user.userId]);
    expect(ids(await value(asRoot, 'user_list-users', { request: { networkId, name: 'EXAMPLE.ORG' } }))).toEqual([netLevel.user.userId, other.user.userId]);
    expect(ids(await value(asRoot, 'user_list-users', { request: { networkId, name: '%' } }))).toEqual([]);
    await server.store.transaction((tx) => tx.users.update(other.user.userId, { lockedUntil: new Date(Date.now() + 600_000).toISOString(), failedLogins: 5 }, new Date().toISOString()));
    await server.store.transaction((tx) => tx.users.update(netLevel.user.userId, { lockedUntil: new Date(Date.now() - 600_000).toISOString() }, new Date().toISOString()));
    const locked = await value(asRoot, 'user_list-users', { request: { networkId, lockedOut: true } });
    expect(ids(locked)).toEqual([other.user.userId]);
    expect(locked.users[0].lockoutStatus).toBe(true);
    expect(ids(await value(asRoot, 'user_list-users', { request: { networkId, lockedOut: false } }))).toHaveLength(2);
  });

  it('counts open sessions per user', async () => {
    await login(server.url, 'ajones@example.com', DEMO_LOGIN_PASSWORD).catch(() => undefined);
    const before = (await value(asRoot, 'user_get-user-by-id', { userId: 4821 })).openSessions;
    await login(server.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
    expect((await value(asRoot, 'user_get-user-by-id', { userId: 4821 })).openSessions).toBe(before + 1);
    const listed = await value(asRoot, 'user_list-users', { request: { networkId: 1 } });
    expect(listed.users.find((u: { userId: number }) => u.userId === 4821).openSessions).toBe(before + 1);
  });

  it('stops at 1,000 users and says truncated', async () => {
    const { networkId } = await createNetwork(server);
    const created = new Date().toISOString();
    await server.store.users.insertMany(Array.from({ length: 1001 }, (_, i) => ({
      login: `bulk${i}`, email: `bulk${i}@example.com`, firstName: 'B', lastName: 'K', networkId, mailboxId: 0, authLevel: 'NetworkUser' as const,
      status: 'Active' as const, passwordHash: 'unusable', created,
    })));
    const list = await value(asRoot, 'user_list-users', { request: { networkId } });
    expect(list.count).toBe(1000);
    expect(list.users).toHaveLength(1000);
    expect(list.truncated).toBe(true);
    expect(ids(list)).toEqual([...ids(list)].sort((a, b) => a - b));
  });
});

describe('get-user-by-login with a login in several networks', () => {
  it('is a VALIDATION_ERROR naming the candidates in ascending order for a system caller; one match for a scoped one', async () => {
    const twin = await createUser(server, { authLevel: 'MailboxUser', networkId: 1001, mailboxId: 5001, login: 'JSmith' });
    const answer = await failure(asRoot, 'user_get-user-by-login', { request: { loginName: 'jsmith' } }, 'VALIDATION_ERROR', 'loginName');
    expect(answer.message).toBe(`loginName: matches several users (1042, ${twin.user.userId})`);
    expect(answer.suggestedAction).toContain('connectivity_user_get-user-by-id');
    expect((await value(as4821, 'user_get-user-by-login', { request: { loginName: 'jsmith' } })).userId).toBe(1042);
    expect((await value(as12345, 'user_get-user-by-login', { request: { loginName: 'jsmith' } })).userId).toBe(twin.user.userId);
  });
});
