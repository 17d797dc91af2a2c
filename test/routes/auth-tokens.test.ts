/**
 * Token mechanics over HTTP: forged, tampered, `alg: none`, wrong-key and
 * expired tokens are refused; expiry with a short ECGRID_TOKEN_TTL; refresh
 * tokens (rotation, reuse detection, session end); the signing secret kept
 * sealed in the database survives a restart.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { Api, expectError, expectOk } from '../support/http.js';
import { createUser, startRecordedServer, startTestServer, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { rawExec } from '../support/raw-sql.js';
import { recordSecret } from '../support/secret-record.js';
import { login, refreshReply, TokenApi } from '../support/sessions.js';
import type { RunningServer } from '../../src/server.js';
import { hashRefreshToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/security/tokens.js';
import { JWT_SECRET_SETTING } from '../../src/services/signing-key.js';
import type { TokenInfo } from '../../src/contract/auth.js';
import type { UserIDInfo } from '../../src/contract/users.js';

const JWT_SECRET = `test-secret-${randomBytes(24).toString('hex')}`;
const SECRET_BYTES = new TextEncoder().encode(JWT_SECRET);

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)), { ECGRID_JWT_SECRET: JWT_SECRET });

const me = (url: string, token: string) => new TokenApi(url, token).get<UserIDInfo>('/v2/users/me');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs arbitrary claims the way an attacker (or the server) could. */
function sign(claims: JWTPayload, key: Uint8Array = SECRET_BYTES, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

function setSessionEnd(database: TestServer['database'], sessionId: string, iso: string) {
  const statement = `update sessions set expires_at = '${iso}' where session_id = '${sessionId}'`;
  return rawExec(database, { sqlite: statement, postgres: statement });
}

describe('tokens the server did not issue, or no longer honours: 401 InvalidSession', () => {
  let valid: TokenInfo;
  let claims: JWTPayload;

  beforeAll(async () => {
    valid = await login(server.url, world.mbUserA1.user.login);
    claims = decodeJwt(valid.token);
  });

  it('the forging machinery is sound: the same claims signed HS256 with the configured secret are accepted', async () => {
    expect(expectOk(await me(server.url, await sign(claims))).userId).toBe(world.mbUserA1.user.userId);
  });

  it('refuses a token whose payload or signature was altered', async () => {
    const [header, payload, signature] = valid.token.split('.') as [string, string, string];
    const elevated = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [`${header}.${elevated}.${signature}`, `${header}.${payload}.${flipped}`, `${header}.${payload}.`, `${header}.${payload}`]) {
      expectError(await me(server.url, token), 401, 'InvalidSession');
      expectError(await refreshReply(server.url, token), 401, 'InvalidSession');
    }
  });

  it('refuses `alg: none` (unsigned) tokens', async () => {
    const unsecured = new UnsecuredJWT(claims).encode();
    const handMade = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${valid.token.split('.')[1]}.`;
    for (const token of [unsecured, handMade]) {
      expectError(await me(server.url, token), 401, 'InvalidSession');
      expectError(await refreshReply(server.url, token), 401, 'InvalidSession');
    }
  });

  it('refuses a token signed with another key, or with the right key under another algorithm', async () => {
    for (const token of [await sign(claims, randomBytes(32)), await sign(claims, SECRET_BYTES, 'HS384'), await sign(claims, SECRET_BYTES, 'HS512')]) {
      expectError(await me(server.url, token), 401, 'InvalidSession');
      expectError(await refreshReply(server.url, token), 401, 'InvalidSession');
    }
  });

  it('refuses well-signed tokens with the wrong issuer, audience, subject, session, generation or expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { exp: _exp, ...withoutExp } = claims;
    const variants: JWTPayload[] = [
      { ...claims, iss: 'someone-else' },
      { ...claims, aud: 'another-api' },
      { ...claims, sub: String(world.netAdminA.user.userId) },
      { ...claims, sub: 'root' },
      { ...claims, sid: '00000000-0000-4000-8000-000000000000' },
      { ...claims, gen: 2 },
      { ...claims, gen: '1' },
      { ...claims, exp: now - 1 },
      withoutExp,
      { ...claims, sid: undefined },
    ];
    for (const variant of variants) {
      const token = await sign(variant);
      expectError(await me(server.url, token), 401, 'InvalidSession');
      expectError(await refreshReply(server.url, token), 401, 'InvalidSession');
    }
    // The original is still fine: nothing above touched the session.
    expectOk(await me(server.url, valid.token));
    expect(claims).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
  });

  it('refuses a correctly signed token of a revoked session', async () => {
    const fresh = await login(server.url, world.mbUserA2.user.login);
    expectOk(await new TokenApi(server.url, fresh.token).post('/v2/auth/logout'));
    const resigned = await sign(decodeJwt(fresh.token));
    expectError(await me(server.url, resigned), 401, 'InvalidSession');
  });
});

describe('refresh', () => {
  it('accepts the refresh token under `token` or `refreshToken`; each refresh token works once', async () => {
    const { user } = world.mbUserA1b;
    const first = await login(server.url, user.login);
    const session = await server.store.sessions.findCredential(decodeJwt(first.token).sid as string);
    expect(session!.refreshHash).toBe(hashRefreshToken(first.refreshToken));

    const second = expectOk(await new Api(server.url).post<TokenInfo>('/v2/auth/refresh', { refreshToken: first.refreshToken }));
    expect(second.userId).toBe(user.userId);
    expectError(await me(server.url, first.token), 401, 'InvalidSession');
    expectOk(await me(server.url, second.token));

    const third = expectOk(await refreshReply(server.url, second.refreshToken));
    expectOk(await me(server.url, third.token));
    expect(decodeJwt(third.token).gen).toBe(3);
  });

  it('a rotated refresh token presented again ends the whole session (reuse detection)', async () => {
    const first = await login(server.url, world.mbUserA1b.user.login);
    const second = expectOk(await refreshReply(server.url, first.refreshToken));
    expectError(await refreshReply(server.url, first.refreshToken), 401, 'InvalidSession');
    expectError(await me(server.url, second.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, second.refreshToken), 401, 'InvalidSession');
    expect((await server.store.sessions.findCredential(decodeJwt(first.token).sid as string))!.revokedAt).not.toBeNull();
  });

  it('is authenticated by the body alone: headers are not consulted', async () => {
    const target = await login(server.url, world.mbUserA2.user.login);
    const other = await login(server.url, world.netAdminA.user.login);
    const reply = await new Api(server.url, world.techOps.key).post<TokenInfo>(
      '/v2/auth/refresh',
      { token: target.token },
      { token: other.token },
    );
    expect(expectOk(reply).userId).toBe(world.mbUserA2.user.userId);
    const withBadKey = await new Api(server.url, 'not-a-key').post<TokenInfo>('/v2/auth/refresh', { token: reply.body.data.refreshToken });
    expect(expectOk(withBadKey).userId).toBe(world.mbUserA2.user.userId);
    expectError(await new Api(server.url, world.techOps.key).post('/v2/auth/refresh', {}, { token: other.token }), 400, 'InvalidParameter', 'token');
  });

  it.each([
    ['garbage', 'garbage'],
    ['a JWT-shaped string', 'a.b.c'],
    ['a refresh token of no session', `00000000-0000-4000-8000-000000000000.${randomBytes(32).toString('base64url')}`],
    ['a refresh token with a bad secret', `00000000-0000-4000-8000-000000000000.short`],
  ])('refuses %s', async (_what, token) => {
    expectError(await refreshReply(server.url, token), 401, 'InvalidSession');
  });

  it('refuses the tokens of a user who may no longer log in', async () => {
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const info = await login(server.url, user.login);
    await server.store.transaction((tx) => tx.users.update(user.userId, { status: 'Suspended' }, new Date().toISOString()));
    expectError(await refreshReply(server.url, info.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, info.refreshToken), 401, 'InvalidSession');
  });

  it('of two concurrent refreshes with the same token exactly one wins', async () => {
    const info = await login(server.url, world.mbUserA1.user.login);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => refreshReply(server.url, i % 2 ? info.token : info.refreshToken)));
    const winners = replies.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of replies.filter((r) => r.status !== 200)) expectError(loser, 401, 'InvalidSession');
    const session = await server.store.sessions.findCredential(decodeJwt(info.token).sid as string);
    expect(session!.generation).toBe(2);
  });

  it('never extends the session: tokens expire at the session’s end at the latest, and after it nothing refreshes', async () => {
    const info = await login(server.url, world.mbUserA1.user.login);
    const sessionId = decodeJwt(info.token).sid as string;
    const end = new Date(Date.now() + 10 * 60_000);
    end.setMilliseconds(0);
    await setSessionEnd(server.database, sessionId, end.toISOString());
    const refreshed = expectOk(await refreshReply(server.url, info.refreshToken));
    expect(refreshed.expiresAt).toBe(`${end.toISOString().slice(0, 19)}Z`);
    expect((await server.store.sessions.findCredential(sessionId))!.expiresAt).toBe(end.toISOString());

    await setSessionEnd(server.database, sessionId, new Date(Date.now() - 1000).toISOString());
    expectError(await me(server.url, refreshed.token), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, refreshed.refreshToken), 401, 'InvalidSession');
    expectError(await refreshReply(server.url, refreshed.token), 401, 'InvalidSession');
    // An ended session is of no further use: the user's next login deletes its row.
    await login(server.url, world.mbUserA1.user.login);
    expect(await server.store.sessions.findCredential(sessionId)).toBeNull();
  });
});

describe('expiry (ECGRID_TOKEN_TTL=2s)', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer({ ECGRID_TOKEN_TTL: '2s' });
  });
  afterAll(() => short?.close());

  it('a token works until its expiry and not after; the access token no longer refreshes, the refresh token does', async () => {
    const { user } = await createUser(short, { authLevel: 'TechOps', networkId: 0, mailboxId: 0 });
    const info = await login(short.url, user.login);
    expect(Date.parse(info.expiresAt) - Date.now()).toBeLessThanOrEqual(2000);
    expectOk(await me(short.url, info.token));
    await sleep(3000);
    expectError(await me(short.url, info.token), 401, 'InvalidSession');
    expectError(await refreshReply(short.url, info.token), 401, 'InvalidSession');

    const renewed = expectOk(await refreshReply(short.url, info.refreshToken));
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now());
    expectOk(await me(short.url, renewed.token));
    // The session itself (24 h) is still open: one session, counted once.
    expect(await short.store.sessions.countOpen(user.userId, new Date().toISOString())).toBe(1);
  });
});

describe('the signing secret', () => {
  it('is taken from ECGRID_JWT_SECRET when set (nothing stored)', async () => {
    expect(await server.store.settings.get(JWT_SECRET_SETTING)).toBeNull();
  });

  it('is otherwise generated once, kept sealed in the database, and survives a restart', async () => {
    const first = await startTestServer();
    let second: RunningServer | undefined;
    try {
      const { user } = await createUser(first, { authLevel: 'TechOps', networkId: 0, mailboxId: 0 });
      const info = await login(first.url, user.login);
      const sealed = await first.store.settings.get(JWT_SECRET_SETTING);
      expect(sealed).toMatch(/^v1\./);
      // Sealed under the master key: the stored value is not the secret; opened, it is.
      const secret = Buffer.from(first.services.vault.openSetting(JWT_SECRET_SETTING, sealed!), 'base64url');
      expect(secret).toHaveLength(32);
      recordSecret('JWT signing secret', secret.toString('base64url'));
      expect(sealed).not.toContain(secret.toString('base64url'));
      expectOk(await me(first.url, await sign(decodeJwt(info.token), secret)));

      await first.stop();
      second = await startRecordedServer(first.config);
      expect(expectOk(await me(second.url, info.token)).userId).toBe(user.userId);
      expect(await second.store.settings.get(JWT_SECRET_SETTING)).toBe(sealed);
      expectOk(await refreshReply(second.url, info.refreshToken));
    } finally {
      await second?.stop();
      await first.close();
    }
  });
});
