/**
 * PUT /v2/users — the seed — over HTTP: the documented example, every
 * semantic rule of API.md §3, permissions, status extension, atomicity.
 */
import { describe, expect, it } from 'vitest';
import { Api, expectError, expectOk } from '../support/http.js';
import { createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import type { UserIDInfo } from '../../src/contract/users.js';
import { SEED_REQUEST, SEED_RESPONSE } from '../support/seed-page.js';

let server: TestServer;
let world: World;
let api: Api;
useWorldServer((s, w) => ((server = s), (world = w), (api = s.api)));

describe('the seed example', () => {
  it("answers the seed's request with the seed's response, fields in the documented order", async () => {
    const reply = await api.put<UserIDInfo>('/v2/users', SEED_REQUEST);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.body).toMatchObject({ ...SEED_RESPONSE, errorCode: '', message: '' });
    expect(Object.keys(reply.body.data).slice(0, 10)).toEqual(Object.keys(SEED_RESPONSE.data));
    const stored = await server.store.users.findById(1042);
    expect(stored).toMatchObject({ email: 'john.smith@example.com', firstName: 'John', lastName: 'Smith' });
  });

  it('is idempotent: the same request again returns the same object', async () => {
    const again = expectOk(await api.put<UserIDInfo>('/v2/users', SEED_REQUEST));
    expect(again).toMatchObject(SEED_RESPONSE.data);
  });

  it('the response is the row as stored (read back), with modified stamped', async () => {
    const before = await server.store.users.findById(world.mbUserA1.user.userId);
    const data = expectOk(await api.put<UserIDInfo>('/v2/users', { userId: world.mbUserA1.user.userId, firstName: 'Stored' }));
    const after = (await server.store.users.findById(world.mbUserA1.user.userId))!;
    expect(after.firstName).toBe('Stored');
    expect(after.version).toBe(before!.version + 1);
    expect(data.firstName).toBe(after.firstName);
    expect(data.modified).toBe(`${after.modified.slice(0, 19)}Z`);
  });
});

describe('field semantics', () => {
  it('absent and null leave fields unchanged; "" clears a name', async () => {
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const cleared = expectOk(await api.put<UserIDInfo>('/v2/users', { userId: user.userId, firstName: '', lastName: null, email: null }));
    expect(cleared).toMatchObject({ firstName: '', lastName: user.lastName, email: user.email });
    const stored = await server.store.users.findById(user.userId);
    expect(stored).toMatchObject({ firstName: '', lastName: user.lastName, email: user.email });
  });

  it('trims strings before validation and storage', async () => {
    const data = expectOk(await api.put<UserIDInfo>('/v2/users', { userId: world.mbUserA1b.user.userId, email: '  Trim.Me@Example.com ', lastName: '  Spaces  ' }));
    expect(data).toMatchObject({ email: 'Trim.Me@Example.com', lastName: 'Spaces' });
  });

  it.each([
    ['no at sign', 'john.example.com'],
    ['two at signs', 'a@b@example.com'],
    ['undotted domain', 'john@localhost'],
    ['empty', ''],
    ['space inside', 'jo hn@example.com'],
    ['too long', `${'a'.repeat(64)}@${'b'.repeat(190)}.com`, 'email: must be at most 254 characters'],
  ])('rejects an invalid email (%s) naming the field, and changes nothing', async (_label, email, message = 'email: must be a valid email address') => {
    const before = await server.store.users.findById(1043);
    const reply = await api.put('/v2/users', { userId: 1043, email, firstName: 'Changed' });
    expectError(reply, 400, 'InvalidParameter', 'email');
    expect(reply.body.message).toBe(message);
    expect(await server.store.users.findById(1043)).toEqual(before);
  });

  it('requires userId', async () => {
    const reply = await api.put('/v2/users', { email: 'x@example.com' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(reply.body.message).toBe('userId: is required');
  });

  it.each([
    [0, 'userId: must be at least 1'],
    [-5, 'userId: must be at least 1'],
    [2147483648, 'userId: must be at most 2147483647'],
    [1.5, 'userId: must be an integer'],
    ['abc', 'userId: must be an integer'],
    [true, 'userId: must be an integer'],
  ])('rejects userId %j', async (userId, message) => {
    const reply = await api.put('/v2/users', { userId });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(reply.body.message).toBe(message);
  });

  it('rejects non-string names', async () => {
    expectError(await api.put('/v2/users', { userId: 1043, firstName: 42 }), 400, 'InvalidParameter', 'firstName');
    expectError(await api.put('/v2/users', { userId: 1043, lastName: { a: 1 } }), 400, 'InvalidParameter', 'lastName');
  });

  it('rejects names over 128 characters', async () => {
    const reply = await api.put('/v2/users', { userId: 1043, firstName: 'x'.repeat(129) });
    expectError(reply, 400, 'InvalidParameter', 'firstName');
  });

  it('answers 404 ObjectNotFound for a user that does not exist', async () => {
    const reply = await api.put('/v2/users', { userId: 999999, firstName: 'Ghost' });
    expectError(reply, 404, 'ObjectNotFound');
  });

  it('accepts the C# client shape: every optional sent, unset ones null, PascalCase names', async () => {
    const data = expectOk(
      await api.put<UserIDInfo>('/v2/users', { UserId: '1043', Email: null, FirstName: 'Alice', LastName: null, Status: null }),
    );
    expect(data).toMatchObject({ userId: 1043, firstName: 'Alice', lastName: 'Jones', status: 'Active' });
  });
});

describe('permissions', () => {
  const update = (key: string, userId: number, body: object = { firstName: 'Perm' }) =>
    api.as(key).put<UserIDInfo>('/v2/users', { userId, ...body });

  it('any active user may update its own email and name', async () => {
    for (const who of [world.netUserA, world.mbUserA1, world.mbAdminA1]) {
      const data = expectOk(await update(who.key, who.user.userId, { lastName: 'Self' }));
      expect(data.lastName).toBe('Self');
    }
  });

  it('an admin updates an in-scope user of lower level', async () => {
    expectOk(await update(world.mbAdminA1.key, world.mbUserA1.user.userId));
    expectOk(await update(world.netAdminA.key, world.mbAdminA1.user.userId));
    expectOk(await update(world.techOps.key, world.netAdminB.user.userId));
  });

  it('403 for an in-scope user of equal or higher level, or a non-admin caller', async () => {
    expectError(await update(world.mbUserA1.key, world.mbUserA1b.user.userId), 403, 'AccessDenied');
    const peerAdmin = await createUser(server, { authLevel: 'MailboxAdmin', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expectError(await update(world.mbAdminA1.key, peerAdmin.user.userId), 403, 'AccessDenied');
    expectError(await update(world.netUserA.key, world.mbUserA1.user.userId), 403, 'AccessDenied');
    const other = await createUser(server, { authLevel: 'NetworkAdmin', networkId: world.netA.networkId, mailboxId: 0 });
    expectError(await update(world.netAdminA.key, other.user.userId), 403, 'AccessDenied');
  });

  it('404 for an out-of-scope user, with the same message as a missing one, and nothing changes', async () => {
    const before = await server.store.users.findById(world.mbUserB1.user.userId);
    const outOfScope = await update(world.netAdminA.key, world.mbUserB1.user.userId);
    expectError(outOfScope, 404, 'ObjectNotFound');
    const missing = await update(world.netAdminA.key, 987654);
    expect(outOfScope.body.message.replace(String(world.mbUserB1.user.userId), 'N')).toBe(missing.body.message.replace('987654', 'N'));
    expect(await server.store.users.findById(world.mbUserB1.user.userId)).toEqual(before);
    expectError(await update(world.mbAdminA1.key, world.mbUserA2.user.userId), 404, 'ObjectNotFound');
    // Network-level users (mailbox 0) are outside a mailbox-scoped caller's scope.
    expectError(await update(world.mbAdminA1.key, world.netAdminA.user.userId), 404, 'ObjectNotFound');
  });
});

describe('status extension (Active ↔ Suspended)', () => {
  it('an admin suspends a user: its key answers 401 until reactivated, and keeps working after', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expectOk(await api.as(target.key).get('/v2/users/me'));
    const suspended = expectOk(await api.as(world.mbAdminA1.key).put<UserIDInfo>('/v2/users', { userId: target.user.userId, status: 'suspended' }));
    expect(suspended.status).toBe('Suspended');
    expectError(await api.as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    const active = expectOk(await api.as(world.mbAdminA1.key).put<UserIDInfo>('/v2/users', { userId: target.user.userId, status: 'ACTIVE' }));
    expect(active.status).toBe('Active');
    expectOk(await api.as(target.key).get('/v2/users/me'));
  });

  it('only Active and Suspended are accepted', async () => {
    const reply = await api.put('/v2/users', { userId: 1043, status: 'Terminated' });
    expectError(reply, 400, 'InvalidParameter', 'status');
    expect(reply.body.message).toBe('status: must be one of Active, Suspended');
    expectError(await api.put('/v2/users', { userId: 1043, status: 1 }), 400, 'InvalidParameter', 'status');
  });

  it('nobody changes its own status (403), but sending the current status back is no change', async () => {
    const me = world.mbAdminA1;
    expectError(await api.as(me.key).put('/v2/users', { userId: me.user.userId, status: 'Suspended' }), 403, 'AccessDenied');
    expectOk(await api.as(me.key).put('/v2/users', { userId: me.user.userId, status: 'Active', firstName: 'Round' }));
  });

  it('a status change needs an admin that outranks the target', async () => {
    expectError(await api.as(world.netUserA.key).put('/v2/users', { userId: world.mbUserA1.user.userId, status: 'Suspended' }), 403, 'AccessDenied');
  });

  it('two Roots suspending each other at once leave one active Root (last-Root rule under a race)', async () => {
    const r1 = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
    const r2 = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
    // Leave only these two active: suspend the bootstrap root through the store.
    const rootId = (await server.store.users.findByLogin('root', { kind: 'system' }))[0]!.userId;
    await server.store.transaction((tx) => tx.users.update(rootId, { status: 'Suspended' }, new Date().toISOString()));
    try {
      const [a, b] = await Promise.all([
        api.as(r1.key).put('/v2/users', { userId: r2.user.userId, status: 'Suspended' }),
        api.as(r2.key).put('/v2/users', { userId: r1.user.userId, status: 'Suspended' }),
      ]);
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
      const loser = a.status === 200 ? b : a;
      expect([400, 401]).toContain(loser.status);
      expect(await server.store.users.countActiveRoots()).toBe(1);
    } finally {
      await server.store.transaction(async (tx) => {
        for (const id of [rootId, r1.user.userId, r2.user.userId]) await tx.users.update(id, { status: 'Active' }, new Date().toISOString());
      });
    }
  });

  it('a Root may suspend another Root (Roots outrank Roots)', async () => {
    const other = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
    expect(expectOk(await api.put<UserIDInfo>('/v2/users', { userId: other.user.userId, status: 'Suspended' })).status).toBe('Suspended');
    expectError(await api.as(other.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
  });
});

describe('terminated users', () => {
  it('a Terminated user cannot be updated (400), and nothing changes', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expectOk(await api.delete(`/v2/users/${target.user.userId}`));
    const before = await server.store.users.findById(target.user.userId);
    const reply = await api.put('/v2/users', { userId: target.user.userId, firstName: 'Zombie' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(await server.store.users.findById(target.user.userId)).toEqual(before);
    expectError(await api.put('/v2/users', { userId: target.user.userId, status: 'Active' }), 400, 'InvalidParameter', 'userId');
  });
});

describe('audit', () => {
  it('writes one event with old and new values of the changed fields only', async () => {
    const target = world.mbUserA2.user;
    expectOk(await api.as(world.netAdminA.key).put('/v2/users', { userId: target.userId, email: 'audited@example.com', lastName: target.lastName }));
    const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: target.userId }, { pageNo: 1, recordsPerPage: 5 });
    expect(events[0]).toMatchObject({
      action: 'user.update',
      actorUserId: world.netAdminA.user.userId,
      targetId: target.userId,
      targetNetworkId: world.netA.networkId,
      changes: { email: { old: target.email, new: 'audited@example.com' } },
    });
    expect(Object.keys(events[0]!.changes)).toEqual(['email']);
    expect(events[0]!.requestId).not.toBe('');
  });
});

describe('optimistic concurrency (extension: ETag / If-Match)', () => {
  it('GET returns an ETag; PUT with a matching If-Match succeeds and returns the new tag', async () => {
    const target = world.mbUserA1b.user.userId;
    const got = await api.get(`/v2/users/${target}`);
    const etag = got.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+\.\d+"$/);
    const put = await api.put<UserIDInfo>('/v2/users', { userId: target, firstName: 'Tagged' }, { headers: { 'If-Match': etag } });
    expectOk(put);
    expect(put.headers.get('etag')).not.toBe(etag);
    expect((await api.get(`/v2/users/${target}`)).headers.get('etag')).toBe(put.headers.get('etag'));
  });

  it('answers 412 (envelope, InvalidParameter) when the user changed meanwhile, and changes nothing', async () => {
    const target = world.mbUserA1b.user.userId;
    const stale = (await api.get(`/v2/users/${target}`)).headers.get('etag')!;
    expectOk(await api.put('/v2/users', { userId: target, lastName: 'Meanwhile' }));
    const before = await server.store.users.findById(target);
    const reply = await api.put('/v2/users', { userId: target, lastName: 'Lost update' }, { headers: { 'If-Match': stale } });
    expectError(reply, 412, 'InvalidParameter', 'If-Match');
    expect(await server.store.users.findById(target)).toEqual(before);
  });

  it('If-Match: * matches any existing user; without If-Match behaviour is unchanged', async () => {
    expectOk(await api.put('/v2/users', { userId: 1043, firstName: 'Star' }, { headers: { 'If-Match': '*' } }));
    expectOk(await api.put('/v2/users', { userId: 1043, firstName: 'NoHeader' }));
  });

  it('a 412 never reveals an out-of-scope user: 404 comes first', async () => {
    const reply = await api.as(world.netAdminA.key).put('/v2/users', { userId: world.mbUserB1.user.userId, firstName: 'x' }, { headers: { 'If-Match': '"0.0"' } });
    expectError(reply, 404, 'ObjectNotFound');
  });
});
