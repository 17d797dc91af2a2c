/**
 * The neighbours of the seed: get, me, create, list, by-name, terminate, and
 * the primary-key pair, over HTTP on a real port.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { addFailingTrigger, dropFailingTrigger } from '../support/raw-sql.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;

describe('GET /v2/users/{id} and /v2/users/me', () => {
  it('returns the demo user 1042 with the documented fields', async () => {
    const user = expectOk(await api().get<UserIDInfo>('/v2/users/1042'));
    expect(user).toMatchObject({ userId: 1042, login: 'jsmith', networkId: 1, mailboxId: 101, authLevel: 'MailboxAdmin', created: '2024-03-15T10:22:00Z', cellPhone: '3125550142', cellCarrier: 'Verizon', lockedOut: false, lastLogin: null });
  });

  it('me is the caller', async () => {
    const me = expectOk(await api().as(world.mbUserA1.key).get<UserIDInfo>('/v2/users/me'));
    expect(me.userId).toBe(world.mbUserA1.user.userId);
  });

  it('in scope: 200; out of scope: 404 like a missing user', async () => {
    expectOk(await api().as(world.mbUserA1.key).get(`/v2/users/${world.mbAdminA1.user.userId}`));
    expectOk(await api().as(world.netUserA.key).get(`/v2/users/${world.mbUserA2.user.userId}`));
    expectError(await api().as(world.mbUserA1.key).get(`/v2/users/${world.mbUserA2.user.userId}`), 404, 'ObjectNotFound');
    expectError(await api().as(world.netAdminA.key).get(`/v2/users/${world.mbUserB1.user.userId}`), 404, 'ObjectNotFound');
    expectError(await api().get('/v2/users/777777'), 404, 'ObjectNotFound');
  });
});

describe('POST /v2/users (create)', () => {
  const body = (over: object = {}) => ({
    login: `new${Math.random().toString(36).slice(2, 8)}`,
    password: 'Str0ng!Pass',
    email: 'new.user@example.com',
    firstName: 'New',
    lastName: 'User',
    ...over,
  });

  it('creates an Active user that authenticates with its generated key', async () => {
    const created = expectOk(
      await api().as(world.mbAdminA1.key).post<UserIDInfo>('/v2/users', body({ authLevel: 'MailboxUser' })),
    );
    expect(created).toMatchObject({ status: 'Active', authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expect(created.userId).toBeGreaterThan(12345);
    const key = expectOk(await api().as(world.mbAdminA1.key).post<string>(`/v2/users/key-generate/${created.userId}`));
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const me = expectOk(await api().as(key).get<UserIDInfo>('/v2/users/me'));
    expect(me.userId).toBe(created.userId);
    const stored = await server.store.users.findById(created.userId);
    expect(stored?.login).toBe(created.login);
  });

  it('defaults: level MailboxUser, the caller network and mailbox; loginName is an alias', async () => {
    const created = expectOk(await api().as(world.mbAdminA1.key).post<UserIDInfo>('/v2/users', { ...body(), login: undefined, loginName: 'aliasuser' }));
    expect(created).toMatchObject({ login: 'aliasuser', authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
  });

  it('a caller without a network must name networkId', async () => {
    const reply = await api().post('/v2/users', body());
    expectError(reply, 400, 'InvalidParameter', 'networkId');
    const created = expectOk(await api().post<UserIDInfo>('/v2/users', body({ networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId })));
    expect(created.networkId).toBe(world.netB.networkId);
  });

  it('a login taken in the network (any case) is DuplicateObject; in another network it is free', async () => {
    const login = 'DupLogin';
    expectOk(await api().post('/v2/users', body({ login, networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId })));
    const dup = await api().post('/v2/users', body({ login: 'duplogin', networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }));
    expectError(dup, 400, 'DuplicateObject', 'login');
    expectOk(await api().post('/v2/users', body({ login, networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId })));
  });

  it.each([
    ['login', { login: 'has space' }],
    ['login', { login: 'x'.repeat(65) }],
    ['login', { login: undefined }],
    ['password', { password: 'short1!' }],
    ['password', { password: 'nouppercase1!' }],
    ['password', { password: 'NoDigits!!' }],
    ['password', { password: 'NoSymbol123' }],
    ['email', { email: 'nope' }],
    ['email', { email: undefined }],
    ['authLevel', { authLevel: 'Emperor' }],
    ['mailboxId', { mailboxId: -1 }],
  ])('rejects a bad %s with 400 naming it', async (field, over) => {
    const reply = await api().as(world.netAdminA.key).post('/v2/users', body(over));
    expectError(reply, 400, 'InvalidParameter', field);
  });

  it('level and mailbox must agree; destination must exist, be live and be in scope', async () => {
    const asNetAdmin = api().as(world.netAdminA.key);
    expectError(await asNetAdmin.post('/v2/users', body({ authLevel: 'MailboxUser', mailboxId: 0 })), 400, 'InvalidParameter', 'mailboxId');
    expectOk(await asNetAdmin.post('/v2/users', body({ authLevel: 'NetworkUser', mailboxId: 0 })));
    expectError(await asNetAdmin.post('/v2/users', body({ mailboxId: world.mbB1.mailboxId })), 400, 'InvalidParameter', 'mailboxId');
    const outOfScope = await asNetAdmin.post('/v2/users', body({ networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId }));
    const missing = await asNetAdmin.post('/v2/users', body({ networkId: 424242, mailboxId: 0, authLevel: 'NetworkUser' }));
    expectError(outOfScope, 400, 'InvalidParameter', 'networkId');
    expectError(missing, 400, 'InvalidParameter', 'networkId');
    expect(outOfScope.body.message).toBe(missing.body.message);
    // A mailbox admin cannot place users at network level, even in its own network.
    expectError(await api().as(world.mbAdminA1.key).post('/v2/users', body({ authLevel: 'MailboxUser', mailboxId: 0 })), 400, 'InvalidParameter', 'mailboxId');
  });

  it('no level above the caller; non-admins cannot create (403)', async () => {
    expectError(await api().as(world.netAdminA.key).post('/v2/users', body({ authLevel: 'NetOps' })), 403, 'AccessDenied');
    expectError(await api().as(world.mbAdminA1.key).post('/v2/users', body({ authLevel: 'NetworkAdmin', mailboxId: 0 })), 403, 'AccessDenied');
    expectError(await api().as(world.netUserA.key).post('/v2/users', body()), 403, 'AccessDenied');
    expectOk(await api().as(world.netAdminA.key).post('/v2/users', body({ authLevel: 'NetworkAdmin', mailboxId: 0 })));
  });

  it('writes an audit event without the password', async () => {
    const created = expectOk(await api().as(world.netAdminA.key).post<UserIDInfo>('/v2/users', body({ password: 'Aud1t!Secret', mailboxId: world.mbA2.mailboxId })));
    const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: created.userId }, { pageNo: 1, recordsPerPage: 5 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'user.create', actorUserId: world.netAdminA.user.userId, changes: { login: { old: null, new: created.login } } });
    expect(JSON.stringify(events[0])).not.toContain('Aud1t!Secret');
  });
});

describe('POST /v2/users/list and /by-name', () => {
  it('lists in scope, ordered by userId, paged, with X-Total-Count', async () => {
    const reply = await api().as(world.netAdminA.key).post<UserIDInfo[]>('/v2/users/list', { recordsPerPage: 2 });
    const page1 = expectOk(reply);
    const total = Number(reply.headers.get('x-total-count'));
    expect(page1).toHaveLength(2);
    expect(page1.every((u) => u.networkId === world.netA.networkId)).toBe(true);
    const all = expectOk(await api().as(world.netAdminA.key).post<UserIDInfo[]>('/v2/users/list', { recordsPerPage: 500 }));
    expect(all).toHaveLength(total);
    expect(all.map((u) => u.userId)).toEqual([...all.map((u) => u.userId)].sort((a, b) => a - b));
    const page2 = expectOk(await api().as(world.netAdminA.key).post<UserIDInfo[]>('/v2/users/list', { recordsPerPage: 2, pageNo: 2 }));
    expect(page2.map((u) => u.userId)).toEqual(all.slice(2, 4).map((u) => u.userId));
  });

  it('filters by mailbox, level and status; NoChange means any level', async () => {
    const inMailbox = expectOk(await api().post<UserIDInfo[]>('/v2/users/list', { mailboxId: world.mbA1.mailboxId, authLevel: 'NoChange' }));
    expect(inMailbox.length).toBeGreaterThanOrEqual(3);
    expect(inMailbox.every((u) => u.mailboxId === world.mbA1.mailboxId)).toBe(true);
    const admins = expectOk(await api().post<UserIDInfo[]>('/v2/users/list', { networkId: world.netA.networkId, authLevel: 'NetworkAdmin', status: 'Active' }));
    expect(admins.every((u) => u.authLevel === 'NetworkAdmin' && u.networkId === world.netA.networkId)).toBe(true);
  });

  it('a filter outside the scope yields an empty list, not an error', async () => {
    const reply = await api().as(world.netAdminA.key).post<UserIDInfo[]>('/v2/users/list', { networkId: world.netB.networkId });
    expect(expectOk(reply)).toEqual([]);
    expect(reply.headers.get('x-total-count')).toBe('0');
  });

  it('a self-scoped caller lists only itself', async () => {
    const tp = await createUser(server, { authLevel: 'TPUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const listed = expectOk(await api().as(tp.key).post<UserIDInfo[]>('/v2/users/list', {}));
    expect(listed.map((u) => u.userId)).toEqual([tp.user.userId]);
  });

  it('validates paging', async () => {
    expectError(await api().post('/v2/users/list', { recordsPerPage: 501 }), 400, 'InvalidParameter', 'recordsPerPage');
    expectError(await api().post('/v2/users/list', { pageNo: 0 }), 400, 'InvalidParameter', 'pageNo');
  });

  it('by-name finds in-scope users by login regardless of case', async () => {
    const found = expectOk(await api().post<UserIDInfo[]>('/v2/users/by-name', { login: 'JSMITH' }));
    expect(found.map((u) => u.userId)).toEqual([1042]);
    expect(expectOk(await api().as(world.netAdminB.key).post<UserIDInfo[]>('/v2/users/by-name', { login: 'jsmith' }))).toEqual([]);
    expectError(await api().post('/v2/users/by-name', {}), 400, 'InvalidParameter', 'login');
  });
});

describe('DELETE /v2/users/{id} (terminate)', () => {
  it('terminates: status Terminated, keys revoked (401), later updates refused; audit written', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const reply = await api().as(world.mbAdminA1.key).delete<boolean>(`/v2/users/${target.user.userId}`);
    expect(expectOk(reply)).toBe(true);
    expect((await server.store.users.findById(target.user.userId))?.status).toBe('Terminated');
    expectError(await api().as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    expectError(await api().put('/v2/users', { userId: target.user.userId, firstName: 'x' }), 400, 'InvalidParameter', 'userId');
    expectError(await api().delete(`/v2/users/${target.user.userId}`), 400, 'InvalidParameter', 'id');
    expectError(await api().post(`/v2/users/key-generate/${target.user.userId}`), 400, 'InvalidParameter', 'id');
    expect(await server.store.keys.listLive(target.user.userId)).toEqual([]);
    const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: target.user.userId }, { pageNo: 1, recordsPerPage: 5 });
    // The primary key createUser issued, counted by the revocation itself (one statement with the event on PostgreSQL).
    expect(events[0]).toMatchObject({ action: 'user.terminate', changes: { status: { old: 'Active', new: 'Terminated' }, keysRevoked: { old: 0, new: 1 } } });
  });

  it('never self; needs to outrank; out of scope is 404', async () => {
    expectError(await api().as(world.mbAdminA1.key).delete(`/v2/users/${world.mbAdminA1.user.userId}`), 403, 'AccessDenied');
    expectError(await api().as(world.mbUserA1.key).delete(`/v2/users/${world.mbUserA1b.user.userId}`), 403, 'AccessDenied');
    expectError(await api().as(world.netAdminA.key).delete(`/v2/users/${world.mbUserB1.user.userId}`), 404, 'ObjectNotFound');
  });
});

describe('primary API key: key-generate and key', () => {
  it('a new key replaces the old one at once; the key can be read back by its owner and by admins above it', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const fresh = expectOk(await api().as(target.key).post<string>(`/v2/users/key-generate/${target.user.userId}`));
    expect(fresh).not.toBe(target.key);
    expectError(await api().as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    expect(expectOk(await api().as(fresh).get<string>(`/v2/users/key/${target.user.userId}`))).toBe(fresh);
    expect(expectOk(await api().as(world.netAdminA.key).get<string>(`/v2/users/key/${target.user.userId}`))).toBe(fresh);
    // MailboxAdmin is below NetworkAdmin: may not read others' keys.
    expectError(await api().as(world.mbAdminA1.key).get(`/v2/users/key/${target.user.userId}`), 403, 'AccessDenied');
    expectError(await api().as(world.netAdminB.key).get(`/v2/users/key/${target.user.userId}`), 404, 'ObjectNotFound');
  });

  it('every key read is audited, without the key', async () => {
    const key = expectOk(await api().get<string>(`/v2/users/key/${world.mbUserA2.user.userId}`));
    const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'key' }, { pageNo: 1, recordsPerPage: 1 });
    expect(events[0]).toMatchObject({ action: 'key.read', targetNetworkId: world.netA.networkId });
    expect(JSON.stringify(events[0])).not.toContain(key);
  });

  it("key-generate's event targets the new key, names it, and says whether a previous primary was revoked", async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const lastGenerate = async () => {
      const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'key' }, { pageNo: 1, recordsPerPage: 1 });
      expect(events[0]).toMatchObject({ action: 'key.generate-primary', targetNetworkId: world.netA.networkId, targetMailboxId: world.mbA1.mailboxId });
      return events[0]!;
    };
    const primaryId = async () => (await server.store.keys.listLive(target.user.userId)).find((k) => k.isPrimary)!.keyId;

    const replacing = expectOk(await api().post<string>(`/v2/users/key-generate/${target.user.userId}`));
    const first = await lastGenerate();
    const firstId = await primaryId();
    expect(first.targetId).toBe(firstId);
    expect(first.changes).toEqual({ primaryKeyId: { old: null, new: firstId }, previousPrimaryRevoked: { old: false, new: true } });
    expect(JSON.stringify(first)).not.toContain(replacing);

    // No live primary left: nothing is said to be revoked.
    await server.store.transaction((tx) => tx.keys.revokePrimary(target.user.userId, new Date().toISOString()));
    expectOk(await api().post<string>(`/v2/users/key-generate/${target.user.userId}`));
    const second = await lastGenerate();
    const secondId = await primaryId();
    expect(secondId).toBeGreaterThan(firstId);
    expect(second.targetId).toBe(secondId);
    expect(second.changes).toEqual({ primaryKeyId: { old: null, new: secondId } });
  });

  it('a user without a primary key: 404', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    await server.store.transaction((tx) => tx.keys.revokePrimary(target.user.userId, new Date().toISOString()));
    expectError(await api().get(`/v2/users/key/${target.user.userId}`), 404, 'ObjectNotFound');
  });

  it('a user in a suspended mailbox cannot authenticate', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId });
    expectOk(await api().as(target.key).get('/v2/users/me'));
    await server.store.transaction(async (tx) => tx.mailboxes.updateHeld((await tx.mailboxes.findByIdForUpdate(world.mbB1.mailboxId))!, { status: 'Suspended' }, new Date().toISOString()));
    expectError(await api().as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    await server.store.transaction(async (tx) => tx.mailboxes.updateHeld((await tx.mailboxes.findByIdForUpdate(world.mbB1.mailboxId))!, { status: 'Active' }, new Date().toISOString()));
    await server.store.transaction(async (tx) => tx.networks.updateHeld((await tx.networks.findByIdForUpdate(world.netB.networkId))!, { status: 'Terminated' }, new Date().toISOString()));
    expectError(await api().as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    await server.store.transaction(async (tx) => tx.networks.updateHeld((await tx.networks.findByIdForUpdate(world.netB.networkId))!, { status: 'Active' }, new Date().toISOString()));
    expectOk(await api().as(target.key).get('/v2/users/me'));
  });
});

describe('one request, one transaction', () => {
  it('a failure after the row was written rolls the whole request back', async () => {
    const before = await server.store.users.findById(1043);
    await addFailingTrigger(server.database, 'audit_events');
    try {
      const reply = await api().put('/v2/users', { userId: 1043, firstName: 'Half', email: 'half@example.com' });
      expectError(reply, 500, 'InternalError');
      expect(reply.body.message).toBe('An internal error occurred.');
      expect(reply.text).not.toMatch(/injected|trigger|audit_events|at \w+ \(/);
    } finally {
      await dropFailingTrigger(server.database, 'audit_events');
    }
    expect(await server.store.users.findById(1043)).toEqual(before);
    expectOk(await api().put('/v2/users', { userId: 1043, firstName: 'Whole' }));
  });
});
