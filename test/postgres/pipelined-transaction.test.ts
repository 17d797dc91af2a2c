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
import { Socket, createConnection, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../src/domain/types.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

/** What the relay holds each answer back: far longer than the store takes to send what follows a statement it does not wait for. */
const ANSWER_DELAY_MS = 15;

/** A relay to PostgreSQL counting round trips: writes of the store after an answer reached it begin a new one. */
function relay(target: { host: string; port: number }) {
  let roundTrips = 0;
  let answered = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (answered) roundTrips++;
      answered = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) =>
      setTimeout(() => {
        answered = true;
        client.write(chunk);
      }, ANSWER_DELAY_MS),
    );
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    /** Round trips from now on. */
    count: () => {
      const from = roundTrips;
      return () => roundTrips - from;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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
let wire: ReturnType<typeof relay>;
let store: Store;
let networkId: number;
let relayPort: number;

beforeAll(async () => {
  database = await freshDatabase();
  const url = new URL(database.databaseUrl!);
  wire = relay({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  relayPort = await wire.listen();
  url.port = String(relayPort);
  // One connection: every statement of the test on the connection the relay watches.
  store = openStore({ databaseUrl: url.toString(), sqliteFile: '', poolSize: 1 });
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
