/**
 * MCP.md §8 #2, differential: for every demo caller (keys issued in the
 * fixture), a Root and the permission world's levels, for every tool and a set
 * of targets — own, in scope, out of scope, missing, Terminated, invalid — the
 * MCP answer carries the same object as the REST call of §5.3, mapped by §5.2,
 * and the same refusal (404 ↔ NOT_FOUND, 400 ↔ VALIDATION_ERROR). MCP-only
 * filters are checked against REST lists filtered here by the same predicate.
 * The mapping below is written from MCP.md, independently of src/mcp/.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, type Api } from '../support/http.js';
import { callToolRaw } from '../support/mcp.js';
import { createMailbox, createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';

type Rest = Record<string, any>;
type Outcome = { kind: 'value'; value: unknown } | { kind: 'error'; code: string };

const TTL = 3600;
/** API.md §1: 1–64 of letters, digits and . _ - @ + */
const LOGIN_RULE = /^[A-Za-z0-9._@+-]{1,64}$/;
const MISSING = 999_999;

// ---- MCP.md §5.2, from REST's objects ----
const nulls = (names: string[]) => Object.fromEntries(names.map((name) => [name, null]));
const contactFields = (roles: string[]) => roles.flatMap((role) => [`${role}UserId`, `${role}LoginName`, `${role}AuthLevel`]);

function userOf(rest: Rest, openSessions: unknown = expect.any(Number)) {
  return {
    userId: rest.userId, loginName: rest.login, firstName: rest.firstName, lastName: rest.lastName, company: rest.company, email: rest.email,
    phone: rest.phone, timeZoneOffset: rest.timeZoneOffset, authLevel: rest.authLevel, lockoutStatus: rest.lockedOut, networkId: rest.networkId,
    mailboxId: rest.mailboxId, lastLogin: rest.lastLogin, openSessions, timeOut: TTL, created: rest.created, modified: rest.modified,
  };
}
function networkOf(rest: Rest) {
  return {
    networkId: rest.networkId, name: rest.companyName, status: rest.status, runStatus: null, outageStatus: null,
    ...nulls(contactFields(['owner', 'errors', 'interconnects', 'billing'])), publicWebsite: rest.website, ediWebsite: null, routingNetworkId: null,
    created: rest.created, modified: rest.modified,
  };
}
const mailboxHead = (rest: Rest) => ({
  mailboxId: rest.mailboxId, networkId: rest.networkId, name: rest.uniqueId, description: rest.companyName, status: rest.status,
  useType: null, managed: null, ecgridAccount: null, defaultAs2Id: null,
});
function mailboxOf(rest: Rest) {
  return {
    ...mailboxHead(rest), ...nulls(contactFields(['owner', 'errors', 'interconnects', 'notices', 'reports', 'customerService', 'accounting'])),
    priceListId: null, contractId: null, created: rest.created, modified: rest.modified,
  };
}
const mailboxRowOf = (rest: Rest) => ({ ...mailboxHead(rest), ...nulls(contactFields(['owner'])), created: rest.created, modified: rest.modified });

// ---- REST answers → expected outcomes ----
function fromRest(reply: { status: number; body: { data: any } }, map: (data: any) => unknown): Outcome {
  if (reply.status === 200) return { kind: 'value', value: map(reply.body.data) };
  const code = { 400: 'VALIDATION_ERROR', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[reply.status];
  if (!code) throw new Error(`REST answered ${reply.status}`);
  return { kind: 'error', code };
}

/** Every user the caller may list, by REST pages (500 at a time). */
async function restUsers(api: Api, filter: Record<string, number> = {}): Promise<Rest[]> {
  const all: Rest[] = [];
  for (let pageNo = 1; ; pageNo++) {
    const page = expectOk(await api.post<Rest[]>('/v2/users/list', { ...filter, pageNo, recordsPerPage: 500 }));
    all.push(...page);
    if (page.length < 500) return all;
  }
}
async function restMailboxes(api: Api, networkId: number): Promise<Rest[]> {
  return expectOk(await api.post<{ mailboxes: Rest[] }>('/v2/mailboxes/list', { networkId, recordsPerPage: 500 })).mailboxes;
}
const list = (key: 'users' | 'mailboxes', items: unknown[]): Outcome => ({ kind: 'value', value: { count: items.length, [key]: items } });

let server: TestServer;
let world: World;
const callers: Array<{ name: string; key: string }> = [];
const targets = { users: [] as number[], logins: [] as string[], networks: [] as number[], mailboxes: [] as number[] };

useWorldServer((s, w) => {
  server = s;
  world = w;
});

beforeAll(async () => {
  // A Terminated user and a Terminated mailbox; a login in two networks.
  const doomed = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
  expectOk(await server.api.delete(`/v2/users/${doomed.user.userId}`));
  const deadMailbox = await createMailbox(server, world.netA.networkId);
  expectOk(await server.api.delete(`/v2/mailboxes/${deadMailbox.mailboxId}`));
  await createUser(server, { authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId, login: 'AJones' });

  callers.push({ name: 'Root', key: server.rootKey });
  for (const userId of [1042, 1043, 4821, 12345]) {
    callers.push({ name: `demo ${userId}`, key: expectOk(await server.api.post<string>(`/v2/users/key-generate/${userId}`)) });
  }
  for (const name of ['techOps', 'netAdminA', 'netUserA', 'mbAdminA1', 'mbUserA1', 'netAdminB', 'mbUserB1'] as const) {
    callers.push({ name, key: world[name].key });
  }
  const everyone = await restUsers(server.api);
  targets.users = [...everyone.map((u) => u.userId), MISSING, 0];
  targets.logins = [...new Set(everyone.map((u) => u.login)), 'nobody-here', 'JSMITH', 'not a login'];
  targets.networks = [0, 1, 2, 1001, world.netA.networkId, world.netB.networkId, MISSING];
  targets.mailboxes = [0, 101, 205, 5001, 5002, world.mbA1.mailboxId, world.mbA2.mailboxId, world.mbB1.mailboxId, deadMailbox.mailboxId, MISSING];
  // A lockout to filter on.
  await server.store.transaction((tx) =>
    tx.users.update(world.mbUserA1.user.userId, { lockedUntil: new Date(Date.now() + 3_600_000).toISOString(), failedLogins: 5 }, new Date().toISOString()),
  );
});

async function mcp(key: string, tool: string, request: unknown): Promise<Outcome> {
  const answer = await callToolRaw(server.url, { 'x-connectivity-api-key': key }, `connectivity_${tool}`, { request });
  return answer.isError ? { kind: 'error', code: answer.value.code } : { kind: 'value', value: answer.value };
}

/** Compares MCP with REST for each case; reports every mismatch at once. */
async function compare(cases: Array<{ label: string; mcp: Promise<Outcome>; rest: Promise<Outcome> }>) {
  const mismatches: string[] = [];
  for (const c of cases) {
    const [got, want] = await Promise.all([c.mcp, c.rest]);
    try {
      expect(got).toEqual(want);
    } catch {
      mismatches.push(`${c.label}: MCP ${JSON.stringify(got).slice(0, 300)} ≠ REST ${JSON.stringify(want).slice(0, 300)}`);
    }
  }
  expect(mismatches).toEqual([]);
  return cases.length;
}

describe.each(Array.from({ length: 12 }, (_, i) => i))('caller #%i', (index) => {
  const caller = () => callers[index]!;
  const api = () => server.api.as(caller().key);
  const me = async () => expectOk(await api().get<Rest>('/v2/users/me'));

  it('system tools and get-user-me answer as GET /v2/users/me and /v2/auth/session', async () => {
    const mine = await me();
    const session = expectOk(await api().post<Rest>('/v2/auth/session'));
    expect(await mcp(caller().key, 'user_get-user-me', {})).toEqual({
      kind: 'value', value: { ecgridOsVersion: null, sessionId: null, sessionEventId: null, ...userOf(mine, session.openSessions) },
    });
    expect(await mcp(caller().key, 'system_hello-world', {})).toEqual({
      kind: 'value',
      value: { message: `Hello, ${mine.login}, from ecgrid-identity.`, loginName: mine.login, authLevel: mine.authLevel, networkId: String(mine.networkId), mailboxId: String(mine.mailboxId), serverTimeUtc: expect.any(String) },
    });
    const version = expectOk(await server.api.get<{ version: string }>('/v2/auth/version', { key: null }));
    expect(await mcp(caller().key, 'system_get-version', {})).toEqual({ kind: 'value', value: { rest: version.version, ecgridOs: null } });
  });

  it('get-user-by-id ↔ GET /v2/users/{id}', async () => {
    expect(await compare(targets.users.map((id) => ({
      label: `${caller().name} user ${id}`,
      mcp: mcp(caller().key, 'user_get-user-by-id', { userId: id }),
      rest: api().get(`/v2/users/${id}`).then((r) => fromRest(r, (u) => userOf(u))),
    })))).toBeGreaterThan(15);
  });

  it('get-user-by-login ↔ POST /v2/users/by-name (none → NOT_FOUND, several → VALIDATION_ERROR)', async () => {
    await compare(targets.logins.map((login) => ({
      label: `${caller().name} login ${login}`,
      mcp: mcp(caller().key, 'user_get-user-by-login', { loginName: login }),
      // MCP.md §5.8: a value that cannot be a login is refused before any lookup (REST looks and finds none).
      rest: !LOGIN_RULE.test(login) ? Promise.resolve<Outcome>({ kind: 'error', code: 'VALIDATION_ERROR' }) : api().post<Rest[]>('/v2/users/by-name', { login }).then((r): Outcome => {
        if (r.status !== 200) return fromRest(r, () => null);
        const found = r.body.data;
        return found.length === 1 ? { kind: 'value', value: userOf(found[0]!) } : { kind: 'error', code: found.length === 0 ? 'NOT_FOUND' : 'VALIDATION_ERROR' };
      }),
    })));
  });

  it('list-users by network and mailbox ↔ POST /v2/users/list with the same filter', async () => {
    await compare([
      ...targets.networks.filter((id) => id > 0).map((networkId) => ({
        label: `${caller().name} users of network ${networkId}`,
        mcp: mcp(caller().key, 'user_list-users', { networkId }),
        rest: restUsers(api(), { networkId }).then((users) => list('users', users.map((u) => userOf(u)))),
      })),
      ...targets.mailboxes.filter((id) => id > 0).map((mailboxId) => ({
        label: `${caller().name} users of mailbox ${mailboxId}`,
        mcp: mcp(caller().key, 'user_list-users', { mailboxId }),
        rest: restUsers(api(), { mailboxId }).then((users) => list('users', users.map((u) => userOf(u)))),
      })),
      {
        label: `${caller().name} users of all mailboxes`,
        mcp: mcp(caller().key, 'user_list-users', { mailboxId: -1 }),
        rest: restUsers(api()).then((users) => list('users', users.map((u) => userOf(u)))),
      },
    ]);
  });

  it('list-users MCP-only filters ↔ the REST list filtered by the same predicate', async () => {
    const all = await restUsers(api());
    const where = (label: string, request: object, keep: (u: Rest) => boolean) => ({
      label: `${caller().name} ${label}`,
      mcp: mcp(caller().key, 'user_list-users', request),
      rest: Promise.resolve(list('users', all.filter(keep).map((u) => userOf(u)))),
    });
    const contains = (text: string) => (u: Rest) => u.login.toLowerCase().includes(text.toLowerCase()) || u.email.toLowerCase().includes(text.toLowerCase());
    await compare([
      where('name SMITH', { name: 'SMITH' }, contains('SMITH')),
      where('name example.com', { name: 'example.com' }, contains('example.com')),
      where('name jones', { name: 'jones' }, contains('jones')),
      where('name _', { name: '_' }, contains('_')),
      where('mailbox 0', { mailboxId: 0 }, (u) => u.mailboxId === 0),
      where('locked out', { mailboxId: -1, lockedOut: true }, (u) => u.lockedOut === true),
      where('network A, name user', { networkId: world.netA.networkId, name: 'user' }, (u) => u.networkId === world.netA.networkId && contains('user')(u)),
    ]);
  });

  it('get-network-by-id ↔ GET /v2/networks/{id}', async () => {
    await compare(targets.networks.map((id) => ({
      label: `${caller().name} network ${id}`,
      mcp: mcp(caller().key, 'network_get-network-by-id', { networkId: id }),
      rest: api().get(`/v2/networks/${id}`).then((r) => fromRest(r, networkOf)),
    })));
  });

  it('get-mailbox-by-id ↔ GET /v2/mailboxes/{id}', async () => {
    await compare(targets.mailboxes.map((id) => ({
      label: `${caller().name} mailbox ${id}`,
      mcp: mcp(caller().key, 'mailbox_get-mailbox-by-id', { mailboxId: id }),
      rest: api().get(`/v2/mailboxes/${id}`).then((r) => fromRest(r, mailboxOf)),
    })));
  });

  it('list-mailboxes and get-mailbox-by-name ↔ POST /v2/mailboxes/list (filtered by name part here)', async () => {
    const mine = await me();
    const rows = (items: Rest[]) => list('mailboxes', items.map(mailboxRowOf));
    const networks = targets.networks.filter((id) => id > 0);
    await compare([
      { label: `${caller().name} own mailboxes`, mcp: mcp(caller().key, 'mailbox_list-mailboxes', {}), rest: restMailboxes(api(), mine.networkId).then(rows) },
      ...networks.map((networkId) => ({
        label: `${caller().name} mailboxes of ${networkId}`,
        mcp: mcp(caller().key, 'mailbox_list-mailboxes', { networkId }),
        rest: restMailboxes(api(), networkId).then(rows),
      })),
      ...networks.flatMap((networkId) => ['box', 'MBX1', '0', 'zz'].map((name) => ({
        label: `${caller().name} mailboxes of ${networkId} named *${name}*`,
        mcp: mcp(caller().key, 'mailbox_get-mailbox-by-name', { networkId, name }),
        rest: restMailboxes(api(), networkId).then((items) => rows(items.filter((m) => m.uniqueId.toLowerCase().includes(name.toLowerCase())))),
      }))),
    ]);
  });
});

it('covers the callers it was written for', () => {
  expect(callers).toHaveLength(12);
});
