/**
 * A transaction's round trips on PostgreSQL (dialects/postgres-pipeline.ts):
 * BEGIN goes out with the first statement, the audit event with COMMIT. Counted
 * on the wire, through a TCP relay between the store and the cluster that holds
 * every answer back a few milliseconds: a round trip is a stretch of the
 * store's writes that ends when an answer reaches it; and the writes
 * themselves, each a hand-over of the store's socket to the kernel, so that
 * what goes in one round trip goes in one write. And what early sending
 * must not change: an audit event that fails fails its transaction, with its
 * own error, and nothing of the transaction is stored.
 */
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../src/domain/types.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { pgRelay, pgTarget, type PgRelay } from '../support/pg-relay.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * Hand-overs to the kernel by sockets to `port` from now on: calls of the
 * stream's `_write` / `_writev` (Node's Writable contract: one call, one
 * write or writev), counted on Socket's prototype for the test's duration.
 */
function countSocketWrites(port: number) {
  let writes = 0;
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (this: Socket, ...args: unknown[]) => unknown>;
  const originals = { _write: proto._write, _writev: proto._writev };
  for (const method of ['_write', '_writev'] as const) {
    proto[method] = function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === port) writes++;
      return originals[method].apply(this, args);
    };
  }
  return {
    writes: () => writes,
    restore: () => Object.assign(proto, originals),
  };
}

let database: TestDatabase;
let wire: PgRelay;
let store: Store;
let networkId: number;
let relayPort: number;

beforeAll(async () => {
  database = await freshDatabase();
  wire = pgRelay(pgTarget(database.databaseUrl!));
  relayPort = await wire.listen();
  // One connection: every statement of the test on the connection the relay watches.
  store = openStore({ databaseUrl: wire.urlThrough(database.databaseUrl!, relayPort), sqliteFile: '', poolSize: 1 });
  networkId = (await store.transaction((tx) => tx.networks.insert({ uniqueId: 'PIPE', companyName: 'Before', status: 'Active', created: new Date().toISOString() })))
    .networkId;
});
afterAll(async () => {
  await store?.close();
  await wire?.close();
  await database?.drop();
});

const event = (action: string): NewAuditEvent => ({
  at: new Date().toISOString(),
  actorUserId: null,
  action,
  targetType: 'network',
  targetId: networkId,
  targetNetworkId: networkId,
  targetMailboxId: 0,
  changes: { companyName: { old: 'Before', new: action } },
  requestId: `req-${action}`,
  clientIp: '127.0.0.1',
});

/** A mutation as the services write one: a locking read, a write of the row it holds, its audit event. */
const rename = (companyName: string, audit: NewAuditEvent) =>
  store.transaction(async (tx) => {
    const before = await tx.networks.findByIdForUpdate(networkId);
    const after = await tx.networks.updateHeld(before!, { companyName }, new Date().toISOString());
    await tx.audit.insert(audit);
    return after;
  });

/** A NetworkUser of the test's network; `created` its creation time, `end` an hour later (for its sessions). */
async function networkUser(login: string, passwordHash: string) {
  const created = new Date().toISOString();
  const user = await store.transaction((tx) =>
    tx.users.insert({
      login, email: `${login}@example.com`, firstName: login, lastName: 'Test', networkId, mailboxId: 0,
      authLevel: 'NetworkUser', status: 'Active', passwordHash, created,
    }),
  );
  return { user, created, end: new Date(Date.now() + 3_600_000).toISOString() };
}

const eventsOf = async (action: string, target: { targetType: NewAuditEvent['targetType']; targetId: number } = { targetType: 'network', targetId: networkId }) =>
  (await store.audit.list({ kind: 'system' }, target, { pageNo: 1, recordsPerPage: 100 })).events.filter((e) => e.action === action);

describe('a transaction on PostgreSQL, pipelined', () => {
  it('takes two round trips for a locking read, a write of the row it holds and the audit event; the row it answers is the one stored', async () => {
    const roundTrips = wire.count();
    const sockets = countSocketWrites(relayPort);
    let answered;
    try {
      answered = await rename('Renamed', event('rename'));
    } finally {
      sockets.restore();
    }
    // BEGIN + SELECT … FOR UPDATE | UPDATE + INSERT audit + COMMIT (one each: five), each round trip one write.
    expect(roundTrips()).toBe(2);
    expect(sockets.writes()).toBe(2);
    expect(answered).toEqual(await store.networks.findById(networkId));
    expect(answered.companyName).toBe('Renamed');
    expect(await eventsOf('rename')).toHaveLength(1);
  });

  it('takes three where a write is awaited (an INSERT whose id the work reads)', async () => {
    const roundTrips = wire.count();
    const mailboxId = await store.transaction(async (tx) => {
      await tx.networks.findByIdForUpdate(networkId);
      const mailbox = await tx.mailboxes.insert({ networkId, uniqueId: 'PIPE3', companyName: 'Three', status: 'Active', created: new Date().toISOString() });
      await tx.audit.insert({ ...event('three'), targetType: 'mailbox', targetId: mailbox.mailboxId, targetMailboxId: mailbox.mailboxId });
      return mailbox.mailboxId;
    });
    // BEGIN + SELECT … FOR UPDATE | INSERT … RETURNING | INSERT audit + COMMIT.
    expect(roundTrips()).toBe(3);
    expect((await store.mailboxes.findById(mailboxId))?.uniqueId).toBe('PIPE3');
    expect(await eventsOf('three', { targetType: 'mailbox', targetId: mailboxId })).toHaveLength(1);
  });

  it('takes two for a user too (users.updateHeld): the user it answers is the one stored, the password hash written but not in it', async () => {
    const mailbox = await store.transaction((tx) => tx.mailboxes.insert({ networkId, uniqueId: 'PIPEMB', companyName: 'Mailbox', status: 'Active', created: new Date().toISOString() }));
    const user = await store.transaction((tx) =>
      tx.users.insert({
        login: 'piped', email: 'piped@example.com', firstName: 'Pi', lastName: 'Ped', networkId, mailboxId: mailbox.mailboxId,
        authLevel: 'MailboxUser', status: 'Active', passwordHash: 'not-a-hash', created: new Date().toISOString(),
      }),
    );
    const roundTrips = wire.count();
    const answered = await store.transaction(async (tx) => {
      const before = (await tx.users.findByIdForUpdate(user.userId))!;
      // A lone surrogate (JSON carries it, UTF-8 cannot): stored as U+FFFD, and answered so.
      const after = await tx.users.updateHeld(before, { company: 'Piped Inc', phone: '+1 \ud800', timeZoneOffset: -5.5, cellCarrier: 'Verizon', lockedUntil: null, passwordHash: 'another' }, new Date().toISOString());
      await tx.audit.insert(event('piped-user'));
      return after;
    });
    expect(roundTrips()).toBe(2);
    expect(answered).toEqual(await store.users.findById(user.userId));
    expect(answered).toMatchObject({ company: 'Piped Inc', phone: '+1 \ufffd', timeZoneOffset: -5.5, cellCarrier: 'Verizon', version: user.version + 1 });
    expect(answered).not.toHaveProperty('passwordHash');
    expect(await store.users.findPasswordHash(user.userId)).toBe('another');
  });

  it('takes two where a revocation is counted into the event (a termination: the user held, its sessions ended, its keys revoked and counted)', async () => {
    const { user, created, end } = await networkUser('ended', 'not-a-hash');
    await store.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await tx.keys.insert({ userId: user.userId, keyHash: `${n}`.repeat(64), hint: `k${n}`, visibility: 'Private', isPrimary: false, ciphertext: null, created, expiresAt: null });
      for (const n of [1, 2]) await tx.sessions.insert({ sessionId: `ended-${n}`, userId: user.userId, refreshHash: `${n}`.repeat(64), created, expiresAt: end });
    });
    // One key revoked before: not counted again.
    await store.keys.revoke((await store.keys.listLive(user.userId))[0]!.keyId, created);

    const roundTrips = wire.count();
    await store.transaction(async (tx) => {
      const before = (await tx.users.findByIdForUpdate(user.userId))!;
      const at = new Date().toISOString();
      await tx.users.updateHeld(before, { status: 'Terminated' }, at);
      await tx.sessions.endAllOfUser(user.userId, at);
      await tx.audit.insertCounting({ ...event('terminated'), targetType: 'user', targetId: user.userId, changes: { status: { old: 'Active', new: 'Terminated' } } }, 'keysRevoked', { keysOf: user.userId, at });
    });
    // BEGIN + SELECT … FOR UPDATE | UPDATE users + UPDATE sessions + (UPDATE api_keys with INSERT audit) + COMMIT.
    expect(roundTrips()).toBe(2);
    const [terminated] = await eventsOf('terminated', { targetType: 'user', targetId: user.userId });
    expect(terminated?.changes).toEqual({ status: { old: 'Active', new: 'Terminated' }, keysRevoked: { old: 0, new: 2 } });
    expect(await store.keys.listLive(user.userId)).toEqual([]);
    expect(await store.sessions.countOpen(user.userId, new Date().toISOString())).toBe(0);
    expect((await store.users.findById(user.userId))?.status).toBe('Terminated');
  });

  it('takes two for a password change: the held row with its hash in one read, the other sessions ended and counted, the asking one kept', async () => {
    const { user, created, end } = await networkUser('changer', 'old-hash');
    await store.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await tx.sessions.insert({ sessionId: `changer-${n}`, userId: user.userId, refreshHash: `${n}`.repeat(64), created, expiresAt: end });
    });
    const roundTrips = wire.count();
    const heldHash = await store.transaction(async (tx) => {
      const held = (await tx.users.findForSignIn(user.userId, true))!;
      const at = new Date().toISOString();
      await tx.users.updateHeld(held.user, { passwordHash: 'new-hash' }, at);
      await tx.audit.insertCounting({ ...event('changed'), targetType: 'user', targetId: user.userId, changes: {} }, 'sessionsRevoked', { sessionsOf: user.userId, keep: 'changer-2', at });
      return held.passwordHash;
    });
    expect(roundTrips()).toBe(2);
    expect(heldHash).toBe('old-hash');
    expect(await store.users.findPasswordHash(user.userId)).toBe('new-hash');
    const [changed] = await eventsOf('changed', { targetType: 'user', targetId: user.userId });
    expect(changed?.changes).toEqual({ sessionsRevoked: { old: 0, new: 2 } });
    expect(await store.sessions.countOpen(user.userId, new Date().toISOString())).toBe(1);
    expect((await store.sessions.findCredential('changer-2'))?.revokedAt ?? null).toBeNull();
  });

  it('an audit event that fails fails its transaction with its own error, and nothing of it is stored', async () => {
    // An event no column can take: the action is NOT NULL.
    const broken = { ...event('broken'), action: null } as unknown as NewAuditEvent;
    await expect(rename('Lost', broken)).rejects.toMatchObject({ code: '23502', column: 'action' });
    expect((await store.networks.findById(networkId))?.companyName).toBe('Renamed');
    // The connection is whole after it: the next transaction commits.
    await rename('Again', event('again'));
    expect((await store.networks.findById(networkId))?.companyName).toBe('Again');
    expect(await eventsOf('again')).toHaveLength(1);
  });

  it('a statement sent early that pg itself cannot send (a value it cannot write) undoes the transaction instead of committing the rest', async () => {
    const before = (await store.networks.findById(networkId))!;
    const unsendable = { toPostgres: () => { throw new Error('no wire form for this value'); } } as unknown as string;
    await expect(
      store.transaction(async (tx) => {
        const held = await tx.networks.findByIdForUpdate(networkId);
        await tx.networks.updateHeld(held!, { companyName: unsendable }, new Date().toISOString());
        await tx.audit.insert(event('unsendable'));
      }),
    ).rejects.toThrow('no wire form for this value');
    // The audit event went out and would have been committed without the UPDATE.
    expect(await eventsOf('unsendable')).toHaveLength(0);
    expect(await store.networks.findById(networkId)).toEqual(before);
    await rename('After', event('after-unsendable'));
    expect((await store.networks.findById(networkId))?.companyName).toBe('After');
  });

  it('outside a transaction an audit event is awaited as any statement: there when the call returns, its error thrown by the call', async () => {
    const roundTrips = wire.count();
    await store.audit.insert(event('alone'));
    expect(roundTrips()).toBe(1);
    expect(await eventsOf('alone')).toHaveLength(1);
    await expect(store.audit.insert({ ...event('alone-broken'), action: null } as unknown as NewAuditEvent)).rejects.toMatchObject({ code: '23502' });
  });
});
