/**
 * Round trips to PostgreSQL per request, over real HTTP: the server's store
 * connects through a relay that holds every answer back 15 ms and counts
 * round trips (test/support/pg-relay.ts), with a pool of one connection so
 * that every statement of a request is on the wire the relay watches. Each
 * count includes authentication (the credential lookup, one statement, with
 * the user the route names where it reads one). The figures are the README's
 * table ("A mutation in two round trips"); a change that adds a round trip to
 * any of these requests fails here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { RunningServer } from '../../src/server.js';
import { Api, expectOk, type Reply } from '../support/http.js';
import { pgRelay, pgTarget, type PgRelay } from '../support/pg-relay.js';
import { TEST_PASSWORD, createMailbox, createNetwork, createUser, startRecordedServer } from '../support/server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { rawQuery } from '../support/raw-query.js';

let database: TestDatabase;
let wire: PgRelay;
let server: RunningServer;
let root: Api;
const counted: Array<[string, number]> = [];

beforeAll(async () => {
  database = await freshDatabase();
  wire = pgRelay(pgTarget(database.databaseUrl!), 0);
  const port = await wire.listen();
  const rootKey = randomUUID();
  server = await startRecordedServer(
    loadConfig({
      HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ECGRID_RATE_LIMIT: 'off',
      ECGRID_ROOT_API_KEY: rootKey, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'),
      DATABASE_URL: wire.urlThrough(database.databaseUrl!, port), ECGRID_PG_POOL: '1',
    }),
  );
  root = new Api(server.url, rootKey);
  wire.hold(15);
});
afterAll(async () => {
  // eslint-disable-next-line no-console
  console.log(`round trips per request (PostgreSQL, pool of 1):\n${counted.map(([what, n]) => `| ${what} | ${n} |`).join('\n')}`);
  await server?.stop();
  await wire?.close();
  await database?.drop();
});

/** The round trips of one request, which must succeed. */
async function roundTripsOf(what: string, request: () => Promise<Reply>): Promise<number> {
  const roundTrips = wire.count();
  expectOk(await request());
  const n = roundTrips();
  counted.push([what, n]);
  return n;
}

describe('round trips per request on PostgreSQL', () => {
  it('reads: one; PUT /v2/users: two; the other changes of one user: three (authentication, then two)', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    const id = user.userId;

    expect(await roundTripsOf('GET /v2/users/{id}', () => root.get(`/v2/users/${id}`))).toBe(1);
    expect(await roundTripsOf('PUT /v2/users', () => root.put('/v2/users', { userId: id, firstName: 'Twice' }))).toBe(2);
    expect(await roundTripsOf('POST /v2/users/update-config', () => root.post('/v2/users/update-config', { userId: id, company: 'Piped' }))).toBe(3);
    expect(await roundTripsOf('POST /v2/users/password', () => root.post('/v2/users/password', { userId: id, newPassword: 'Adm1n-Set-Passw0rd!' }))).toBe(3);
    expect(
      await roundTripsOf('POST /v2/users/password with revokeSessions', () =>
        root.post('/v2/users/password', { userId: id, newPassword: 'Adm1n-Set-Passw0rd2!', revokeSessions: true }),
      ),
    ).toBe(3);
    expect(await roundTripsOf('POST /v2/users/reset/{id}', () => root.post(`/v2/users/reset/${id}`))).toBe(3);
    expect(await roundTripsOf('DELETE /v2/users/{id}', () => root.delete(`/v2/users/${id}`))).toBe(3);
  });

  it('a list: its page, its total and the caller outside its placement in one statement', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { key } = await createUser(server, { authLevel: 'NetworkAdmin', networkId: network.networkId, mailboxId: 0 });
    await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    const list = { networkId: network.networkId, status: 'Active', recordsPerPage: 25 };
    // Authentication; the page with its total (Root's scope is everyone: no caller to look for).
    expect(await roundTripsOf('POST /v2/users/list (Root)', () => root.post('/v2/users/list', list))).toBe(2);
    expect(await roundTripsOf('POST /v2/users/list (Root, past the last page)', () => root.post('/v2/users/list', { ...list, pageNo: 9 }))).toBe(2);
    // Authentication; the page with its total and, in the same statement, the caller's own row should it lie outside its network.
    const asAdmin = await roundTripsOf('POST /v2/users/list (NetworkAdmin)', () => root.as(key).post('/v2/users/list', list));
    expect(asAdmin).toBe(2);
    // And the answers are whole: both users with their total, the total past the last page, the admin's own network.
    const first = await root.post<Array<{ userId: number }>>('/v2/users/list', list);
    expect([first.body.data.length, first.headers.get('x-total-count')]).toEqual([2, '2']);
    const past = await root.post<Array<{ userId: number }>>('/v2/users/list', { ...list, pageNo: 9 });
    expect([past.body.data.length, past.headers.get('x-total-count')]).toEqual([0, '2']);
    const admins = await root.as(key).post<Array<{ userId: number }>>('/v2/users/list', list);
    expect(admins.body.data.map((u) => u.userId)).toEqual(first.body.data.map((u) => u.userId));
    expect(admins.headers.get('x-total-count')).toBe('2');
  });

  it('PUTs of several users asked in one turn share one write: 6 guarded updates in 2 round trips (the first alone, the rest together)', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const created = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId })));
    const users = await Promise.all(created.map(({ user }) => server.store.users.findById(user.userId)));
    const roundTrips = wire.count();
    // As the service asks them (UserService.update) when six PUTs are decided in one turn of the event loop.
    const written = await Promise.all(users.map((user, i) => server.store.updateUserGuarded({
      userId: user!.userId, version: user!.version, patch: { firstName: `Shared${i}` }, modified: new Date().toISOString(), revokeSessions: false,
      event: { at: new Date().toISOString(), actorUserId: null, action: 'user.update', targetType: 'user', targetId: user!.userId, targetNetworkId: network.networkId,
        targetMailboxId: mailbox.mailboxId, changes: { firstName: { old: user!.firstName, new: `Shared${i}` } }, requestId: `shared-${i}`, clientIp: '127.0.0.1' },
    })));
    const n = roundTrips();
    counted.push(['6 PUT /v2/users writes of 6 users decided in one turn', n]);
    expect(n).toBe(2);
    expect(written.map((user) => [user?.userId, user?.firstName, user?.version])).toEqual(users.map((user, i) => [user!.userId, `Shared${i}`, user!.version + 1]));
    const events = await rawQuery(database, `select target_id, request_id from audit_events where request_id like 'shared-%' order by target_id`);
    expect(events.map((row) => [Number(row.target_id), row.request_id])).toEqual(users.map((user, i) => [user!.userId, `shared-${i}`]));
  });

  it('signing in: the user with its password hash and standing in one read before the password is verified, and again, locked, in the transaction', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { user, key } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    // The first token a process signs reads (or stores) its signing secret first: not counted.
    expectOk(await root.as(null).post('/v2/auth/login', { login: user.login, password: TEST_PASSWORD }));
    expect(
      await roundTripsOf('PUT /v2/auth/password (own, by API key)', () =>
        root.as(key).put('/v2/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'Chang3d-Passw0rd!' }),
      ),
    ).toBe(4);
    expect(await roundTripsOf('POST /v2/auth/login', () => root.as(null).post('/v2/auth/login', { login: user.login, password: 'Chang3d-Passw0rd!' }))).toBe(3);
  });

  it('the changes that read a destination: three (their destination locked with the user, or guarded in the INSERT); key-generate and a change of a network: three', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const other = await createMailbox(server, network.networkId);
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    const id = user.userId;
    // Authentication, with the user; BEGIN with the user FOR UPDATE and its destination FOR SHARE, one statement; the UPDATE, audit and COMMIT.
    expect(await roundTripsOf('POST /v2/users/role', () => root.post('/v2/users/role', { userId: id, authLevel: 'MailboxAdmin' }))).toBe(3);
    expect(
      await roundTripsOf('POST /v2/users/set-network-mailbox', () =>
        root.post('/v2/users/set-network-mailbox', { userId: id, networkId: network.networkId, mailboxId: other.mailboxId }),
      ),
    ).toBe(3);
    // A network-level placement reads the network alone: as many.
    expect(
      await roundTripsOf('POST /v2/users/role (to network level)', () =>
        root.post('/v2/users/role', { userId: id, authLevel: 'NetworkUser', networkId: network.networkId, mailboxId: 0 }),
      ),
    ).toBe(3);
    // A destination that does not exist: the joined read finds nothing, and each is read alone to say which (400).
    const refused = await root.post('/v2/users/set-network-mailbox', { userId: id, networkId: network.networkId, mailboxId: 2_000_000_000 });
    expect(refused.status).toBe(400);
    // Authentication; BEGIN with the locking read; the revocation, the new key and its event in one statement, with COMMIT.
    expect(await roundTripsOf('POST /v2/users/key-generate/{id}', () => root.post(`/v2/users/key-generate/${id}`))).toBe(3);
    // Authentication; the destination read; one statement inserting the user and its event while the destination is as read.
    expect(
      await roundTripsOf('POST /v2/users', () =>
        root.post('/v2/users', { login: `rt${id}`, password: 'Secr3t!Word', email: `rt${id}@example.com`, networkId: network.networkId, mailboxId: mailbox.mailboxId }),
      ),
    ).toBe(3);
    expect(await roundTripsOf('PUT /v2/networks', () => root.put('/v2/networks', { networkId: network.networkId, city: 'Boston' }))).toBe(3);
  });
});
