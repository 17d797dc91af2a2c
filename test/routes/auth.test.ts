/**
 * Sessions over HTTP (API.md §4): login and its matching rules, Bearer on
 * authenticated endpoints, the full login → refresh → logout flow, session
 * info, logout and the caller's own password change.
 */
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Api, expectError, expectOk } from '../support/http.js';
import { createMailbox, createNetwork, createUser, TEST_PASSWORD, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { login, loginReply, refreshReply, TokenApi, userEvents } from '../support/sessions.js';
import { hashPassword } from '../../src/security/passwords.js';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/security/tokens.js';
import type { SessionInfo, TokenInfo } from '../../src/contract/auth.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: World;
let api: Api;
useWorldServer((s, w) => ((server = s), (world = w), (api = s.api)));

const anonymous = () => new Api(server.url);
const bearer = (token: string) => new TokenApi(server.url, token);
const inMailboxA1 = (extra: { login?: string; email?: string } = {}) =>
  createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId, ...extra });
const within = (iso: string, expectedMs: number, slackMs = 5000) => expect(Math.abs(Date.parse(iso) - expectedMs)).toBeLessThan(slackMs);

describe('POST /v2/auth/login', () => {
  it('the documented example: user 4821 logs in and gets a TokenInfo whose token works as Bearer', async () => {
    const reply = await anonymous().post<TokenInfo>('/v2/auth/login', { login: 'jsmith@example.com', password: 'Sup3r$ecret!' });
    const info = expectOk(reply);
    expect(Object.keys(info)).toEqual(['token', 'expiresAt', 'userId', 'refreshToken']);
    expect(info.userId).toBe(4821);
    expect(info.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    within(info.expiresAt, Date.now() + 60 * 60_000);

    expect(decodeProtectedHeader(info.token)).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(info.token);
    expect(claims).toMatchObject({ sub: '4821', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, gen: 1 });
    expect(claims.exp).toBe(Date.parse(info.expiresAt) / 1000);

    const session = await server.store.sessions.findCredential(claims.sid as string);
    expect(session).toMatchObject({ generation: 1, revokedAt: null, user: { userId: 4821 } });
    within(session!.expiresAt, Date.now() + 24 * 3600_000);
    expect(session!.refreshHash).toMatch(/^[0-9a-f]{64}$/);
    expect(session!.refreshHash).not.toContain(info.refreshToken);

    const me = expectOk(await bearer(info.token).get<UserIDInfo>('/v2/users/me'));
    expect(me).toMatchObject({ userId: 4821, login: 'jsmith@example.com' });
    within(me.lastLogin!, Date.now());
  });

  it('accepts `email` as an alias of `login`, and matches logins regardless of case', async () => {
    const { user } = await inMailboxA1({ login: 'CamelLogin' });
    expect(expectOk(await anonymous().post<TokenInfo>('/v2/auth/login', { email: 'camellogin', password: TEST_PASSWORD })).userId).toBe(user.userId);
    expect(expectOk(await anonymous().post<TokenInfo>('/v2/auth/login', { LOGIN: 'CAMELLOGIN', Password: TEST_PASSWORD })).userId).toBe(user.userId);
  });

  it('tries the value as an e-mail address only when no login matches; a shared address matches nobody', async () => {
    const { user } = await inMailboxA1({ email: 'Only.Me@Example.org' });
    expect((await login(server.url, 'only.me@example.org')).userId).toBe(user.userId);

    await inMailboxA1({ email: 'shared@example.org' });
    await createUser(server, { authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId, email: 'shared@example.org' });
    const refused = await loginReply(server.url, 'shared@example.org');
    expectError(refused, 401, 'InvalidSession');

    // A login that looks like another user's address wins over the address (demo: 4821's login is 1042's e-mail).
    expect((await login(server.url, 'JSMITH@example.com', 'Sup3r$ecret!')).userId).toBe(4821);
  });

  it('a login that exists in several networks: the password decides; if it fits more than one, nobody is logged in', async () => {
    const a = await inMailboxA1({ login: 'twin' });
    const b = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId, login: 'Twin' });
    expectError(await loginReply(server.url, 'twin'), 401, 'InvalidSession');
    expect(await server.store.users.findById(a.user.userId)).toMatchObject({ failedLogins: 0, lastLogin: null });

    const otherHash = await hashPassword('Other-Passw0rd!');
    await server.store.transaction((tx) => tx.users.update(b.user.userId, { passwordHash: otherHash }, new Date().toISOString()));
    expect((await login(server.url, 'twin')).userId).toBe(a.user.userId);
    expect((await login(server.url, 'TWIN', 'Other-Passw0rd!')).userId).toBe(b.user.userId);

    // A password that fits neither is a failure of both.
    expectError(await loginReply(server.url, 'twin', 'Neither-Passw0rd!'), 401, 'InvalidSession');
    expect((await server.store.users.findById(a.user.userId))!.failedLogins).toBe(1);
    expect((await server.store.users.findById(b.user.userId))!.failedLogins).toBe(1);
  });

  it('a Terminated namesake takes no part: it neither makes the login ambiguous nor counts failures', async () => {
    const live = await inMailboxA1({ login: 'phoenix' });
    const gone = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId, login: 'phoenix' });
    expectOk(await api.delete(`/v2/users/${gone.user.userId}`));
    expect((await login(server.url, 'phoenix')).userId).toBe(live.user.userId);
    expectError(await loginReply(server.url, 'phoenix', 'Wrong-Passw0rd!'), 401, 'InvalidSession');
    expect((await server.store.users.findById(gone.user.userId))!.failedLogins).toBe(0);
    expect((await server.store.users.findById(live.user.userId))!.failedLogins).toBe(1);
  });

  it('wrong password, unknown login, suspended, terminated, locked out, suspended network or mailbox: one and the same 401', async () => {
    const wrong = await inMailboxA1();
    const reference = await loginReply(server.url, wrong.user.login, 'Wrong-Passw0rd!');
    expectError(reference, 401, 'InvalidSession');

    const suspended = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId, status: 'Suspended' });
    const terminated = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId, status: 'Terminated' });
    const locked = await inMailboxA1();
    await server.store.transaction((tx) => tx.users.update(locked.user.userId, { lockedUntil: new Date(Date.now() + 600_000).toISOString() }, new Date().toISOString()));
    const suspendedNet = await createNetwork(server, { status: 'Suspended' });
    const inSuspendedNet = await createUser(server, { authLevel: 'NetworkUser', networkId: suspendedNet.networkId, mailboxId: 0 });
    const terminatedMailbox = await createMailbox(server, world.netA.networkId, { status: 'Terminated' });
    const inTerminatedMailbox = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: terminatedMailbox.mailboxId });

    const attempts = [
      loginReply(server.url, 'no-such-login-anywhere'),
      loginReply(server.url, 'nobody@nowhere.example'),
      loginReply(server.url, suspended.user.login),
      loginReply(server.url, terminated.user.login),
      loginReply(server.url, locked.user.login),
      loginReply(server.url, inSuspendedNet.user.login),
      loginReply(server.url, inTerminatedMailbox.user.login),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status).toBe(401);
      expect(reply.text).toBe(reference.text);
    }
    // Refused with the right password: nothing was recorded as a login.
    for (const { user } of [suspended, terminated, locked, inSuspendedNet, inTerminatedMailbox]) {
      expect((await server.store.users.findById(user.userId))!.lastLogin).toBeNull();
    }
  });

  it.each([
    ['login', { password: TEST_PASSWORD }],
    ['login', { login: '', password: TEST_PASSWORD }],
    ['password', { login: 'someone' }],
    ['password', { login: 'someone', password: '' }],
    ['login', { login: 'someone', email: 'someone', password: TEST_PASSWORD }],
  ])('answers 400 naming %s for %j', async (field, body) => {
    expectError(await anonymous().post('/v2/auth/login', body), 400, 'InvalidParameter', field);
  });

  it('does not trim the password (a space is part of the secret)', async () => {
    const { user } = await inMailboxA1();
    expectError(await loginReply(server.url, user.login, ` ${TEST_PASSWORD}`), 401, 'InvalidSession');
    expect((await login(server.url, ` ${user.login} `)).userId).toBe(user.userId);
  });

  it('a login stamps lastLogin, resets the failure count, and is audited without password or token', async () => {
    const { user } = await inMailboxA1();
    expectError(await loginReply(server.url, user.login, 'Wrong-Passw0rd!'), 401, 'InvalidSession');
    expect((await server.store.users.findById(user.userId))!.failedLogins).toBe(1);

    const info = await login(server.url, user.login);
    const stored = (await server.store.users.findById(user.userId))!;
    expect(stored).toMatchObject({ failedLogins: 0, lockedUntil: null });
    within(stored.lastLogin!, Date.now());
    expect(stored.modified).toBe(user.modified);

    const [loginEvent, failureEvent] = await userEvents(server.store, user.userId);
    expect(loginEvent).toMatchObject({
      action: 'user.login',
      actorUserId: user.userId,
      changes: { lastLogin: { old: null, new: stored.lastLogin }, failedLogins: { old: 1, new: 0 } },
    });
    expect(loginEvent!.clientIp).not.toBe('');
    expect(failureEvent).toMatchObject({ action: 'user.password-rejected', actorUserId: null, changes: { failedLogins: { old: 0, new: 1 } } });
    const trail = JSON.stringify([loginEvent, failureEvent]);
    for (const secret of [TEST_PASSWORD, 'Wrong-Passw0rd!', info.token, info.refreshToken]) expect(trail).not.toContain(secret);
  });
});

describe('Authorization: Bearer on authenticated endpoints', () => {
  it('works exactly like X-API-Key: same data, same permissions, the same actor in the audit', async () => {
    const { user, key } = await inMailboxA1();
    const asToken = bearer((await login(server.url, user.login)).token);
    const asKey = api.as(key);
    expect(expectOk(await asToken.get('/v2/users/me'))).toEqual(expectOk(await asKey.get('/v2/users/me')));

    const updated = expectOk(await asToken.put<UserIDInfo>('/v2/users', { userId: user.userId, firstName: 'ViaToken' }));
    expect(updated.firstName).toBe('ViaToken');
    expect((await userEvents(server.store, user.userId, 1))[0]).toMatchObject({ action: 'user.update', actorUserId: user.userId });

    for (const [path, status] of [[`/v2/users/${world.mbUserA1b.user.userId}`, 403], [`/v2/users/${world.mbUserB1.user.userId}`, 404]] as const) {
      const viaToken = await asToken.delete(path);
      const viaKey = await asKey.delete(path);
      expectError(viaToken, status, status === 403 ? 'AccessDenied' : 'ObjectNotFound');
      expect(viaToken.text).toBe(viaKey.text);
    }
  });

  it('X-API-Key wins when both are present, even when the key is bad', async () => {
    const owner = await inMailboxA1();
    const { token } = await login(server.url, world.mbUserA1b.user.login);
    const me = expectOk(await api.as(owner.key).get<UserIDInfo>('/v2/users/me', { token }));
    expect(me.userId).toBe(owner.user.userId);
    expectError(await api.as('not-a-key').get('/v2/users/me', { token }), 401, 'InvalidAPIKey');
  });

  it('no credential: InvalidAPIKey; an empty, non-Bearer or malformed Authorization: InvalidSession', async () => {
    expectError(await anonymous().get('/v2/users/me'), 401, 'InvalidAPIKey');
    for (const authorization of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer not.a.jwt', 'Bearer a.b', `Bearer ${'x'.repeat(5000)}`]) {
      expectError(await anonymous().get('/v2/users/me', { headers: { Authorization: authorization } }), 401, 'InvalidSession');
    }
    // The scheme name is case-insensitive, like header names.
    const { token } = await login(server.url, world.mbUserA2.user.login);
    expectOk(await anonymous().get('/v2/users/me', { headers: { authorization: `bearer ${token}` } }));
  });
});

describe('the full flow: login → Bearer → session → refresh → old token refused → logout → refused', () => {
  it('runs over HTTP end to end', async () => {
    const { user } = await inMailboxA1();
    const first = await login(server.url, user.login);
    expect(expectOk(await bearer(first.token).get<UserIDInfo>('/v2/users/me')).userId).toBe(user.userId);

    const session = expectOk(await bearer(first.token).post<SessionInfo>('/v2/auth/session'));
    expect(session).toEqual({
      userId: user.userId, login: user.login, networkId: user.networkId, mailboxId: user.mailboxId,
      authLevel: 'MailboxUser', expiresAt: first.expiresAt, openSessions: 1,
    });

    const second = expectOk(await refreshReply(server.url, first.token));
    expect(second.userId).toBe(user.userId);
    expect(second.token).not.toBe(first.token);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(second.token)).toMatchObject({ sid: decodeJwt(first.token).sid, gen: 2 });
    expectError(await bearer(first.token).get('/v2/users/me'), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, first.token), 401, 'InvalidSession');
    expectOk(await bearer(second.token).get('/v2/users/me'));

    const logout = await bearer(second.token).post('/v2/auth/logout');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ success: true, data: null, errorCode: '', message: 'Session terminated.' });
    expectError(await bearer(second.token).get('/v2/users/me'), 401, 'InvalidSession');
    expectError(await bearer(second.token).post('/v2/auth/logout'), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, second.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, second.refreshToken), 401, 'InvalidSession');
    const stored = await server.store.sessions.findCredential(decodeJwt(second.token).sid as string);
    expect(stored!.revokedAt).not.toBeNull();
  });
});

describe('POST /v2/auth/session', () => {
  it('with an API key: expiresAt null; openSessions counts the user’s open Bearer sessions', async () => {
    const { user, key } = await inMailboxA1();
    expect(expectOk(await api.as(key).post<SessionInfo>('/v2/auth/session'))).toEqual({
      userId: user.userId, login: user.login, networkId: user.networkId, mailboxId: user.mailboxId,
      authLevel: 'MailboxUser', expiresAt: null, openSessions: 0,
    });
    const one = await login(server.url, user.login);
    const two = await login(server.url, user.login);
    expect(expectOk(await api.as(key).post<SessionInfo>('/v2/auth/session')).openSessions).toBe(2);
    expect(expectOk(await bearer(one.token).post<SessionInfo>('/v2/auth/session'))).toMatchObject({ expiresAt: one.expiresAt, openSessions: 2 });
    expectOk(await bearer(two.token).post('/v2/auth/logout'));
    expect(expectOk(await bearer(one.token).post<SessionInfo>('/v2/auth/session')).openSessions).toBe(1);
    expect(await server.store.sessions.countOpen(user.userId, new Date().toISOString())).toBe(1);
  });

  it('needs a credential', async () => {
    expectError(await anonymous().post('/v2/auth/session'), 401, 'InvalidAPIKey');
  });
});

describe('POST /v2/auth/logout', () => {
  it('with an API key: data null, "Session terminated.", and nothing is revoked', async () => {
    const { user, key } = await inMailboxA1();
    const { token } = await login(server.url, user.login);
    const reply = await api.as(key).post('/v2/auth/logout');
    expect(reply.body).toEqual({ success: true, data: null, errorCode: '', message: 'Session terminated.' });
    expectOk(await api.as(key).get('/v2/users/me'));
    expectOk(await bearer(token).get('/v2/users/me'));
  });

  it('ends only the caller’s session', async () => {
    const { user } = await inMailboxA1();
    const mine = await login(server.url, user.login);
    const other = await login(server.url, user.login);
    expectOk(await bearer(mine.token).post('/v2/auth/logout'));
    expectError(await bearer(mine.token).get('/v2/users/me'), 401, 'InvalidSession');
    expectOk(await bearer(other.token).get('/v2/users/me'));
  });
});

describe('PUT /v2/auth/password', () => {
  const NEW_PASSWORD = 'N3w-Passw0rd!';

  it('changes the password: old one refused at login, new one accepted; other sessions end, the caller’s stays; keys stay', async () => {
    const { user, key } = await inMailboxA1();
    const caller = await login(server.url, user.login);
    const other = await login(server.url, user.login);
    const reply = await bearer(caller.token).put('/v2/auth/password', { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ success: true, data: null, errorCode: '', message: 'Password updated successfully.' });

    expectError(await loginReply(server.url, user.login), 401, 'InvalidSession');
    expectOk(await loginReply(server.url, user.login, NEW_PASSWORD));
    expectOk(await bearer(caller.token).get('/v2/users/me'));
    expectError(await bearer(other.token).get('/v2/users/me'), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, other.refreshToken), 401, 'InvalidSession');
    expectOk(await api.as(key).get('/v2/users/me'));

    const stored = (await server.store.users.findById(user.userId))!;
    expect(stored.version).toBeGreaterThan(user.version);
    const change = (await userEvents(server.store, user.userId)).find((e) => e.action === 'user.password-change');
    expect(change).toMatchObject({ actorUserId: user.userId, changes: { password: { old: '[redacted]', new: '[redacted]' }, sessionsRevoked: { old: 0, new: 1 } } });
    const trail = JSON.stringify(await userEvents(server.store, user.userId));
    for (const secret of [TEST_PASSWORD, NEW_PASSWORD, caller.token, other.token, caller.refreshToken]) expect(trail).not.toContain(secret);
  });

  it('with an API key every Bearer session of the user ends', async () => {
    const { user, key } = await inMailboxA1();
    const session = await login(server.url, user.login);
    expectOk(await api.as(key).put('/v2/auth/password', { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }));
    expectError(await bearer(session.token).get('/v2/users/me'), 401, 'InvalidSession');
    expectOk(await loginReply(server.url, user.login, NEW_PASSWORD));
  });

  it('a wrong current password: 400 naming currentPassword, nothing changes, and it counts as a failed login', async () => {
    const { user, key } = await inMailboxA1();
    const reply = await api.as(key).put('/v2/auth/password', { currentPassword: 'Wrong-Passw0rd!', newPassword: NEW_PASSWORD });
    expectError(reply, 400, 'InvalidParameter', 'currentPassword');
    expectOk(await loginReply(server.url, user.login));
    const events = await userEvents(server.store, user.userId);
    expect(events.map((e) => e.action)).toEqual(['user.login', 'user.password-rejected']);
    expect(JSON.stringify(events)).not.toContain('Wrong-Passw0rd!');
  });

  it.each([
    ['newPassword', { currentPassword: TEST_PASSWORD, newPassword: 'short1!' }],
    ['newPassword', { currentPassword: TEST_PASSWORD, newPassword: 'nouppercase1!' }],
    ['newPassword', { currentPassword: TEST_PASSWORD }],
    ['currentPassword', { newPassword: NEW_PASSWORD }],
    ['newPassword', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }],
  ])('answers 400 naming %s for %j, and the password stays', async (field, body) => {
    const { user, key } = await inMailboxA1();
    expectError(await api.as(key).put('/v2/auth/password', body), 400, 'InvalidParameter', field);
    expectOk(await loginReply(server.url, user.login));
  });

  it('the documented body works through the stock field names in any case', async () => {
    const { user, key } = await inMailboxA1();
    expectOk(await api.as(key).put('/v2/auth/password', { CurrentPassword: TEST_PASSWORD, NEWPASSWORD: NEW_PASSWORD }));
    expectOk(await loginReply(server.url, user.login, NEW_PASSWORD));
  });

  it('needs a credential', async () => {
    expectError(await anonymous().put('/v2/auth/password', { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }), 401, 'InvalidAPIKey');
  });
});
