/**
 * The guarded update of PUT /v2/users (Store.updateUserGuarded), on each
 * dialect: written only while the row is at the version decided on, with its
 * audit event (and for a suspension the end of the user's sessions) all or
 * nothing; and over HTTP, concurrent PUTs of one user each land once, in a
 * chain of versions the audit log replays exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAuditEvent, User } from '../../src/domain/types.js';
import type { Store } from '../../src/store/store.js';
import { rawQuery } from '../support/raw-query.js';
import { createUser, createWorld, startTestServer, type TestServer } from '../support/server.js';
import { expectOk } from '../support/http.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let store: Store;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  server = await startTestServer();
  store = server.store;
  world = await createWorld(server);
});
afterAll(() => server?.close());

const now = () => new Date().toISOString();

function eventFor(user: User, firstName: string): NewAuditEvent {
  return {
    at: now(), actorUserId: 0, action: 'user.update', targetType: 'user', targetId: user.userId,
    targetNetworkId: user.networkId, targetMailboxId: user.mailboxId,
    changes: { firstName: { old: user.firstName, new: firstName } }, requestId: `req-${firstName}`, clientIp: '127.0.0.1',
  };
}

async function eventsOf(userId: number, requestId: string) {
  return rawQuery(server.database, `select action, changes from audit_events where target_type = 'user' and target_id = ${userId} and request_id = '${requestId}'`);
}

async function liveSessions(userId: number): Promise<number> {
  const rows = await rawQuery(server.database, `select count(*) as n from sessions where user_id = ${userId} and revoked_at is null`);
  return Number(rows[0]!.n);
}

describe('Store.updateUserGuarded', () => {
  it('at the version read: writes the patch, bumps the version and stores the audit event', async () => {
    const { user: target } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const before = (await store.users.findById(target.userId))!;
    const modified = now();
    const after = await store.updateUserGuarded({
      userId: before.userId, version: before.version, patch: { firstName: 'Guarded' }, modified,
      event: eventFor(before, 'Guarded'), revokeSessions: false,
    });
    expect(after).toMatchObject({ userId: before.userId, firstName: 'Guarded', version: before.version + 1, lastName: before.lastName });
    expect(await store.users.findById(before.userId)).toEqual(after);
    const events = await eventsOf(before.userId, 'req-Guarded');
    expect(events).toHaveLength(1);
    expect(JSON.parse(String(events[0]!.changes))).toEqual({ firstName: { old: before.firstName, new: 'Guarded' } });
  });

  it('at a stale version: writes nothing — neither the row, nor the event, nor the end of sessions', async () => {
    const { user: target } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const before = (await store.users.findById(target.userId))!;
    await store.sessions.insert({ sessionId: `s-stale-${before.userId}`, userId: before.userId, refreshHash: 'a'.repeat(64), created: now(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const result = await store.updateUserGuarded({
      userId: before.userId, version: before.version - 1, patch: { status: 'Suspended' }, modified: now(),
      event: eventFor(before, 'Stale'), revokeSessions: true,
    });
    expect(result).toBeNull();
    expect(await store.users.findById(before.userId)).toEqual(before);
    expect(await eventsOf(before.userId, 'req-Stale')).toHaveLength(0);
    expect(await liveSessions(before.userId)).toBe(1);
  });

  it('a suspension at the version read ends every live session of the user in the same write', async () => {
    const { user: target } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const before = (await store.users.findById(target.userId))!;
    for (const n of [1, 2]) {
      await store.sessions.insert({ sessionId: `s-${n}-${before.userId}`, userId: before.userId, refreshHash: String(n).repeat(64), created: now(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    }
    const after = await store.updateUserGuarded({
      userId: before.userId, version: before.version, patch: { status: 'Suspended' }, modified: now(),
      event: eventFor(before, 'Suspend'), revokeSessions: true,
    });
    expect(after?.status).toBe('Suspended');
    expect(await liveSessions(before.userId)).toBe(0);
    expect(await eventsOf(before.userId, 'req-Suspend')).toHaveLength(1);
  });
});

describe('PUT /v2/users under contention', () => {
  it('40 concurrent PUTs of one user all answer 200 and each lands once, in one chain of versions', async () => {
    const { user: target } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const before = (await store.users.findById(target.userId))!;
    const names = Array.from({ length: 40 }, (_, i) => `Racer${i}`);
    const replies = await Promise.all(names.map((firstName) => server.api.put<UserIDInfo>('/v2/users', { userId: target.userId, firstName })));
    for (const reply of replies) expectOk(reply);
    const final = (await store.users.findById(target.userId))!;
    expect(final.version).toBe(before.version + names.length);
    // Every change is in the log once, and each one's old value is the new value of the one before it.
    const rows = await rawQuery(server.database, `select changes from audit_events where target_type = 'user' and target_id = ${target.userId} and action = 'user.update' order by event_id`);
    const changes = rows.map((row) => JSON.parse(String(row.changes)).firstName as { old: string; new: string });
    expect(changes).toHaveLength(names.length);
    expect(new Set(changes.map((c) => c.new))).toEqual(new Set(names));
    expect(changes[0]!.old).toBe(before.firstName);
    for (let i = 1; i < changes.length; i++) expect(changes[i]!.old).toBe(changes[i - 1]!.new);
    expect(changes.at(-1)!.new).toBe(final.firstName);
  });
});
