/**
 * The guarded update of PUT /v2/users (Store.updateUserGuarded), on each
 * dialect: written only while the row is at the version decided on, with its
 * audit event (and for a suspension the end of the user's sessions) all or
 * nothing; and over HTTP, concurrent PUTs of one user each land once, in a
 * chain of versions the audit log replays exactly. Also the guarded insert of
 * POST /v2/users (Store.insertUserGuarded): the user and its audit event, whose
 * target is the new user, only while the destination has the statuses the
 * placement was decided on, all or nothing. (Creates into live, suspended,
 * terminated and missing destinations over HTTP: test/routes/users.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { NewAuditEvent, User } from '../../src/domain/types.js';
import type { Store } from '../../src/store/store.js';
import type { NewUser } from '../../src/store/queries/users.js';
import type { DestinationRows } from '../../src/store/queries/tenancy.js';
import { rawQuery } from '../support/raw-query.js';
import { createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { expectOk } from '../support/http.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let store: Store;
let world: World;
useWorldServer((s, w) => ((server = s), (store = s.store), (world = w)), {});

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

describe('Store.updateUserGuarded, several asked in one turn (on PostgreSQL one statement per shape)', () => {
  const aUser = async () =>
    (await store.users.findById((await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId })).user.userId))!;
  const change = (user: User, firstName: string, version = user.version) => ({
    userId: user.userId, version, patch: { firstName, email: `${firstName.toLowerCase()}@example.com` }, modified: now(),
    event: eventFor(user, firstName), revokeSessions: false,
  });

  it('each change is written with its own event; one at a stale version, and a second of a user already changed, write nothing', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(aUser));
    const [a, b, c, d] = users as [User, User, User, User];
    const results = await Promise.all([
      store.updateUserGuarded(change(c, 'TurnC')),
      store.updateUserGuarded(change(a, 'TurnA')),
      store.updateUserGuarded(change(b, 'TurnStale', b.version - 1)),
      store.updateUserGuarded(change(d, 'TurnD')),
      store.updateUserGuarded(change(a, 'TurnAgain')),
    ]);
    // Each answer is its own change's user (not another's of the same statement), as stored.
    expect(results.map((user) => user && [user.userId, user.firstName, user.email, user.version])).toEqual([
      [c.userId, 'TurnC', 'turnc@example.com', c.version + 1],
      [a.userId, 'TurnA', 'turna@example.com', a.version + 1],
      null,
      [d.userId, 'TurnD', 'turnd@example.com', d.version + 1],
      null,
    ]);
    for (const user of results.filter((user) => user !== null)) expect(await store.users.findById(user.userId)).toEqual(user);
    expect(await store.users.findById(b.userId)).toEqual(b);
    for (const [user, name] of [[a, 'TurnA'], [c, 'TurnC'], [d, 'TurnD']] as const) {
      const events = await eventsOf(user.userId, `req-${name}`);
      expect(events.map((event) => JSON.parse(String(event.changes)))).toEqual([{ firstName: { old: user.firstName, new: name } }]);
    }
    expect(await eventsOf(b.userId, 'req-TurnStale')).toHaveLength(0);
    expect(await eventsOf(a.userId, 'req-TurnAgain')).toHaveLength(0);
  });

  it('a change the database refuses fails alone: the others of its turn are written, it writes nothing', async () => {
    const [a, b, c] = (await Promise.all([1, 2, 3].map(aUser))) as [User, User, User];
    // PostgreSQL's text holds no NUL character: its statement fails, and with it a statement it shared (SQLite stores it).
    const refused = { ...change(b, 'TurnRefused'), patch: { firstName: 'Nul\u0000', email: 'nul@example.com' } };
    const results = await Promise.allSettled([
      store.updateUserGuarded(change(a, 'TurnOk1')),
      store.updateUserGuarded(refused),
      store.updateUserGuarded(change(c, 'TurnOk2')),
    ]);
    expect(results.map((result) => result.status === 'fulfilled' && result.value?.firstName)).toEqual([
      'TurnOk1', store.dialectName === 'postgres' ? false : 'Nul\u0000', 'TurnOk2',
    ]);
    expect((await eventsOf(a.userId, 'req-TurnOk1')).length + (await eventsOf(c.userId, 'req-TurnOk2')).length).toBe(2);
    if (store.dialectName === 'postgres') {
      expect(await store.users.findById(b.userId)).toEqual(b);
      expect(await eventsOf(b.userId, 'req-TurnRefused')).toHaveLength(0);
    }
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

let serial = 0;
function newUser(networkId: number, mailboxId: number): NewUser {
  serial++;
  return {
    login: `guarded${serial}`, email: `guarded${serial}@example.com`, firstName: 'G', lastName: `N${serial}`, networkId, mailboxId,
    authLevel: mailboxId > 0 ? 'MailboxUser' : 'NetworkUser', status: 'Active', passwordHash: 'x', created: new Date().toISOString(),
  };
}

function eventOf(user: NewUser): Omit<NewAuditEvent, 'targetId'> {
  return {
    at: user.created, actorUserId: 0, action: 'user.create', targetType: 'user', targetNetworkId: user.networkId, targetMailboxId: user.mailboxId,
    changes: { login: { old: null, new: user.login } }, requestId: `req-${user.login}`, clientIp: '127.0.0.1',
  };
}

async function stored(login: string) {
  const users = await rawQuery(server.database, 'select user_id from users where login = $1', [login]);
  const events = await rawQuery(server.database, 'select target_id, changes from audit_events where request_id = $1', [`req-${login}`]);
  return { users: users.map((row) => Number(row.user_id)), events: events.map((row) => ({ target: Number(row.target_id), changes: JSON.parse(String(row.changes)) })) };
}

/** The destination of (networkId, mailboxId) as read now, as the service reads it before a create. */
async function destinationOf(networkId: number, mailboxId: number): Promise<DestinationRows> {
  return (await store.mailboxes.findDestination(networkId, mailboxId))!;
}

describe('Store.insertUserGuarded', () => {
  it('with the destination as read: inserts the user and its event, whose target is the new user', async () => {
    const cases = [
      newUser(world.netA.networkId, world.mbA1.mailboxId),
      newUser(world.netA.networkId, 0),
    ];
    for (const user of cases) {
      const destination = await destinationOf(user.networkId, user.mailboxId);
      const inserted = await store.insertUserGuarded({ user, event: eventOf(user), destination });
      expect(inserted).toMatchObject({ login: user.login, networkId: user.networkId, mailboxId: user.mailboxId, status: 'Active', version: 1 });
      expect(await store.users.findById(inserted!.userId)).toEqual(inserted);
      expect(await stored(user.login)).toEqual({ users: [inserted!.userId], events: [{ target: inserted!.userId, changes: { login: { old: null, new: user.login } } }] });
    }
    // No destination (a user of no network): inserted as is.
    const system = { ...newUser(0, 0), authLevel: 'TechOps' as const };
    const inserted = await store.insertUserGuarded({ user: system, event: eventOf(system), destination: null });
    expect(await stored(system.login)).toEqual({ users: [inserted!.userId], events: [{ target: inserted!.userId, changes: { login: { old: null, new: system.login } } }] });
  });

  it('when the destination is no longer as read (a status changed, or it is gone): writes nothing and answers null', async () => {
    const { network, mailbox } = await destinationOf(world.netA.networkId, world.mbA1.mailboxId);
    const stale: DestinationRows[] = [
      { network: { ...network, status: 'Suspended' }, mailbox },
      { network, mailbox: { ...mailbox!, status: 'Suspended' } },
      { network: { ...network, status: 'Suspended' }, mailbox: null },
      { network: { ...network, networkId: 2_000_000_000 }, mailbox: null },
    ];
    for (const destination of stale) {
      const user = newUser(destination.network.networkId, destination.mailbox?.mailboxId ?? 0);
      expect(await store.insertUserGuarded({ user, event: eventOf(user), destination })).toBeNull();
      expect(await stored(user.login)).toEqual({ users: [], events: [] });
    }
  });

  it('a login taken in the network fails as the INSERT does, and writes no event', async () => {
    const first = newUser(world.netA.networkId, world.mbA1.mailboxId);
    const destination = await destinationOf(first.networkId, first.mailboxId);
    await store.insertUserGuarded({ user: first, event: eventOf(first), destination });
    const again = { ...first, login: first.login.toUpperCase(), email: 'other@example.com' };
    await expect(store.insertUserGuarded({ user: again, event: { ...eventOf(first), requestId: 'req-again' }, destination })).rejects.toMatchObject({
      constraint: 'users_login_unique',
    });
    expect(Number((await rawQuery(server.database, `select count(*) as n from audit_events where request_id = 'req-again'`))[0]!.n)).toBe(0);
  });
});
