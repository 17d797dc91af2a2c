/**
 * Every way a Bearer session ends (API.md §4: logout, refresh, reset, suspend,
 * terminate; here also the owner's password change) answers 401
 * InvalidSession on the very next request — access token and refresh token
 * alike — and the token carries no authority of its own: the stored user and
 * its tenancy decide on every request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { expectError, expectOk } from '../support/http.js';
import { createMailbox, createNetwork, createUser, type TestServer } from '../support/server.js';
import { login, loginReply, refreshReply, startServerWithMailbox, TokenApi } from '../support/sessions.js';
import type { SessionInfo, TokenInfo } from '../../src/contract/auth.js';

let server: TestServer;
let networkId: number;
let mailboxId: number;

beforeAll(async () => {
  ({ server, networkId, mailboxId } = await startServerWithMailbox());
});
afterAll(() => server?.close());

const now = () => new Date().toISOString();
const newUser = () => createUser(server, { authLevel: 'MailboxUser', networkId, mailboxId });
const me = (token: string) => new TokenApi(server.url, token).get('/v2/users/me');

/** Both halves of a session are dead: the access token and the refresh token. */
async function expectDead(info: TokenInfo): Promise<void> {
  expectError(await me(info.token), 401, 'InvalidSession');
  expectError(await refreshReply(server.url, info.token), 401, 'InvalidSession');
  expectError(await refreshReply(server.url, info.refreshToken), 401, 'InvalidSession');
}

async function sessionRow(info: TokenInfo) {
  return (await server.store.sessions.findCredential(decodeJwt(info.token).sid as string))!;
}

describe('revocation paths', () => {
  it('logout', async () => {
    const { user } = await newUser();
    const info = await login(server.url, user.login);
    expectOk(await new TokenApi(server.url, info.token).post('/v2/auth/logout'));
    await expectDead(info);
    expect((await sessionRow(info)).revokedAt).not.toBeNull();
  });

  it('refresh: the presented token and the previous refresh token die, the new pair works', async () => {
    const { user } = await newUser();
    const old = await login(server.url, user.login);
    const fresh = expectOk(await refreshReply(server.url, old.token));
    expectError(await me(old.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, old.token), 401, 'InvalidSession');
    expectOk(await me(fresh.token));
    expectOk(await refreshReply(server.url, fresh.refreshToken));
  });

  it('suspend (PUT /v2/users status): every session ends and stays ended after reactivation; keys work again', async () => {
    const { user, key } = await newUser();
    const sessions = [await login(server.url, user.login), await login(server.url, user.login)];
    expectOk(await server.api.put('/v2/users', { userId: user.userId, status: 'Suspended' }));
    for (const info of sessions) await expectDead(info);
    expectError(await loginReply(server.url, user.login), 401, 'InvalidSession');

    expectOk(await server.api.put('/v2/users', { userId: user.userId, status: 'Active' }));
    for (const info of sessions) await expectDead(info);
    expect((await sessionRow(sessions[0]!)).revokedAt).not.toBeNull();
    expectOk(await server.api.as(key).get('/v2/users/me'));
    expectOk(await me((await login(server.url, user.login)).token));
  });

  it('terminate (DELETE /v2/users/{id}): every session ends for good', async () => {
    const { user } = await newUser();
    const info = await login(server.url, user.login);
    expectOk(await server.api.delete(`/v2/users/${user.userId}`));
    await expectDead(info);
    expect((await sessionRow(info)).revokedAt).not.toBeNull();
    expectError(await loginReply(server.url, user.login), 401, 'InvalidSession');
  });

  it('audit.insertCounting of a user’s sessions (what reset and an admin password change call in their transaction): all of the user’s sessions end, nobody else’s', async () => {
    const { user } = await newUser();
    const bystander = await newUser();
    const sessions = [await login(server.url, user.login), await login(server.url, user.login)];
    const other = await login(server.url, bystander.user.login);
    const event = {
      at: now(), actorUserId: null, action: 'test.revoke-sessions', targetType: 'user' as const, targetId: user.userId,
      targetNetworkId: user.networkId, targetMailboxId: user.mailboxId, changes: {}, requestId: 'test', clientIp: '127.0.0.1',
    };
    await server.store.transaction((tx) => tx.audit.insertCounting(event, 'sessionsRevoked', { sessionsOf: user.userId, at: now() }));
    const { events } = await server.store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: user.userId }, { pageNo: 1, recordsPerPage: 1 });
    const revoked = (events[0]?.changes.sessionsRevoked as { new: unknown } | undefined)?.new;
    expect(revoked).toBe(2);
    for (const info of sessions) await expectDead(info);
    expectOk(await me(other.token));
    expect(await server.store.sessions.countOpen(user.userId, now())).toBe(0);
    // The user can log in again: a reset ends sessions, not the account.
    expectOk(await me((await login(server.url, user.login)).token));
  });

  it('reset over HTTP (POST /v2/users/reset/{id}): every session of the user ends at once', async () => {
    const { user } = await newUser();
    const sessions = [await login(server.url, user.login), await login(server.url, user.login)];
    expect(expectOk(await server.api.post<boolean>(`/v2/users/reset/${user.userId}`))).toBe(true);
    for (const info of sessions) await expectDead(info);
  });

  it('an admin’s password change (POST /v2/users/password) ends the sessions when asked to, and only then', async () => {
    const { user } = await newUser();
    const kept = await login(server.url, user.login);
    expectOk(await server.api.post('/v2/users/password', { userId: user.userId, newPassword: 'Adm1n-Set-Passw0rd!' }));
    expectOk(await me(kept.token));
    expectError(await loginReply(server.url, user.login), 401, 'InvalidSession');

    const ended = await login(server.url, user.login, 'Adm1n-Set-Passw0rd!');
    expectOk(await server.api.post('/v2/users/password', { userId: user.userId, newPassword: 'Adm1n-Set-Passw0rd2!', revokeSessions: true }));
    for (const info of [kept, ended]) await expectDead(info);
  });

  it('own password change (PUT /v2/auth/password): the other sessions end', async () => {
    const { user } = await newUser();
    const caller = await login(server.url, user.login);
    const other = await login(server.url, user.login);
    expectOk(await new TokenApi(server.url, caller.token).put('/v2/auth/password', { currentPassword: 'Test-Passw0rd!', newPassword: 'Chang3d-Passw0rd!' }));
    await expectDead(other);
    expectOk(await me(caller.token));
  });
});

describe('the stored state decides on every request, not the token', () => {
  it('a network or mailbox suspended or terminated refuses its users’ tokens; reactivated, they work again (not revoked)', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    const info = await login(server.url, user.login);

    await server.store.transaction(async (tx) => tx.networks.updateHeld((await tx.networks.findByIdForUpdate(network.networkId))!, { status: 'Suspended' }, now()));
    await expectDead(info);
    await server.store.transaction(async (tx) => tx.networks.updateHeld((await tx.networks.findByIdForUpdate(network.networkId))!, { status: 'Active' }, now()));
    expectOk(await me(info.token));

    await server.store.transaction(async (tx) => tx.mailboxes.updateHeld((await tx.mailboxes.findByIdForUpdate(mailbox.mailboxId))!, { status: 'Terminated' }, now()));
    expectError(await me(info.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, info.refreshToken), 401, 'InvalidSession');
    expect((await sessionRow(info)).revokedAt).toBeNull();
  });

  it('a change of level or placement applies to an existing token at once', async () => {
    const { user } = await newUser();
    const info = await login(server.url, user.login);
    const otherMailbox = await createMailbox(server, networkId);
    await server.store.transaction((tx) => tx.users.update(user.userId, { authLevel: 'MailboxAdmin', mailboxId: otherMailbox.mailboxId }, now()));
    const session = expectOk(await new TokenApi(server.url, info.token).post<SessionInfo>('/v2/auth/session'));
    expect(session).toMatchObject({ authLevel: 'MailboxAdmin', mailboxId: otherMailbox.mailboxId });
  });
});
