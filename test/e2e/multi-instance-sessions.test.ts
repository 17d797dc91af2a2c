/**
 * Two server processes on one database, no ECGRID_JWT_SECRET: they agree on
 * the signing secret (generated once, kept in the database, even when both
 * need it at the same moment), and a session ended through one instance is
 * refused by the other on the very next request.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectError, expectOk } from '../support/http.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { loginReply, refreshReply, TokenApi } from '../support/sessions.js';
import type { SessionInfo, TokenInfo } from '../../src/contract/auth.js';
import type { UserIDInfo } from '../../src/contract/users.js';
import { limit } from '../support/timeouts.js';

let database: TestDatabase;
let a: ChildServer;
let b: ChildServer;
let rootKey: string;

beforeAll(async () => {
  database = await freshDatabase();
  rootKey = randomUUID();
  const env = { ...database.env, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'), ECGRID_ROOT_API_KEY: rootKey, ECGRID_DEMO: '1' };
  a = await startChildServer(env);
  b = await startChildServer(env);
}, limit(60_000));

afterAll(async () => {
  await a?.kill();
  await b?.kill();
  await database?.drop();
});

const PASSWORD = 'Sup3r$ecret!';
const me = (server: ChildServer, token: string) => new TokenApi(server.url, token).get<UserIDInfo>('/v2/users/me');

describe('sessions across two instances', () => {
  it('both instances need the secret at once: one is stored, and each instance accepts the other’s tokens', async () => {
    const [fromA, fromB] = (await Promise.all([loginReply(a.url, 'jsmith@example.com', PASSWORD), loginReply(b.url, 'jsmith@example.com', PASSWORD)])).map(
      (reply) => expectOk(reply),
    ) as [TokenInfo, TokenInfo];
    expect(expectOk(await me(b, fromA.token)).userId).toBe(4821);
    expect(expectOk(await me(a, fromB.token)).userId).toBe(4821);
  });

  it('refresh through B: A refuses the old token on the very next request and accepts the new one', async () => {
    const first = expectOk(await loginReply(a.url, 'jsmith@example.com', PASSWORD));
    const second = expectOk(await refreshReply(b.url, first.token));
    expectError(await me(a, first.token), 401, 'InvalidSession');
    expectOk(await me(a, second.token));
    const third = expectOk(await refreshReply(a.url, second.refreshToken));
    expectError(await me(b, second.token), 401, 'InvalidSession');
    expectOk(await me(b, third.token));
  });

  it('logout through A: B refuses the token on the very next request', async () => {
    const info = expectOk(await loginReply(b.url, 'jsmith@example.com', PASSWORD));
    expectOk(await me(a, info.token));
    expectOk(await new TokenApi(a.url, info.token).post('/v2/auth/logout'));
    expectError(await me(b, info.token), 401, 'InvalidSession');
    expectError(await refreshReply(b.url, info.refreshToken), 401, 'InvalidSession');
  });

  it('suspension through A ends the session on B; the session info on B counts sessions opened on A', async () => {
    const created = expectOk(
      await new Api(a.url, rootKey).post<UserIDInfo>('/v2/users', { login: 'roamer', password: PASSWORD, email: 'roamer@example.com', networkId: 1, mailboxId: 101 }),
    );
    const onA = expectOk(await loginReply(a.url, 'roamer', PASSWORD));
    const onB = expectOk(await loginReply(b.url, 'roamer', PASSWORD));
    expect(expectOk(await new TokenApi(b.url, onA.token).post<SessionInfo>('/v2/auth/session')).openSessions).toBe(2);
    expectOk(await new Api(a.url, rootKey).put('/v2/users', { userId: created.userId, status: 'Suspended' }));
    expectError(await me(b, onA.token), 401, 'InvalidSession');
    expectError(await me(b, onB.token), 401, 'InvalidSession');
  });
});
