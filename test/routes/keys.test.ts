/**
 * Keys (API.md §5) over HTTP: create, get-key, list, delete; the reference's
 * key owner (user 12345, keys 9001 primary and 9002 Shared), Session expiry,
 * permission rows, audit events without secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';
import { rawQuery } from '../support/raw-query.js';
import { hashApiKey } from '../../src/security/api-keys.js';
import { MAX_EXTRA_KEYS } from '../../src/services/key-service.js';
import type { KeyInfo } from '../../src/contract/keys.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MASKED = /^[0-9a-f]{4}…[0-9a-f]{4}$/;

async function lastEvent(targetId: number) {
  const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'key', targetId }, { pageNo: 1, recordsPerPage: 1 });
  return events[0];
}

async function storedKeyRow(keyId: number) {
  const [row] = await rawQuery(server.database, 'select key_hash, key_hint, key_ciphertext, visibility, is_primary, expires_at, revoked_at from api_keys where key_id = $1', [keyId]);
  return row!;
}

const inA1 = () => ({ networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });

describe('POST /v2/keys/create', () => {
  it('the reference example: a Shared key for user 12345, shown in full once, stored as a hash only', async () => {
    const created = expectOk(await api().post<KeyInfo>('/v2/keys/create', { userId: 12345, visibility: 'Shared' }));
    expect(created).toMatchObject({ userId: 12345, visibility: 'Shared', isPrimary: false, expiresAt: null });
    expect(Object.keys(created).slice(0, 5)).toEqual(['keyId', 'userId', 'key', 'visibility', 'created']);
    expect(created.key).toMatch(UUID);
    expect(created.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const me = expectOk(await api().as(created.key).get<UserIDInfo>('/v2/users/me'));
    expect(me.userId).toBe(12345);

    const row = await storedKeyRow(created.keyId);
    expect(row).toMatchObject({ key_hash: hashApiKey(created.key), key_ciphertext: null, visibility: 'Shared', is_primary: 0, revoked_at: null });
    expect(row.key_hint).toBe(`${created.key.slice(0, 4)}…${created.key.slice(-4)}`);
    // The primary key is untouched.
    expect((await server.store.keys.findPrimary(12345))?.key.keyId).toBe(9001);
  });

  it('makes non-primary keys of every visibility, Private included', async () => {
    for (const visibility of ['Private', 'Public', 'Shared', 'Session'] as const) {
      const created = expectOk(await api().post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA2.user.userId, visibility }));
      expect(created).toMatchObject({ visibility, isPrimary: false });
      expectOk(await api().as(created.key).get('/v2/users/me'));
    }
    // The user's own primary key still works and is still the primary.
    expectOk(await api().as(world.mbUserA2.key).get('/v2/users/me'));
    const primary = expectOk(await api().post<KeyInfo>('/v2/keys/get-key', { userId: world.mbUserA2.user.userId }));
    expect(primary.key).toBe(world.mbUserA2.key);
  });

  it('reads the body the ECGrid way: names in any case, ids as strings, enum names in any case', async () => {
    const created = expectOk(await api().post<KeyInfo>('/v2/keys/create', { USERID: String(world.mbUserA2.user.userId), Visibility: 'public' }));
    expect(created).toMatchObject({ userId: world.mbUserA2.user.userId, visibility: 'Public' });
  });

  it('writes a key.create audit event naming owner and visibility, never the key', async () => {
    const created = expectOk(await api().as(world.mbUserA1.key).post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA1.user.userId, visibility: 'Private' }));
    const event = await lastEvent(created.keyId);
    expect(event).toMatchObject({
      action: 'key.create',
      actorUserId: world.mbUserA1.user.userId,
      targetType: 'key',
      targetNetworkId: world.netA.networkId,
      targetMailboxId: world.mbA1.mailboxId,
      changes: { userId: { old: null, new: world.mbUserA1.user.userId }, visibility: { old: null, new: 'Private' } },
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(-4) + '"');
    expect(text).not.toContain(hashApiKey(created.key));
  });

  it.each([
    ['userId', {}],
    ['userId', { visibility: 'Shared' }],
    ['userId', { userId: 0, visibility: 'Shared' }],
    ['userId', { userId: 'abc', visibility: 'Shared' }],
    ['visibility', { userId: 12345 }],
    ['visibility', { userId: 12345, visibility: 'Secret' }],
    ['visibility', { userId: 12345, visibility: 1 }],
  ])('rejects a bad %s with 400 naming it (%j)', async (field, body) => {
    expectError(await api().post('/v2/keys/create', body), 400, 'InvalidParameter', field);
  });

  it('refuses a Terminated user (400) and an unknown one (404)', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', ...inA1() });
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    expectError(await api().post('/v2/keys/create', { userId: target.user.userId, visibility: 'Shared' }), 400, 'InvalidParameter', 'userId');
    const missing = await api().post('/v2/keys/create', { userId: 777777, visibility: 'Shared' });
    expectError(missing, 404, 'ObjectNotFound');
    expect(missing.body.message).toBe('User 777777 not found.');
  });

  it(`caps a user at ${MAX_EXTRA_KEYS} keys besides the primary`, async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', ...inA1() });
    await server.store.transaction(async (tx) => {
      for (let i = 0; i < MAX_EXTRA_KEYS; i++) {
        await tx.keys.insert({
          userId: target.user.userId, keyHash: hashApiKey(`filler-${target.user.userId}-${i}`), hint: '…', visibility: 'Shared',
          isPrimary: false, ciphertext: null, created: new Date().toISOString(), expiresAt: null,
        });
      }
    });
    expectError(await api().post('/v2/keys/create', { userId: target.user.userId, visibility: 'Shared' }), 400, 'InvalidParameter', 'userId');
    const one = (await server.store.keys.listLive(target.user.userId)).find((k) => !k.isPrimary)!;
    expectOk(await api().delete('/v2/keys', { keyId: one.keyId }));
    expectOk(await api().post('/v2/keys/create', { userId: target.user.userId, visibility: 'Shared' }));
  });
});

describe('a Session key', () => {
  let shortLived: TestServer;
  beforeAll(async () => {
    shortLived = await startTestServer({ ECGRID_TOKEN_TTL: '2s' });
  });
  afterAll(() => shortLived?.close());

  it('stops working the token lifetime after its creation; the others do not', async () => {
    const rootId = expectOk(await shortLived.api.get<UserIDInfo>('/v2/users/me')).userId;
    const session = expectOk(await shortLived.api.post<KeyInfo>('/v2/keys/create', { userId: rootId, visibility: 'Session' }));
    const shared = expectOk(await shortLived.api.post<KeyInfo>('/v2/keys/create', { userId: rootId, visibility: 'Shared' }));
    expect(Date.parse(session.expiresAt!) - Date.parse(session.created)).toBe(2000);
    const stored = (await shortLived.store.keys.findById(session.keyId))!;
    expect(Date.parse(stored.expiresAt!) - Date.parse(stored.created)).toBe(2000);
    expectOk(await shortLived.api.as(session.key).get('/v2/users/me'));
    await new Promise((resolve) => setTimeout(resolve, Date.parse(stored.expiresAt!) - Date.now() + 100));
    expectError(await shortLived.api.as(session.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    expectOk(await shortLived.api.as(shared.key).get('/v2/users/me'));
    // An expired key is no longer listed.
    const listed = expectOk(await shortLived.api.post<KeyInfo[]>('/v2/keys/list', { userId: rootId }));
    expect(listed.map((k) => k.keyId)).not.toContain(session.keyId);
    expect(listed.map((k) => k.keyId)).toContain(shared.keyId);
  });
});

describe('POST /v2/keys/get-key', () => {
  it('the reference example: user 12345 gets primary key 9001 in full, the same as GET /v2/users/key/{id}', async () => {
    const info = expectOk(await api().post<KeyInfo>('/v2/keys/get-key', { userId: 12345 }));
    expect(info).toMatchObject({ keyId: 9001, userId: 12345, visibility: 'Private', isPrimary: true, expiresAt: null });
    expect(info.key).toMatch(UUID);
    expect(expectOk(await api().get<string>('/v2/users/key/12345'))).toBe(info.key);
    expect(expectOk(await api().as(info.key).get<UserIDInfo>('/v2/users/me')).login).toBe('keyowner');
  });

  it('every read is audited as key.read, without the key', async () => {
    const info = expectOk(await api().as(world.netAdminA.key).post<KeyInfo>('/v2/keys/get-key', { userId: world.mbUserA1.user.userId }));
    const event = await lastEvent(info.keyId);
    expect(event).toMatchObject({ action: 'key.read', actorUserId: world.netAdminA.user.userId, targetNetworkId: world.netA.networkId });
    expect(JSON.stringify(event)).not.toContain(info.key);
  });

  it('permission rows: own key anyone; others NetworkAdmin and above who outrank; out of scope 404', async () => {
    const self = expectOk(await api().as(world.mbUserA1.key).post<KeyInfo>('/v2/keys/get-key', { userId: world.mbUserA1.user.userId }));
    expect(self.key).toBe(world.mbUserA1.key);
    expectOk(await api().as(world.techOps.key).post('/v2/keys/get-key', { userId: world.netAdminA.user.userId }));
    expectError(await api().as(world.mbAdminA1.key).post('/v2/keys/get-key', { userId: world.mbUserA1.user.userId }), 403, 'AccessDenied');
    expectError(await api().as(world.netUserA.key).post('/v2/keys/get-key', { userId: world.mbUserA1.user.userId }), 403, 'AccessDenied');
    const peer = await createUser(server, { authLevel: 'NetworkAdmin', networkId: world.netA.networkId, mailboxId: 0 });
    expectError(await api().as(world.netAdminA.key).post('/v2/keys/get-key', { userId: peer.user.userId }), 403, 'AccessDenied');
    const outOfScope = await api().as(world.netAdminB.key).post('/v2/keys/get-key', { userId: world.mbUserA1.user.userId });
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`User ${world.mbUserA1.user.userId} not found.`);
    const missing = await api().post('/v2/keys/get-key', { userId: 777777 });
    expect(missing.body.message).toBe('User 777777 not found.');
  });

  it('a user without a primary key: 404', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', ...inA1() });
    await server.store.transaction((tx) => tx.keys.revokePrimary(target.user.userId, new Date().toISOString()));
    expectError(await api().post('/v2/keys/get-key', { userId: target.user.userId }), 404, 'ObjectNotFound');
  });

  it('validates userId', async () => {
    expectError(await api().post('/v2/keys/get-key', {}), 400, 'InvalidParameter', 'userId');
    expectError(await api().post('/v2/keys/get-key', { userId: -4 }), 400, 'InvalidParameter', 'userId');
  });
});

describe('POST /v2/keys/list', () => {
  it('the reference example: 9001 (the primary) in full, 9002 masked, by keyId', async () => {
    const keys = expectOk(await api().post<KeyInfo[]>('/v2/keys/list', { userId: 12345 }));
    expect(keys.map((k) => k.keyId).slice(0, 2)).toEqual([9001, 9002]);
    expect(keys.map((k) => k.keyId)).toEqual([...keys.map((k) => k.keyId)].sort((a, b) => a - b));
    expect(keys[0]).toMatchObject({ keyId: 9001, visibility: 'Private', isPrimary: true });
    expect(keys[0]!.key).toMatch(UUID);
    expect(keys[1]).toMatchObject({ keyId: 9002, visibility: 'Shared', isPrimary: false });
    expect(keys[1]!.key).toMatch(MASKED);
    expect(keys.filter((k) => !k.isPrimary).every((k) => MASKED.test(k.key))).toBe(true);
  });

  it('filters by visibility', async () => {
    const shared = expectOk(await api().post<KeyInfo[]>('/v2/keys/list', { userId: 12345, visibility: 'SHARED' }));
    expect(shared.length).toBeGreaterThanOrEqual(1);
    expect(shared.every((k) => k.visibility === 'Shared')).toBe(true);
    expectError(await api().post('/v2/keys/list', { userId: 12345, visibility: 'Hidden' }), 400, 'InvalidParameter', 'visibility');
    expectError(await api().post('/v2/keys/list', { visibility: 'Shared' }), 400, 'InvalidParameter', 'userId');
  });

  it('the primary is shown in full only to whoever may read it (and that read is audited)', async () => {
    const target = world.mbUserA1b;
    const asAdmin = expectOk(await api().as(world.mbAdminA1.key).post<KeyInfo[]>('/v2/keys/list', { userId: target.user.userId }));
    const primaryForMbAdmin = asAdmin.find((k) => k.isPrimary)!;
    expect(primaryForMbAdmin.key).toMatch(MASKED);
    expect(primaryForMbAdmin.key).toBe(`${target.key.slice(0, 4)}…${target.key.slice(-4)}`);
    const asNetAdmin = expectOk(await api().as(world.netAdminA.key).post<KeyInfo[]>('/v2/keys/list', { userId: target.user.userId }));
    expect(asNetAdmin.find((k) => k.isPrimary)!.key).toBe(target.key);
    expect(await lastEvent(primaryForMbAdmin.keyId)).toMatchObject({ action: 'key.read', actorUserId: world.netAdminA.user.userId });
    const own = expectOk(await api().as(target.key).post<KeyInfo[]>('/v2/keys/list', { userId: target.user.userId }));
    expect(own.find((k) => k.isPrimary)!.key).toBe(target.key);
  });

  it('permission rows: own keys anyone; others admins who outrank; equal 403; out of scope 404', async () => {
    expectOk(await api().as(world.mbUserA1.key).post('/v2/keys/list', { userId: world.mbUserA1.user.userId }));
    expectError(await api().as(world.mbUserA1.key).post('/v2/keys/list', { userId: world.mbUserA1b.user.userId }), 403, 'AccessDenied');
    expectError(await api().as(world.netUserA.key).post('/v2/keys/list', { userId: world.mbUserA1.user.userId }), 403, 'AccessDenied');
    const peer = await createUser(server, { authLevel: 'MailboxAdmin', ...inA1() });
    expectError(await api().as(world.mbAdminA1.key).post('/v2/keys/list', { userId: peer.user.userId }), 403, 'AccessDenied');
    const outOfScope = await api().as(world.mbAdminA1.key).post('/v2/keys/list', { userId: world.mbUserA2.user.userId });
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`User ${world.mbUserA2.user.userId} not found.`);
  });
});

describe('DELETE /v2/keys', () => {
  it('the key stops working at once; it is gone from the list; audited as key.revoke', async () => {
    const created = expectOk(await api().post<KeyInfo>('/v2/keys/create', { userId: 12345, visibility: 'Public' }));
    expectOk(await api().as(created.key).get('/v2/users/me'));
    expect(expectOk(await api().delete<boolean>('/v2/keys', { keyId: created.keyId }))).toBe(true);
    expectError(await api().as(created.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    const listed = expectOk(await api().post<KeyInfo[]>('/v2/keys/list', { userId: 12345 }));
    expect(listed.map((k) => k.keyId)).not.toContain(created.keyId);
    const row = await storedKeyRow(created.keyId);
    expect(row.revoked_at).not.toBeNull();
    const event = await lastEvent(created.keyId);
    expect(event).toMatchObject({ action: 'key.revoke', actorUserId: 1, changes: { revokedAt: { old: null } } });
    expect(JSON.stringify(event)).not.toContain(created.key);
  });

  it('the reference example: deleting key 9002 of user 12345', async () => {
    const shared = (await server.store.keys.findById(9002))!;
    expect(shared.revokedAt).toBeNull();
    expect(expectOk(await api().delete<boolean>('/v2/keys', { keyId: 9002 }))).toBe(true);
    expect((await server.store.keys.findById(9002))!.revokedAt).not.toBeNull();
  });

  it('a deleted or unknown key is 404', async () => {
    const gone = await api().delete('/v2/keys', { keyId: 9002 });
    expectError(gone, 404, 'ObjectNotFound');
    expect(gone.body.message).toBe('Key 9002 not found.');
    const missing = await api().delete('/v2/keys', { keyId: 999999 });
    expect(missing.body.message).toBe('Key 999999 not found.');
  });

  it('deleting the primary key: it stops working and there is no primary key any more', async () => {
    const target = await createUser(server, { authLevel: 'MailboxUser', ...inA1() });
    const primary = expectOk(await api().post<KeyInfo>('/v2/keys/get-key', { userId: target.user.userId }));
    expectOk(await api().as(target.key).delete('/v2/keys', { keyId: primary.keyId }));
    expectError(await api().as(target.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
    expect(await server.store.keys.findPrimary(target.user.userId)).toBeNull();
    expect((await storedKeyRow(primary.keyId)).key_ciphertext).toBeNull();
    expectError(await api().post('/v2/keys/get-key', { userId: target.user.userId }), 404, 'ObjectNotFound');
    expect(await lastEvent(primary.keyId)).toMatchObject({ action: 'key.revoke', changes: { primary: { old: true, new: false } } });
  });

  it('permission rows: own keys anyone; others admins who outrank; out of scope 404 like a missing key', async () => {
    const own = expectOk(await api().as(world.mbUserA1.key).post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA1.user.userId, visibility: 'Shared' }));
    expectError(await api().as(world.mbUserA1b.key).delete('/v2/keys', { keyId: own.keyId }), 403, 'AccessDenied');
    const outOfScope = await api().as(world.netAdminB.key).delete('/v2/keys', { keyId: own.keyId });
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`Key ${own.keyId} not found.`);
    expectOk(await api().as(own.key).get('/v2/users/me'));
    expectOk(await api().as(world.mbUserA1.key).delete('/v2/keys', { keyId: own.keyId }));

    const byAdmin = expectOk(await api().as(world.mbAdminA1.key).post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA1.user.userId, visibility: 'Shared' }));
    expectOk(await api().as(world.mbAdminA1.key).delete('/v2/keys', { keyId: byAdmin.keyId }));
    expectError(await api().as(byAdmin.key).get('/v2/users/me'), 401, 'InvalidAPIKey');
  });

  it('validates keyId', async () => {
    expectError(await api().delete('/v2/keys', {}), 400, 'InvalidParameter', 'keyId');
    expectError(await api().delete('/v2/keys', { keyId: 'nine' }), 400, 'InvalidParameter', 'keyId');
  });
});
