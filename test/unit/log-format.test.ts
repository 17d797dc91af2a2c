/** Log format choice, the readable line, and the start banner (pure parts; serve.test.ts runs them for real). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { prettyLogStream, resolveLogFormat } from '../../src/http/log-format.js';
import { startBanner } from '../../src/cli/banner.js';

describe('log format', () => {
  it('auto is pretty on a terminal and json elsewhere; pretty and json are taken as given', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(resolveLogFormat('json', true)).toBe('json');
  });

  it('LOG_FORMAT is read in any case, defaults to auto, and a bad value is a configuration error', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'Pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be pretty or json/);
  });

  it('writes a request as one readable line: time, level, method, path, status, duration, request id', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const stream = await prettyLogStream(out, false);
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    stream.write(`${JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', reqId: 'req-1', method: 'GET', url: '/v2/users/me', statusCode: 200, responseTime: 3.14159, msg: 'request completed' })}\n`);
    stream.write(`${JSON.stringify({ level: 50, time: at, pid: 1, hostname: 'h', reqId: 'req-2', msg: 'request failed', err: { type: 'Error', message: 'boom' } })}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.678\] INFO: GET \/v2\/users\/me 200 3\.1 ms {2}\[req-1\]$/);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.678\] ERROR: request failed {2}\[req-2\]$/);
    expect(text).toContain('boom');
    expect(text).not.toMatch(/"level"|hostname|pid/);
  });
});

describe('start banner', () => {
  it('names the address, the store with its password masked, the demo data, the console and the API reference', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://ecgrid:s3cret-Passw0rd@db.internal:5432/ecgrid', ECGRID_MASTER_KEY: 'a'.repeat(64) });
    const banner = startBanner(config, { url: 'http://127.0.0.1:8080', demoLoaded: null });
    expect(banner).toContain('ecgrid-identity listening on http://127.0.0.1:8080\n');
    expect(banner).toMatch(/store +PostgreSQL database postgres:\/\/ecgrid:\*\*\*@db\.internal:5432\/ecgrid\n/);
    expect(banner).not.toContain('s3cret');
    expect(banner).toMatch(/demo data +not loaded/);
    expect(banner).toMatch(/console +http:\/\/127\.0\.0\.1:8080\/console\/\n/);
    expect(banner).toMatch(/API reference +http:\/\/127\.0\.0\.1:8080\/swagger\/ /);

    const sqlite = startBanner(loadConfig({ ECGRID_DB: '/srv/ecgrid/users.db' }), { url: 'http://0.0.0.0:9000', demoLoaded: ['network 1', 'user 1042'] });
    expect(sqlite).toMatch(/store +SQLite database \/srv\/ecgrid\/users\.db\n/);
    expect(sqlite).toMatch(/demo data +loaded now: network 1, user 1042\n/);
    expect(startBanner(loadConfig({}), { url: 'http://x', demoLoaded: [] })).toMatch(/demo data +loaded \(already present\)/);
  });
});
