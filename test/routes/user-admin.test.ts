/**
 * Users administration over HTTP: set password, generate password, set role,
 * set network/mailbox, update config, reset sessions. For each: the example
 * body, every validation error (field named), every permission row that
 * applies, the business rules of API.md §3 and the audit event (old/new, no
 * secret). Stored state is read back after every call.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk, type Reply } from '../support/http.js';
import { createMailbox, createNetwork, createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { addFailingTrigger, dropFailingTrigger } from '../support/raw-sql.js';
import { insertSession, readSessions } from '../support/session-rows.js';
import { meetsPasswordPolicy } from '../../src/domain/password-policy.js';
import type { AuthLevel } from '../../src/domain/levels.js';
import type { AuditEvent } from '../../src/domain/types.js';
import { verifyPassword } from '../../src/security/passwords.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;
const as = (who: { key: string }) => server.api.as(who.key);

/** A fresh user in network A (mailbox A1 unless told). */
const inNetA = (authLevel: AuthLevel, mailboxId: number = world.mbA1.mailboxId) =>
  createUser(server, { authLevel, networkId: world.netA.networkId, mailboxId });

async function auditOf(userId: number): Promise<AuditEvent[]> {
  const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: userId }, { pageNo: 1, recordsPerPage: 50 });
  return events;
}

const stored = async (userId: number) => (await server.store.users.findById(userId))!;

/** Out of scope answers exactly like missing: same status, code and words. */
async function expectLikeMissing(reply: Reply, hiddenId: number, send: (userId: number) => Promise<Reply>): Promise<void> {
  expectError(reply, 404, 'ObjectNotFound');
  const missing = await send(987_654);
  expectError(missing, 404, 'ObjectNotFound');
  expect(reply.body.message.replace(String(hiddenId), 'N')).toBe(missing.body.message.replace('987654', 'N'));
}

describe('POST /v2/users/password', () => {
  const NEW_PASSWORD = 'N3w-Passw0rd!';

  it('sets the password (example body): argon2id-hashed, the new one verifies, the audit event holds no secret', async () => {
    const hashBefore = await server.store.users.findPasswordHash(1043);
    const reply = await api().post<boolean>('/v2/users/password', { userId: 1043, newPassword: NEW_PASSWORD });
    expect(expectOk(reply)).toBe(true);
    const hash = (await server.store.users.findPasswordHash(1043))!;
    expect(hash).not.toBe(hashBefore);
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, NEW_PASSWORD)).toBe(true);

    const [event] = await auditOf(1043);
    expect(event).toMatchObject({ action: 'user.password', actorUserId: expect.any(Number), changes: { password: { old: '[set]', new: '[changed]' } } });
    expect(Object.keys(event!.changes)).toEqual(['password']);
    const text = JSON.stringify(event);
    expect(text).not.toContain(NEW_PASSWORD);
    expect(text).not.toContain(hash);
    expect(text).not.toContain('argon2');
  });

  it('keeps leading and trailing spaces: a password is never trimmed', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().post('/v2/users/password', { userId: target.user.userId, newPassword: '  Spaced-Passw0rd  ' }));
    const hash = (await server.store.users.findPasswordHash(target.user.userId))!;
    expect(await verifyPassword(hash, '  Spaced-Passw0rd  ')).toBe(true);
    expect(await verifyPassword(hash, 'Spaced-Passw0rd')).toBe(false);
  });

  it('unlocks a locked-out account (failed logins 0, no lock) and audits that', async () => {
    const target = await inNetA('MailboxUser');
    const lockedUntil = new Date(Date.now() + 15 * 60_000).toISOString();
    await server.store.transaction((tx) => tx.users.update(target.user.userId, { failedLogins: 5, lockedUntil }, new Date().toISOString()));
    expect(expectOk(await api().get<UserIDInfo>(`/v2/users/${target.user.userId}`)).lockedOut).toBe(true);

    expectOk(await as(world.netAdminA).post('/v2/users/password', { userId: target.user.userId, newPassword: NEW_PASSWORD }));
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 0, lockedUntil: null });
    expect(expectOk(await api().get<UserIDInfo>(`/v2/users/${target.user.userId}`)).lockedOut).toBe(false);
    const [event] = await auditOf(target.user.userId);
    expect(event!.changes).toEqual({
      password: { old: '[set]', new: '[changed]' },
      failedLogins: { old: 5, new: 0 },
      lockedUntil: { old: lockedUntil, new: null },
    });
    expect(event!.actorUserId).toBe(world.netAdminA.user.userId);
  });

  it("leaves the user's sessions valid by default", async () => {
    const target = await inNetA('MailboxUser');
    await insertSession(server.database, target.user.userId);
    expectOk(await api().post('/v2/users/password', { userId: target.user.userId, newPassword: NEW_PASSWORD }));
    expect((await readSessions(server.database, target.user.userId)).map((s) => s.revokedAt)).toEqual([null]);
    expect(Object.keys((await auditOf(target.user.userId))[0]!.changes)).toEqual(['password']);
  });

  it('extension revokeSessions: true revokes every live session of that user only, and audits the count', async () => {
    const target = await inNetA('MailboxUser');
    const bystander = await inNetA('MailboxUser');
    await insertSession(server.database, target.user.userId);
    await insertSession(server.database, target.user.userId);
    await insertSession(server.database, bystander.user.userId);
    expectOk(await api().post('/v2/users/password', { userId: target.user.userId, newPassword: NEW_PASSWORD, RevokeSessions: true }));
    const sessions = await readSessions(server.database, target.user.userId);
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => s.revokedAt !== null)).toBe(true);
    expect((await readSessions(server.database, bystander.user.userId))[0]!.revokedAt).toBeNull();
    expect((await auditOf(target.user.userId))[0]!.changes).toMatchObject({ sessionsRevoked: { old: 0, new: 2 } });
  });

  it.each([
    ['too short', 'Sh0rt!'],
    ['no digit', 'No-Digits-Here'],
    ['no uppercase', 'no-upper-0000'],
    ['no lowercase', 'NO-LOWER-0000'],
    ['no symbol', 'NoSymbol0000'],
    ['too long', `Aa1!${'x'.repeat(125)}`],
  ])('rejects a password that breaks the policy (%s), naming newPassword, and changes nothing', async (_label, newPassword) => {
    const hashBefore = await server.store.users.findPasswordHash(1043);
    const reply = await api().post('/v2/users/password', { userId: 1043, newPassword });
    expectError(reply, 400, 'InvalidParameter', 'newPassword');
    expect(reply.body.message).toBe('newPassword: must be 8-128 characters with a lowercase letter, an uppercase letter, a digit and a symbol');
    expect(reply.text).not.toContain(newPassword);
    expect(await server.store.users.findPasswordHash(1043)).toBe(hashBefore);
  });

  it.each([
    [{ userId: 1043 }, 'newPassword: is required'],
    [{ newPassword: NEW_PASSWORD }, 'userId: is required'],
    [{ userId: 0, newPassword: NEW_PASSWORD }, 'userId: must be at least 1'],
    [{ userId: 'abc', newPassword: NEW_PASSWORD }, 'userId: must be an integer'],
    [{ userId: 1043, newPassword: 12345678 }, 'newPassword: must be a string'],
    [{ userId: 1043, newPassword: NEW_PASSWORD, revokeSessions: 'yes' }, 'revokeSessions: must be true or false'],
  ])('rejects %j', async (body, message) => {
    const reply = await api().post('/v2/users/password', body);
    expectError(reply, 400, 'InvalidParameter', message.split(':')[0]);
    expect(reply.body.message).toBe(message);
  });

  describe('permissions (rank ≤ NetworkAdmin, in scope, outranks; never self)', () => {
    const setPassword = (caller: { key: string }, userId: number) =>
      as(caller).post('/v2/users/password', { userId, newPassword: NEW_PASSWORD });

    it('403 on oneself, for everyone, Root included', async () => {
      expectError(await setPassword(world.netAdminA, world.netAdminA.user.userId), 403, 'AccessDenied');
      expectError(await setPassword(world.mbUserA1, world.mbUserA1.user.userId), 403, 'AccessDenied');
      const rootId = (await server.store.users.findByLogin('root', { kind: 'system' }))[0]!.userId;
      expectError(await api().post('/v2/users/password', { userId: rootId, newPassword: NEW_PASSWORD }), 403, 'AccessDenied');
    });

    it('NetworkAdmin and higher set the password of an in-scope user they outrank', async () => {
      const target = await inNetA('MailboxAdmin');
      expectOk(await setPassword(world.netAdminA, target.user.userId));
      expectOk(await setPassword(world.techOps, world.netAdminB.user.userId));
    });

    it('403 below NetworkAdmin (a MailboxAdmin, a NetworkUser), and on an equal or higher target', async () => {
      const target = await inNetA('MailboxUser');
      const hashBefore = await server.store.users.findPasswordHash(target.user.userId);
      expectError(await setPassword(world.mbAdminA1, target.user.userId), 403, 'AccessDenied');
      expectError(await setPassword(world.netUserA, target.user.userId), 403, 'AccessDenied');
      const peer = await inNetA('NetworkAdmin', 0);
      expectError(await setPassword(world.netAdminA, peer.user.userId), 403, 'AccessDenied');
      expectError(await setPassword(world.netAdminA, world.techOps.user.userId), 404, 'ObjectNotFound');
      expect(await server.store.users.findPasswordHash(target.user.userId)).toBe(hashBefore);
    });

    it('404 out of scope, exactly like a missing user, and nothing changes', async () => {
      const hashBefore = await server.store.users.findPasswordHash(world.mbUserB1.user.userId);
      const reply = await setPassword(world.netAdminA, world.mbUserB1.user.userId);
      await expectLikeMissing(reply, world.mbUserB1.user.userId, (id) => setPassword(world.netAdminA, id));
      expect(await server.store.users.findPasswordHash(world.mbUserB1.user.userId)).toBe(hashBefore);
      expect(await auditOf(world.mbUserB1.user.userId)).toEqual([]);
    });
  });

  it('400 for a Terminated user', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    expectError(await api().post('/v2/users/password', { userId: target.user.userId, newPassword: NEW_PASSWORD }), 400, 'InvalidParameter', 'userId');
  });

  it('is one transaction: when the audit write fails, the password stays as it was', async () => {
    const target = await inNetA('MailboxUser');
    const hashBefore = await server.store.users.findPasswordHash(target.user.userId);
    await addFailingTrigger(server.database, 'audit_events');
    try {
      const reply = await api().post('/v2/users/password', { userId: target.user.userId, newPassword: NEW_PASSWORD });
      expectError(reply, 500, 'InternalError');
    } finally {
      await dropFailingTrigger(server.database, 'audit_events');
    }
    expect(await server.store.users.findPasswordHash(target.user.userId)).toBe(hashBefore);
  });
});

describe('POST /v2/users/generate-password', () => {
  it('answers a 12-character password meeting the policy with no body, and changes nothing', async () => {
    const eventsBefore = (await server.store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 })).total;
    const password = expectOk(await api().post<string>('/v2/users/generate-password'));
    expect(password).toHaveLength(12);
    expect(meetsPasswordPolicy(password)).toBe(true);
    expect((await server.store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 })).total).toBe(eventsBefore);
  });

  it.each([[{ length: 8 }, 8], [{ length: 128 }, 128], [{ Length: '20' }, 20], [{ length: null }, 12], [{}, 12]])(
    'honours %j',
    async (body, expected) => {
      const password = expectOk(await api().post<string>('/v2/users/generate-password', body));
      expect([...password]).toHaveLength(expected);
      expect(meetsPasswordPolicy(password)).toBe(true);
    },
  );

  it('draws a different password every time', async () => {
    const draws = await Promise.all(Array.from({ length: 10 }, () => api().post<string>('/v2/users/generate-password', { length: 16 })));
    expect(new Set(draws.map(expectOk)).size).toBe(10);
  });

  it.each([
    [7, 'length: must be at least 8'],
    [129, 'length: must be at most 128'],
    [12.5, 'length: must be an integer'],
    ['twelve', 'length: must be an integer'],
    [true, 'length: must be an integer'],
  ])('rejects length %j naming the field', async (length, message) => {
    const reply = await api().post('/v2/users/generate-password', { length });
    expectError(reply, 400, 'InvalidParameter', 'length');
    expect(reply.body.message).toBe(message);
  });

  it('any authenticated user may ask (it reveals nothing); without credentials 401', async () => {
    const general = await createUser(server, { authLevel: 'General', networkId: world.netA.networkId, mailboxId: 0 });
    for (const who of [world.mbUserA1, world.netUserA, general]) {
      expect(meetsPasswordPolicy(expectOk(await as(who).post<string>('/v2/users/generate-password', {})))).toBe(true);
    }
    expectError(await api().as(null).post('/v2/users/generate-password', {}), 401, 'InvalidAPIKey');
  });
});

describe('POST /v2/users/role', () => {
  const setRole = (caller: { key: string }, body: object) => as(caller).post<UserIDInfo>('/v2/users/role', body);

  it('sets a new level (example body) and answers the updated user; audit holds old and new level', async () => {
    const before = await stored(1043);
    const data = expectOk(await api().post<UserIDInfo>('/v2/users/role', { userId: 1043, authLevel: 'MailboxAdmin' }));
    expect(data).toMatchObject({ userId: 1043, authLevel: 'MailboxAdmin', networkId: 1, mailboxId: 101 });
    const after = await stored(1043);
    expect(after).toMatchObject({ authLevel: 'MailboxAdmin', networkId: 1, mailboxId: 101, version: before.version + 1 });
    expect(data.modified).toBe(`${after.modified.slice(0, 19)}Z`);
    const [event] = await auditOf(1043);
    expect(event).toMatchObject({ action: 'user.role', targetNetworkId: 1, targetMailboxId: 101 });
    expect(event!.changes).toEqual({ authLevel: { old: before.authLevel, new: 'MailboxAdmin' } });
  });

  it('matches the level name case-insensitively and writes it as listed', async () => {
    const target = await inNetA('MailboxUser');
    expect(expectOk(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'tpuser' })).authLevel).toBe('TPUser');
  });

  it('the same level and place again is no change: 200, nothing written', async () => {
    const target = await inNetA('MailboxUser');
    const data = expectOk(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'MailboxUser', networkId: world.netA.networkId }));
    expect(data.authLevel).toBe('MailboxUser');
    expect((await stored(target.user.userId)).version).toBe(target.user.version);
    expect(await auditOf(target.user.userId)).toEqual([]);
  });

  it('re-scopes: a MailboxUser becomes a network-level NetworkUser (mailboxId 0)', async () => {
    const target = await inNetA('MailboxUser');
    const data = expectOk(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'NetworkUser', mailboxId: 0 }));
    expect(data).toMatchObject({ authLevel: 'NetworkUser', networkId: world.netA.networkId, mailboxId: 0 });
    expect((await auditOf(target.user.userId))[0]!.changes).toEqual({
      authLevel: { old: 'MailboxUser', new: 'NetworkUser' },
      mailboxId: { old: world.mbA1.mailboxId, new: 0 },
    });
  });

  it('re-scopes into another network and mailbox (system caller); audit lists all three changes', async () => {
    const target = await inNetA('MailboxUser');
    const body = { userId: target.user.userId, authLevel: 'MailboxAdmin', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId };
    expect(expectOk(await setRole(world.techOps, body))).toMatchObject({ authLevel: 'MailboxAdmin', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId });
    expect((await auditOf(target.user.userId))[0]).toMatchObject({
      targetNetworkId: world.netB.networkId,
      changes: {
        authLevel: { old: 'MailboxUser', new: 'MailboxAdmin' },
        networkId: { old: world.netA.networkId, new: world.netB.networkId },
        mailboxId: { old: world.mbA1.mailboxId, new: world.mbB1.mailboxId },
      },
    });
  });

  it('a new network without a mailbox puts the user at mailbox 0; a level that needs a mailbox is then refused (400)', async () => {
    const networkLevel = await inNetA('NetworkUser', 0);
    expect(expectOk(await setRole(world.techOps, { userId: networkLevel.user.userId, authLevel: 'NetworkAdmin', networkId: world.netB.networkId })))
      .toMatchObject({ authLevel: 'NetworkAdmin', networkId: world.netB.networkId, mailboxId: 0 });

    const mailboxLevel = await inNetA('MailboxUser');
    const reply = await setRole(world.techOps, { userId: mailboxLevel.user.userId, authLevel: 'MailboxUser', networkId: world.netB.networkId });
    expectError(reply, 400, 'InvalidParameter', 'mailboxId');
    expect(reply.body.message).toBe('mailboxId: a MailboxUser must belong to a mailbox');
    expect(await stored(mailboxLevel.user.userId)).toEqual(mailboxLevel.user);
  });

  it('a level that lives in a mailbox needs one: a network-level user cannot become MailboxUser without a mailboxId', async () => {
    const target = await inNetA('NetworkUser', 0);
    const reply = await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'MailboxUser' });
    expectError(reply, 400, 'InvalidParameter', 'mailboxId');
    expect(expectOk(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'MailboxUser', mailboxId: world.mbA2.mailboxId })))
      .toMatchObject({ authLevel: 'MailboxUser', mailboxId: world.mbA2.mailboxId });
  });

  it('system levels may live in network 0; other levels may not', async () => {
    const target = await inNetA('NetworkAdmin', 0);
    expect(expectOk(await setRole(world.techOps, { userId: target.user.userId, authLevel: 'NetOps', networkId: 0 })))
      .toMatchObject({ authLevel: 'NetOps', networkId: 0, mailboxId: 0 });
    const other = await inNetA('NetworkUser', 0);
    const reply = await setRole(world.techOps, { userId: other.user.userId, authLevel: 'NetworkUser', networkId: 0 });
    expectError(reply, 400, 'InvalidParameter', 'networkId');
    expect(reply.body.message).toBe('networkId: a NetworkUser must belong to a network');
  });

  it('destination checks: a mailbox of another network, a missing or out-of-scope network (same words), a Terminated mailbox', async () => {
    const target = await inNetA('MailboxUser');
    const id = target.user.userId;
    const mismatch = await setRole(world.techOps, { userId: id, authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbB1.mailboxId });
    expectError(mismatch, 400, 'InvalidParameter', 'mailboxId');
    expect(mismatch.body.message).toBe('mailboxId: no such mailbox in this network');

    const outOfScope = await setRole(world.netAdminA, { userId: id, authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId });
    const missing = await setRole(world.netAdminA, { userId: id, authLevel: 'MailboxUser', networkId: 999_999, mailboxId: world.mbB1.mailboxId });
    expectError(outOfScope, 400, 'InvalidParameter', 'networkId');
    expect(outOfScope.body.message).toBe('networkId: no such network');
    expect(missing.body.message).toBe(outOfScope.body.message);

    const foreignMailbox = await setRole(world.mbAdminA1, { userId: id, authLevel: 'MailboxUser', mailboxId: world.mbA2.mailboxId });
    expectError(foreignMailbox, 400, 'InvalidParameter', 'mailboxId');
    expect(foreignMailbox.body.message).toBe('mailboxId: no such mailbox in this network');

    const terminated = await createMailbox(server, world.netA.networkId, { status: 'Terminated' });
    const dead = await setRole(world.netAdminA, { userId: id, authLevel: 'MailboxUser', mailboxId: terminated.mailboxId });
    expectError(dead, 400, 'InvalidParameter', 'mailboxId');
    expect(await stored(id)).toEqual(target.user);
  });

  it('moving into a Suspended network or mailbox is refused (400 naming the field)', async () => {
    const target = await inNetA('MailboxUser');
    const suspendedMailbox = await createMailbox(server, world.netA.networkId, { status: 'Suspended' });
    const reply = await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'MailboxUser', mailboxId: suspendedMailbox.mailboxId });
    expectError(reply, 400, 'InvalidParameter', 'mailboxId');
    expect(reply.body.message).toBe(`mailboxId: mailbox ${suspendedMailbox.mailboxId} is Suspended`);
    const suspendedNetwork = await createNetwork(server, { status: 'Suspended' });
    const toNetwork = await setRole(world.techOps, { userId: target.user.userId, authLevel: 'NetworkUser', networkId: suspendedNetwork.networkId });
    expectError(toNetwork, 400, 'InvalidParameter', 'networkId');
    expect(toNetwork.body.message).toBe(`networkId: network ${suspendedNetwork.networkId} is Suspended`);
    expect(await stored(target.user.userId)).toEqual(target.user);
  });

  it.each([
    [{ userId: 1043 }, 'authLevel: is required'],
    [{ authLevel: 'MailboxUser' }, 'userId: is required'],
    [{ userId: 1043, authLevel: 'NoChange' }, 'authLevel: must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser, General'],
    [{ userId: 1043, authLevel: 'Boss' }, 'authLevel: must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser, General'],
    [{ userId: 1043, authLevel: 6 }, 'authLevel: must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser, General'],
    [{ userId: 1043, authLevel: 'MailboxUser', networkId: -1 }, 'networkId: must be at least 0'],
    [{ userId: 1043, authLevel: 'MailboxUser', mailboxId: 'x' }, 'mailboxId: must be an integer'],
  ])('rejects %j naming the field', async (body, message) => {
    const before = await stored(1043);
    const reply = await api().post('/v2/users/role', body);
    expectError(reply, 400, 'InvalidParameter', message.split(':')[0]);
    expect(reply.body.message).toBe(message);
    expect(await stored(1043)).toEqual(before);
  });

  describe('permissions (admin, in scope, outranks, never self, never above own level)', () => {
    it('403 on oneself', async () => {
      expectError(await setRole(world.netAdminA, { userId: world.netAdminA.user.userId, authLevel: 'NetworkUser' }), 403, 'AccessDenied');
      expectError(await setRole(world.mbUserA1, { userId: world.mbUserA1.user.userId, authLevel: 'MailboxUser' }), 403, 'AccessDenied');
    });

    it('an admin sets a lower in-scope user to any level up to its own', async () => {
      const target = await inNetA('NetworkUser', 0);
      expect(expectOk(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'NetworkAdmin' })).authLevel).toBe('NetworkAdmin');
      const inMailbox = await inNetA('MailboxUser');
      expect(expectOk(await setRole(world.mbAdminA1, { userId: inMailbox.user.userId, authLevel: 'MailboxAdmin' })).authLevel).toBe('MailboxAdmin');
    });

    it('403 for a level above the caller\'s own, and nothing changes', async () => {
      const target = await inNetA('NetworkUser', 0);
      expectError(await setRole(world.netAdminA, { userId: target.user.userId, authLevel: 'NetOps', networkId: 0 }), 403, 'AccessDenied');
      expectError(await setRole(world.techOps, { userId: target.user.userId, authLevel: 'Root' }), 403, 'AccessDenied');
      expectError(await setRole(world.mbAdminA1, { userId: world.mbUserA1b.user.userId, authLevel: 'NetworkUser' }), 403, 'AccessDenied');
      expect(await stored(target.user.userId)).toEqual(target.user);
    });

    it('403 on an in-scope user of equal or higher level, and for a non-admin caller', async () => {
      const peer = await inNetA('NetworkAdmin', 0);
      expectError(await setRole(world.netAdminA, { userId: peer.user.userId, authLevel: 'NetworkUser' }), 403, 'AccessDenied');
      const peerMailboxAdmin = await inNetA('MailboxAdmin');
      expectError(await setRole(world.mbAdminA1, { userId: peerMailboxAdmin.user.userId, authLevel: 'MailboxUser' }), 403, 'AccessDenied');
      expectError(await setRole(world.netUserA, { userId: world.mbUserA1.user.userId, authLevel: 'TPUser' }), 403, 'AccessDenied');
      expect(await stored(peer.user.userId)).toEqual(peer.user);
    });

    it('404 out of scope, exactly like a missing user', async () => {
      const send = (userId: number) => setRole(world.netAdminA, { userId, authLevel: 'MailboxUser' });
      await expectLikeMissing(await send(world.mbUserB1.user.userId), world.mbUserB1.user.userId, send);
      // A mailbox-scoped caller does not see network-level users, nor other mailboxes.
      expectError(await setRole(world.mbAdminA1, { userId: world.netUserA.user.userId, authLevel: 'MailboxUser' }), 404, 'ObjectNotFound');
      expectError(await setRole(world.mbAdminA1, { userId: world.mbUserA2.user.userId, authLevel: 'TPUser' }), 404, 'ObjectNotFound');
    });
  });

  it('400 for a Terminated user', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    const reply = await api().post('/v2/users/role', { userId: target.user.userId, authLevel: 'TPUser' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect((await stored(target.user.userId)).authLevel).toBe('MailboxUser');
  });

  it('the last active Root cannot be demoted: two Roots demoting each other at once leave one', async () => {
    const r1 = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
    const r2 = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
    const rootId = (await server.store.users.findByLogin('root', { kind: 'system' }))[0]!.userId;
    const now = () => new Date().toISOString();
    await server.store.transaction((tx) => tx.users.update(rootId, { status: 'Suspended' }, now()));
    try {
      const [a, b] = await Promise.all([
        setRole(r1, { userId: r2.user.userId, authLevel: 'TechOps' }),
        setRole(r2, { userId: r1.user.userId, authLevel: 'TechOps' }),
      ]);
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
      const loser = a.status === 200 ? b : a;
      // 400 (last Root) when its check ran after the winner's commit with the old principal; 403 when it already authenticated as TechOps.
      expect([400, 403]).toContain(loser.status);
      if (loser.status === 400) expect(loser.body.message).toBe('authLevel: the last active Root cannot be suspended, terminated or demoted');
      expect(await server.store.users.countActiveRoots()).toBe(1);
    } finally {
      await server.store.transaction(async (tx) => {
        await tx.users.update(rootId, { status: 'Active' }, now());
        for (const id of [r1.user.userId, r2.user.userId]) await tx.users.update(id, { authLevel: 'Root' }, now());
      });
    }
  });
});

describe('POST /v2/users/set-network-mailbox', () => {
  const move = (caller: { key: string }, body: object) => as(caller).post<UserIDInfo>('/v2/users/set-network-mailbox', body);

  it('moves a user (example body: demo user 1043 to network 2, mailbox 205) and answers the updated user; audited', async () => {
    const before = await stored(1043);
    const data = expectOk(await api().post<UserIDInfo>('/v2/users/set-network-mailbox', { userId: 1043, networkId: 2, mailboxId: 205 }));
    expect(data).toMatchObject({ userId: 1043, networkId: 2, mailboxId: 205, authLevel: before.authLevel });
    expect(await stored(1043)).toMatchObject({ networkId: 2, mailboxId: 205, authLevel: before.authLevel });
    const [event] = await auditOf(1043);
    expect(event).toMatchObject({ action: 'user.set-network-mailbox', targetNetworkId: 2, targetMailboxId: 205 });
    expect(event!.changes).toEqual({ networkId: { old: 1, new: 2 }, mailboxId: { old: 101, new: 205 } });
    // back where the demo data has it, for the other tests
    expectOk(await api().post('/v2/users/set-network-mailbox', { userId: 1043, networkId: 1, mailboxId: 101 }));
  });

  it('moves a user to another mailbox of its network', async () => {
    const target = await inNetA('MailboxUser');
    expect(expectOk(await move(world.netAdminA, { userId: target.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId })))
      .toMatchObject({ networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId, authLevel: 'MailboxUser' });
    expect((await auditOf(target.user.userId))[0]!.changes).toEqual({ mailboxId: { old: world.mbA1.mailboxId, new: world.mbA2.mailboxId } });
  });

  it('a new network without mailboxId means mailbox 0: fine for a network level, 400 for a mailbox level', async () => {
    const networkUser = await inNetA('NetworkUser', world.mbA1.mailboxId);
    expect(expectOk(await move(world.techOps, { userId: networkUser.user.userId, networkId: world.netB.networkId })))
      .toMatchObject({ networkId: world.netB.networkId, mailboxId: 0 });
    const mailboxUser = await inNetA('MailboxUser');
    const reply = await move(world.techOps, { userId: mailboxUser.user.userId, networkId: world.netB.networkId });
    expectError(reply, 400, 'InvalidParameter', 'mailboxId');
    expect(reply.body.message).toBe('mailboxId: a MailboxUser must belong to a mailbox');
    expect(await stored(mailboxUser.user.userId)).toEqual(mailboxUser.user);
  });

  it('the same place again is no change: 200, nothing written', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await move(world.netAdminA, { userId: target.user.userId, networkId: world.netA.networkId }));
    expect(await stored(target.user.userId)).toEqual(target.user);
    expect(await auditOf(target.user.userId)).toEqual([]);
  });

  it('destination must exist and be in scope (same words for both), be in its network, and be live', async () => {
    const target = await inNetA('MailboxUser');
    const id = target.user.userId;
    const missing = await move(world.netAdminA, { userId: id, networkId: 999_999, mailboxId: 1 });
    const outOfScope = await move(world.netAdminA, { userId: id, networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId });
    expectError(missing, 400, 'InvalidParameter', 'networkId');
    expect(missing.body.message).toBe('networkId: no such network');
    expect(outOfScope.body.message).toBe(missing.body.message);

    const missingMailbox = await move(world.netAdminA, { userId: id, networkId: world.netA.networkId, mailboxId: 999_999 });
    const otherNetworksMailbox = await move(world.netAdminA, { userId: id, networkId: world.netA.networkId, mailboxId: world.mbB1.mailboxId });
    expectError(missingMailbox, 400, 'InvalidParameter', 'mailboxId');
    expect(missingMailbox.body.message).toBe('mailboxId: no such mailbox in this network');
    expect(otherNetworksMailbox.body.message).toBe(missingMailbox.body.message);

    const suspended = await createMailbox(server, world.netA.networkId, { status: 'Suspended' });
    const toSuspended = await move(world.netAdminA, { userId: id, networkId: world.netA.networkId, mailboxId: suspended.mailboxId });
    expectError(toSuspended, 400, 'InvalidParameter', 'mailboxId');
    expect(toSuspended.body.message).toBe(`mailboxId: mailbox ${suspended.mailboxId} is Suspended`);
    const terminated = await createMailbox(server, world.netA.networkId, { status: 'Terminated' });
    expectError(await move(world.netAdminA, { userId: id, networkId: world.netA.networkId, mailboxId: terminated.mailboxId }), 400, 'InvalidParameter', 'mailboxId');

    const suspendedNet = await createNetwork(server, { status: 'Suspended' });
    const suspendedNetMailbox = await createMailbox(server, suspendedNet.networkId);
    const toSuspendedNet = await move(world.techOps, { userId: id, networkId: suspendedNet.networkId, mailboxId: suspendedNetMailbox.mailboxId });
    expectError(toSuspendedNet, 400, 'InvalidParameter', 'networkId');
    expect(toSuspendedNet.body.message).toBe(`networkId: network ${suspendedNet.networkId} is Suspended`);

    const noNetwork = await move(world.techOps, { userId: id, networkId: 0, mailboxId: 0 });
    expectError(noNetwork, 400, 'InvalidParameter', 'networkId');
    expect(noNetwork.body.message).toBe('networkId: a MailboxUser must belong to a network');
    expect(await stored(id)).toEqual(target.user);
  });

  it('a mailbox-scoped admin moves users only within its own mailbox (others answer like missing)', async () => {
    const target = await inNetA('MailboxUser');
    const reply = await move(world.mbAdminA1, { userId: target.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId });
    expectError(reply, 400, 'InvalidParameter', 'mailboxId');
    expect(reply.body.message).toBe('mailboxId: no such mailbox in this network');
  });

  it.each([
    [{ userId: 1043 }, 'networkId: is required'],
    [{ networkId: 1 }, 'userId: is required'],
    [{ userId: 1043, networkId: 'one' }, 'networkId: must be an integer'],
    [{ userId: 1043, networkId: 1, mailboxId: -3 }, 'mailboxId: must be at least 0'],
    [{ userId: 1043, networkId: 2_147_483_648 }, 'networkId: must be at most 2147483647'],
  ])('rejects %j naming the field', async (body, message) => {
    const reply = await api().post('/v2/users/set-network-mailbox', body);
    expectError(reply, 400, 'InvalidParameter', message.split(':')[0]);
    expect(reply.body.message).toBe(message);
  });

  describe('permissions (admin, in scope, outranks, never self)', () => {
    it('403 on oneself', async () => {
      expectError(await move(world.netAdminA, { userId: world.netAdminA.user.userId, networkId: world.netA.networkId }), 403, 'AccessDenied');
    });

    it('an admin moves a lower in-scope user', async () => {
      const target = await inNetA('MailboxUser');
      expectOk(await move(world.netAdminA, { userId: target.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }));
    });

    it('403 on an equal or higher in-scope user, and for a non-admin', async () => {
      const peer = await inNetA('NetworkAdmin', 0);
      expectError(await move(world.netAdminA, { userId: peer.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }), 403, 'AccessDenied');
      expectError(await move(world.netUserA, { userId: world.mbUserA1.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }), 403, 'AccessDenied');
      expect(await stored(peer.user.userId)).toEqual(peer.user);
    });

    it('404 out of scope, exactly like a missing user', async () => {
      const send = (userId: number) => move(world.netAdminA, { userId, networkId: world.netA.networkId });
      await expectLikeMissing(await send(world.mbUserB1.user.userId), world.mbUserB1.user.userId, send);
    });
  });

  it('400 for a Terminated user', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    expectError(await api().post('/v2/users/set-network-mailbox', { userId: target.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }), 400, 'InvalidParameter', 'userId');
  });
});

describe('POST /v2/users/update-config', () => {
  const configure = (caller: { key: string }, body: object) => as(caller).post<boolean>('/v2/users/update-config', body);
  const EXAMPLE = { userId: 1043, company: 'Acme Corporation', phone: '+1 312 555 0100', cellPhone: '3125550143', cellCarrier: 'ATT', timeZoneOffset: -5 };

  it('stores the settings (example body), answers true, and the user object shows them; audit has old/new', async () => {
    const before = await stored(1043);
    expect(expectOk(await api().post<boolean>('/v2/users/update-config', EXAMPLE))).toBe(true);
    const shown = expectOk(await api().get<UserIDInfo>('/v2/users/1043'));
    expect(shown).toMatchObject({ company: 'Acme Corporation', phone: '+1 312 555 0100', cellPhone: '3125550143', cellCarrier: 'ATT', timeZoneOffset: -5 });
    expect(await stored(1043)).toMatchObject({ company: 'Acme Corporation', cellCarrier: 'ATT', timeZoneOffset: -5, version: before.version + 1 });
    const [event] = await auditOf(1043);
    expect(event).toMatchObject({ action: 'user.config' });
    expect(event!.changes).toEqual({
      company: { old: before.company, new: 'Acme Corporation' },
      phone: { old: before.phone, new: '+1 312 555 0100' },
      cellPhone: { old: before.cellPhone, new: '3125550143' },
      cellCarrier: { old: before.cellCarrier, new: 'ATT' },
      timeZoneOffset: { old: before.timeZoneOffset, new: -5 },
    });
  });

  it('absent and null leave fields alone, "" clears; carrier names and number strings are read leniently', async () => {
    const target = await inNetA('MailboxUser');
    const id = target.user.userId;
    expectOk(await configure(target, { userId: id, company: '  Initech  ', cellCarrier: 'verizon', timeZoneOffset: '5.5' }));
    expect(await stored(id)).toMatchObject({ company: 'Initech', cellCarrier: 'Verizon', timeZoneOffset: 5.5 });
    expectOk(await configure(target, { userId: id, company: '', cellCarrier: null, timeZoneOffset: null }));
    expect(await stored(id)).toMatchObject({ company: '', cellCarrier: 'Verizon', timeZoneOffset: 5.5 });
    expect(expectOk(await as(target).get<UserIDInfo>('/v2/users/me'))).toMatchObject({ company: '', cellCarrier: 'Verizon', timeZoneOffset: 5.5 });
  });

  it('a call that changes nothing writes nothing', async () => {
    const target = await inNetA('MailboxUser');
    expect(expectOk(await configure(target, { userId: target.user.userId, company: '' }))).toBe(true);
    expect(await stored(target.user.userId)).toEqual(target.user);
    expect(await auditOf(target.user.userId)).toEqual([]);
  });

  it.each([
    [{ company: 'x'.repeat(129) }, 'company: must be at most 128 characters'],
    [{ phone: '1'.repeat(33) }, 'phone: must be at most 32 characters'],
    [{ cellPhone: 'call me' }, 'cellPhone: has an invalid format'],
    [{ cellCarrier: 'Nokia' }, 'cellCarrier: must be one of Undefined, ATTCingular, Verizon, TMobile, SprintPCS, Nextel, Alltel, VirginMobile, ATT, BoostMobile, USCellular, MetroPCS, Powertel'],
    [{ cellCarrier: 2 }, 'cellCarrier: must be one of Undefined, ATTCingular, Verizon, TMobile, SprintPCS, Nextel, Alltel, VirginMobile, ATT, BoostMobile, USCellular, MetroPCS, Powertel'],
    [{ timeZoneOffset: 15 }, 'timeZoneOffset: must be at most 14'],
    [{ timeZoneOffset: -12.5 }, 'timeZoneOffset: must be at least -12'],
    [{ timeZoneOffset: 5.3 }, 'timeZoneOffset: must be a multiple of 0.25'],
    [{ timeZoneOffset: 'east' }, 'timeZoneOffset: must be a number'],
    [{ company: 7 }, 'company: must be a string'],
  ])('rejects %j naming the field, and changes nothing', async (fields, message) => {
    const before = await stored(1043);
    const reply = await api().post('/v2/users/update-config', { userId: 1043, ...fields });
    expectError(reply, 400, 'InvalidParameter', message.split(':')[0]);
    expect(reply.body.message).toBe(message);
    expect(await stored(1043)).toEqual(before);
  });

  it('requires userId', async () => {
    const reply = await api().post('/v2/users/update-config', { company: 'Nobody' });
    expectError(reply, 400, 'InvalidParameter', 'userId');
    expect(reply.body.message).toBe('userId: is required');
  });

  describe('permissions (own config: anyone; another user: admin, in scope, outranks)', () => {
    it('any active user updates its own config', async () => {
      for (const who of [world.mbUserA1, world.netUserA]) {
        expectOk(await configure(who, { userId: who.user.userId, phone: '555-0100' }));
        expect((await stored(who.user.userId)).phone).toBe('555-0100');
      }
    });

    it('an admin updates a lower in-scope user', async () => {
      expectOk(await configure(world.mbAdminA1, { userId: world.mbUserA1b.user.userId, company: 'By MailboxAdmin' }));
      expectOk(await configure(world.netAdminA, { userId: world.mbAdminA1.user.userId, company: 'By NetworkAdmin' }));
      expect((await stored(world.mbAdminA1.user.userId)).company).toBe('By NetworkAdmin');
    });

    it('403 on an equal or higher in-scope user, and for a non-admin on someone else', async () => {
      const peer = await inNetA('MailboxAdmin');
      expectError(await configure(world.mbAdminA1, { userId: peer.user.userId, company: 'No' }), 403, 'AccessDenied');
      expectError(await configure(world.mbUserA1, { userId: world.mbUserA1b.user.userId, company: 'No' }), 403, 'AccessDenied');
      expectError(await configure(world.netUserA, { userId: world.mbUserA1.user.userId, company: 'No' }), 403, 'AccessDenied');
      expect(await stored(peer.user.userId)).toEqual(peer.user);
    });

    it('404 out of scope, exactly like a missing user', async () => {
      const send = (userId: number) => configure(world.netAdminA, { userId, company: 'No' });
      await expectLikeMissing(await send(world.mbUserB1.user.userId), world.mbUserB1.user.userId, send);
      expect((await stored(world.mbUserB1.user.userId)).company).toBe('');
    });
  });

  it('400 for a Terminated user', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    expectError(await api().post('/v2/users/update-config', { userId: target.user.userId, company: 'Ghost' }), 400, 'InvalidParameter', 'userId');
  });
});

describe('POST /v2/users/reset/{id}', () => {
  const reset = (caller: { key: string }, userId: number | string) => as(caller).post<boolean>(`/v2/users/reset/${userId}`);

  it("revokes every live session of the user at once (example: demo user 1043), leaves others' alone; audited", async () => {
    const earlier = '2024-01-01T00:00:00.000Z';
    const live1 = await insertSession(server.database, 1043);
    const live2 = await insertSession(server.database, 1043);
    const alreadyRevoked = await insertSession(server.database, 1043, earlier);
    const other = await insertSession(server.database, 1042);

    expect(expectOk(await api().post<boolean>('/v2/users/reset/1043'))).toBe(true);
    const sessions = new Map((await readSessions(server.database, 1043)).map((s) => [s.sessionId, s.revokedAt]));
    expect(sessions.get(live1)).not.toBeNull();
    expect(sessions.get(live2)).not.toBeNull();
    expect(sessions.get(alreadyRevoked)).toBe(earlier);
    expect((await readSessions(server.database, 1042)).find((s) => s.sessionId === other)!.revokedAt).toBeNull();

    const [event] = await auditOf(1043);
    expect(event).toMatchObject({ action: 'user.reset-sessions', changes: { sessionsRevoked: { old: 0, new: 2 } } });
    expect(JSON.stringify(event)).not.toContain('test-refresh-hash');
  });

  it('answers true (and audits 0) for a user without sessions', async () => {
    const target = await inNetA('MailboxUser');
    expect(expectOk(await reset(world.netAdminA, target.user.userId))).toBe(true);
    expect((await auditOf(target.user.userId))[0]!.changes).toEqual({ sessionsRevoked: { old: 0, new: 0 } });
  });

  it('routes: the static path wins over /v2/users/{id}; other methods get 405', async () => {
    expect(expectOk(await api().get<UserIDInfo>('/v2/users/1043')).userId).toBe(1043);
    const wrongMethod = await api().get('/v2/users/reset/1043');
    expectError(wrongMethod, 405, 'InvalidParameter');
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['abc', 'id: must be an integer'],
    ['0', 'id: must be at least 1'],
    ['2147483648', 'id: must be at most 2147483647'],
  ])('rejects id %s naming it', async (id, message) => {
    const reply = await api().post(`/v2/users/reset/${id}`);
    expectError(reply, 400, 'InvalidParameter', 'id');
    expect(reply.body.message).toBe(message);
  });

  describe('permissions (own sessions: anyone; another user: admin, in scope, outranks)', () => {
    it('any active user resets its own sessions', async () => {
      const session = await insertSession(server.database, world.mbUserA1.user.userId);
      expectOk(await reset(world.mbUserA1, world.mbUserA1.user.userId));
      expect((await readSessions(server.database, world.mbUserA1.user.userId)).find((s) => s.sessionId === session)!.revokedAt).not.toBeNull();
    });

    it('an admin resets a lower in-scope user', async () => {
      expectOk(await reset(world.mbAdminA1, world.mbUserA1b.user.userId));
      expectOk(await reset(world.techOps, world.netAdminB.user.userId));
    });

    it('403 on an equal or higher in-scope user, or for a non-admin; nothing is revoked', async () => {
      const peer = await inNetA('NetworkAdmin', 0);
      const session = await insertSession(server.database, peer.user.userId);
      expectError(await reset(world.netAdminA, peer.user.userId), 403, 'AccessDenied');
      expectError(await reset(world.netUserA, world.mbUserA1.user.userId), 403, 'AccessDenied');
      expectError(await reset(world.mbUserA1, world.mbUserA1b.user.userId), 403, 'AccessDenied');
      expect((await readSessions(server.database, peer.user.userId)).find((s) => s.sessionId === session)!.revokedAt).toBeNull();
      expect(await auditOf(peer.user.userId)).toEqual([]);
    });

    it('404 out of scope, exactly like a missing user; nothing is revoked', async () => {
      const session = await insertSession(server.database, world.mbUserB1.user.userId);
      const send = (userId: number) => reset(world.netAdminA, userId);
      await expectLikeMissing(await send(world.mbUserB1.user.userId), world.mbUserB1.user.userId, send);
      expect((await readSessions(server.database, world.mbUserB1.user.userId)).find((s) => s.sessionId === session)!.revokedAt).toBeNull();
    });
  });

  it('400 for a Terminated user', async () => {
    const target = await inNetA('MailboxUser');
    expectOk(await api().delete(`/v2/users/${target.user.userId}`));
    expectError(await api().post(`/v2/users/reset/${target.user.userId}`), 400, 'InvalidParameter', 'id');
  });
});
