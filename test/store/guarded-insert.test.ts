/**
 * The guarded insert of POST /v2/users (Store.insertUserGuarded), on each
 * dialect: the user and its audit event are written only while the
 * destination has the statuses the placement was decided on, all or nothing;
 * the event's target is the new user. (Creates into live, suspended, terminated
 * and missing destinations over HTTP: test/routes/users.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../src/domain/types.js';
import type { Status } from '../../src/domain/statuses.js';
import type { NewUser } from '../../src/store/queries/users.js';
import { rawQuery } from '../support/raw-query.js';
import { createWorld, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server);
});
afterAll(() => server?.close());

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

const active = { networkStatus: 'Active' as Status, mailboxStatus: 'Active' as Status };

describe('Store.insertUserGuarded', () => {
  it('with the destination as read: inserts the user and its event, whose target is the new user', async () => {
    const cases = [
      newUser(world.netA.networkId, world.mbA1.mailboxId),
      newUser(world.netA.networkId, 0),
    ];
    for (const user of cases) {
      const destination = { networkId: user.networkId, networkStatus: active.networkStatus, mailboxId: user.mailboxId, mailboxStatus: user.mailboxId > 0 ? active.mailboxStatus : null };
      const inserted = await server.store.insertUserGuarded({ user, event: eventOf(user), destination });
      expect(inserted).toMatchObject({ login: user.login, networkId: user.networkId, mailboxId: user.mailboxId, status: 'Active', version: 1 });
      expect(await server.store.users.findById(inserted!.userId)).toEqual(inserted);
      expect(await stored(user.login)).toEqual({ users: [inserted!.userId], events: [{ target: inserted!.userId, changes: { login: { old: null, new: user.login } } }] });
    }
    // No destination (a user of no network): inserted as is.
    const system = { ...newUser(0, 0), authLevel: 'TechOps' as const };
    const inserted = await server.store.insertUserGuarded({ user: system, event: eventOf(system), destination: null });
    expect(await stored(system.login)).toEqual({ users: [inserted!.userId], events: [{ target: inserted!.userId, changes: { login: { old: null, new: system.login } } }] });
  });

  it('when the destination is no longer as read (a status changed, or it is gone): writes nothing and answers null', async () => {
    const { netA, mbA1 } = world;
    const stale = [
      { networkId: netA.networkId, networkStatus: 'Suspended' as Status, mailboxId: mbA1.mailboxId, mailboxStatus: 'Active' as Status },
      { networkId: netA.networkId, networkStatus: 'Active' as Status, mailboxId: mbA1.mailboxId, mailboxStatus: 'Suspended' as Status },
      { networkId: netA.networkId, networkStatus: 'Suspended' as Status, mailboxId: 0, mailboxStatus: null },
      { networkId: 2_000_000_000, networkStatus: 'Active' as Status, mailboxId: 0, mailboxStatus: null },
    ];
    for (const destination of stale) {
      const user = newUser(destination.networkId, destination.mailboxId);
      expect(await server.store.insertUserGuarded({ user, event: eventOf(user), destination })).toBeNull();
      expect(await stored(user.login)).toEqual({ users: [], events: [] });
    }
  });

  it('a login taken in the network fails as the INSERT does, and writes no event', async () => {
    const first = newUser(world.netA.networkId, world.mbA1.mailboxId);
    const destination = { networkId: first.networkId, ...active, mailboxId: first.mailboxId };
    await server.store.insertUserGuarded({ user: first, event: eventOf(first), destination });
    const again = { ...first, login: first.login.toUpperCase(), email: 'other@example.com' };
    await expect(server.store.insertUserGuarded({ user: again, event: { ...eventOf(first), requestId: 'req-again' }, destination })).rejects.toMatchObject({
      constraint: 'users_login_unique',
    });
    expect(Number((await rawQuery(server.database, `select count(*) as n from audit_events where request_id = 'req-again'`))[0]!.n)).toBe(0);
  });
});
