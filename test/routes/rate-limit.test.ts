/** Rate limits per credential and per client address: 429 RateLimitExceeded with Retry-After. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1', ECGRID_RATE_LIMIT: 'on', ECGRID_RATE_CREDENTIAL: '5', ECGRID_RATE_ANONYMOUS: '3' });
});
afterAll(() => server?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per credential', () => {
  it('allows twice the per-second rate as a burst, then answers 429 with Retry-After; other credentials are unaffected', async () => {
    const { key } = await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 });
    const replies = await Promise.all(Array.from({ length: 12 }, () => server.api.as(key).get('/v2/users/me')));
    const limited = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    expect(limited).toHaveLength(2);
    expectError(limited[0]!, 429, 'RateLimitExceeded');
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expectOk(await server.api.get('/v2/users/me'));
    await sleep(retryAfter * 1000 + 100);
    expectOk(await server.api.as(key).get('/v2/users/me'));
  });
});

describe('per client address without a valid credential', () => {
  it('limits public calls, unknown routes and failed authentications together', async () => {
    await sleep(1100);
    const first = await Promise.all([
      server.api.get('/v2/auth/version', { key: null }),
      server.api.get('/v2/nothing-here', { key: null }),
      server.api.get('/v2/users/me', { key: 'wrong-key' }),
    ]);
    expect(first.map((r) => r.status)).toEqual([200, 404, 401]);
    const over = await server.api.get('/v2/users/me', { key: 'wrong-key' });
    expectError(over, 429, 'RateLimitExceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A valid credential is not limited by the address counter.
    expectOk(await server.api.get('/v2/users/me'));
    await sleep(1100);
    expectOk(await server.api.get('/v2/auth/version', { key: null }));
  });

  it('operational endpoints are not limited', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => server.api.get('/healthz', { key: null })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });
});

describe('login attempts per login name and client address', () => {
  it('after the limit, further attempts for that name answer 429 before any password is checked; other names are free', async () => {
    const login = await startTestServer({ ECGRID_DEMO: '1', ECGRID_RATE_LIMIT: 'on', ECGRID_RATE_LOGIN: '3', ECGRID_RATE_ANONYMOUS: '100' });
    try {
      const attempt = (name: string, password = 'Wrong!Passw0rd') => login.api.post('/v2/auth/login', { login: name, password }, { key: null });
      for (let i = 0; i < 3; i++) expectError(await attempt('jsmith@example.com'), 401, 'InvalidSession');
      const limited = await attempt('JSMITH@example.com', 'Sup3r$ecret!');
      expectError(limited, 429, 'RateLimitExceeded');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1);
      // The limited attempts did not reach the password check: no lockout counted for them.
      expect((await login.store.users.findById(4821))!.failedLogins).toBe(3);
      expectError(await attempt('ajones'), 401, 'InvalidSession');
    } finally {
      await login.close();
    }
  });
});
