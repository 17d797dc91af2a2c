/** Operability: liveness, readiness, Prometheus metrics, and the headers every answer carries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
});
afterAll(() => server?.close());

describe('health, readiness and metrics', () => {
  it('/healthz and /readyz answer without a credential', async () => {
    expect(expectOk(await server.api.get('/healthz', { key: null }))).toEqual({ status: 'ok' });
    expect(expectOk(await server.api.get('/readyz', { key: null }))).toEqual({ status: 'ready' });
  });

  it('/metrics counts requests by route and status, with latency and store figures', async () => {
    await server.api.get('/v2/users/1042');
    await server.api.get('/v2/users/777777');
    expect((await fetch(`${server.url}/v2/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/auth/version`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/v2/auth/version`, { method: 'DELETE' })).status).toBe(405);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/ecgrid_http_requests_total\{route="\/v2\/users\/:id",method="GET",status="200"\} [1-9]/);
    expect(text).toMatch(/ecgrid_http_requests_total\{route="\/v2\/users\/:id",method="GET",status="404"\} [1-9]/);
    expect(text).toMatch(/ecgrid_http_request_duration_seconds_bucket\{le="0\.005",route="\/v2\/users\/:id"/);
    // Each route counts its own answers (HEAD under the GET's pattern); what no route matched, as unmatched.
    expect(text).toMatch(/ecgrid_http_requests_total\{route="\/v2\/auth\/version",method="HEAD",status="200"\} 1\n/);
    expect(text).toMatch(/ecgrid_http_requests_total\{route="unmatched",method="GET",status="404"\} [1-9]/);
    expect(text).toMatch(/ecgrid_http_requests_total\{route="unmatched",method="DELETE",status="405"\} 1\n/);
    // Counted once each: a route's hook and the hook for unmatched answers never both count one answer.
    expect(text).toMatch(/ecgrid_http_requests_total\{route="\/v2\/users\/:id",method="GET",status="404"\} 1\n/);
    expect(text).toMatch(/ecgrid_store\{figure="(pool_total|group_commits_total)"\}/);
    expect(text).toContain('ecgrid_process_resident_memory_bytes');
  });
});

describe('headers on every answer', () => {
  it('no caching, no sniffing, a request id — on success and on errors', async () => {
    for (const reply of [await server.api.get('/v2/users/me'), await server.api.get('/v2/nope', { key: null }), await server.api.get('/v2/users/me', { key: 'bad' })]) {
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a safe X-Request-Id from the client is kept; an unsafe one is replaced', async () => {
    const kept = await server.api.get('/v2/users/me', { headers: { 'X-Request-Id': 'trace-123.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-123.abc');
    const replaced = await server.api.get('/v2/users/me', { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('errors keep the envelope', async () => {
    expectError(await server.api.get('/v2/users/me', { key: 'bad' }), 401, 'InvalidAPIKey');
  });
});
