/**
 * Many PUTs of a few users at once, from many clients: the server writes the
 * PUTs decided in one turn in one shared statement (Store.updateUserGuarded),
 * so two such statements often hold rows of the same users. Every PUT answers
 * 200, each lands once (a user's version moves once per PUT, with one audit
 * event each), and PostgreSQL records no deadlock: the shared statements lock
 * their rows in ascending userId, as every transaction does (Store's lock order).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOk } from '../support/http.js';
import { rawQuery } from '../support/raw-query.js';
import { createMailbox, createNetwork, createUser, startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';
import type { GuardedUserUpdate } from '../../src/store/queries/users.js';

let server: TestServer;
let stopped = false;

// A server of its own for each test: each stops it to read PostgreSQL's deadlock count (expectNoDeadlockSince).
beforeEach(async () => {
  server = await startTestServer();
  stopped = false;
});
afterEach(async () => {
  if (stopped) await server.database.drop();
  else await server?.close();
});

const USERS = 8;
const PUTS = 64;
const ROUNDS = 5;

async function deadlocks(): Promise<number> {
  const [row] = await rawQuery(server.database, 'select deadlocks from pg_stat_database where datname = current_database()');
  return Number(row!.deadlocks);
}

/** The server's pooled connections report their deadlock counts when they close: the server is stopped first. */
async function expectNoDeadlockSince(before: number): Promise<void> {
  await server.stop();
  stopped = true;
  expect((await deadlocks()) - before).toBe(0);
}

describe('concurrent PUTs of overlapping users (PostgreSQL)', () => {
  it('all answer 200, each lands once, the writes shared, with no deadlock', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const users = [];
    for (let i = 0; i < USERS; i++) users.push((await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId })).user);
    const ids = users.map((user) => user.userId);
    const versions = async () => (await rawQuery(server.database, `select user_id, version from users where user_id in (${ids.join(',')}) order by user_id`)).map((row) => Number(row.version));
    const start = await versions();
    const before = { deadlocks: await deadlocks(), stats: server.store.stats() };
    const sent = new Map<number, number>(ids.map((id) => [id, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      // Each client a user at random: a turn's shared statement holds several of them, in whatever order they came.
      const targets = Array.from({ length: PUTS }, () => ids[Math.floor(Math.random() * USERS)]!);
      const replies = await Promise.all(targets.map((userId, i) => server.api.put('/v2/users', { userId, firstName: `R${round}P${i}`, email: `r${round}p${i}@example.com` })));
      expect(replies.map((reply) => reply.status)).toEqual(targets.map(() => 200));
      for (const [i, reply] of replies.entries()) expect(expectOk(reply)).toMatchObject({ userId: targets[i], firstName: `R${round}P${i}` });
      for (const userId of targets) sent.set(userId, sent.get(userId)! + 1);
    }
    const after = server.store.stats();
    // Shared: fewer statements than guarded updates (at least one per PUT; more where a PUT found its user moved on and decided again).
    const gathered = after.user_updates_gathered_total! - before.stats.user_updates_gathered_total!;
    const batches = after.user_update_batches_total! - before.stats.user_update_batches_total!;
    expect(gathered).toBeGreaterThanOrEqual(PUTS * ROUNDS);
    expect(batches).toBeLessThan(gathered);
    expect(await versions()).toEqual(start.map((version, i) => version + sent.get(ids[i]!)!));
    const events = await rawQuery(server.database, `select target_id, count(*) as n from audit_events where action = 'user.update' and target_id in (${ids.join(',')}) group by target_id order by target_id`);
    expect(events.map((row) => Number(row.n))).toEqual(ids.map((id) => sent.get(id)!));
    await expectNoDeadlockSince(before.deadlocks);
  }, limit(120_000));
});

describe('two shared statements of the same users, asked in opposite orders (PostgreSQL)', () => {
  it('never wait for each other in a cycle: both write, no deadlock', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId })).user.userId);
    const before = await deadlocks();
    for (let round = 0; round < 20; round++) {
      const rows = await Promise.all(ids.map((id) => server.store.users.findById(id)));
      const change = (n: number) => (user: (typeof rows)[number]): GuardedUserUpdate => ({
        userId: user!.userId, version: user!.version, patch: { lastName: `O${round}.${n}` }, modified: new Date().toISOString(), revokeSessions: false,
        event: { at: new Date().toISOString(), actorUserId: null, action: 'user.update', targetType: 'user', targetId: user!.userId, targetNetworkId: network.networkId,
          targetMailboxId: mailbox.mailboxId, changes: {}, requestId: `o-${round}-${n}`, clientIp: '127.0.0.1' },
      });
      const [up, down] = await Promise.all([
        server.store.users.updateManyWithEvent(rows.map(change(1))),
        server.store.users.updateManyWithEvent(rows.map(change(2)).reverse()),
      ]);
      // Each row was at the version both read: one statement wrote it, the other found it moved on.
      expect(up.map((user, i) => (user ? 1 : 0) + (down[ids.length - 1 - i] ? 1 : 0))).toEqual(ids.map(() => 1));
    }
    await expectNoDeadlockSince(before);
  }, limit(120_000));
});
