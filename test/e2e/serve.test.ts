/**
 * `ecgrid-identity serve` as a newcomer runs it: the built binary, flags and
 * environment, first start on an empty database, restarts, bad configuration.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, expectOk } from '../support/http.js';
import { CLI, startChildServer, type ChildServer } from '../support/child-server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { runProcess } from '../support/process.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let running: ChildServer | undefined;
let database: TestDatabase | undefined;

afterEach(async () => {
  await running?.kill();
  running = undefined;
  await database?.drop();
  database = undefined;
});

const masterKey = randomBytes(32).toString('hex');

describe('serve', () => {
  it('on an empty database creates root and prints its generated key once; a restart does not', async () => {
    database = await freshDatabase();
    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey });
    const match = /API key is ([0-9a-f-]{36})/.exec(running.stderr());
    expect(match, running.stderr()).not.toBeNull();
    const key = match![1]!;
    const me = expectOk(await new Api(running.url, key).get<UserIDInfo>('/v2/users/me'));
    expect(me).toMatchObject({ login: 'root', authLevel: 'Root', networkId: 0, mailboxId: 0, status: 'Active' });
    await running.kill();

    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey });
    expect(running.stderr()).not.toContain('API key is');
    expectOk(await new Api(running.url, key).get('/v2/users/me'));
  });

  it('takes flags (--demo, --root-api-key) as well as environment variables', async () => {
    database = await freshDatabase();
    const rootKey = randomUUID();
    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey }, ['--demo', '--root-api-key', rootKey]);
    expect(running.stderr()).not.toContain('API key is');
    const user = expectOk(await new Api(running.url, rootKey).get<UserIDInfo>('/v2/users/1042'));
    expect(user.login).toBe('jsmith');
  });

  it('reports every bad setting at once and exits with 2', async () => {
    const result = await runProcess(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'loud', LOG_FORMAT: 'yaml', ECGRID_TOKEN_TTL: 'forever', DATABASE_URL: 'mysql://x' },
    });
    expect(result.status).toBe(2);
    for (const name of ['PORT', 'LOG_LEVEL', 'ECGRID_TOKEN_TTL', 'DATABASE_URL', 'LOG_FORMAT']) expect(result.stderr).toContain(`${name}:`);
  });

  it('--help lists every option', async () => {
    const result = await runProcess(process.execPath, [CLI, 'serve', '--help'], { env: { PATH: process.env.PATH } });
    expect(result.status).toBe(0);
    for (const flag of ['--port', '--db', '--database-url', '--demo', '--root-api-key', '--log-level', '--log-format']) expect(result.stdout).toContain(flag);
  });
});

describe('logs and banner', () => {
  const DEMO_PASSWORD = 'Sup3r$ecret!';

  /** A few requests that carry secrets: a key, a login with a password, a wrong key. */
  async function exercise(url: string, key: string): Promise<string> {
    const me = await new Api(url, key).request('GET', '/v2/users/me');
    expect(me.status).toBe(200);
    const login = await new Api(url, null).request('POST', '/v2/auth/login', { login: 'jsmith@example.com', password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    expect((await new Api(url, `${key}-wrong`).request('GET', '/v2/users/me')).status).toBe(401);
    return me.headers.get('x-request-id')!;
  }

  it('--log-format pretty writes one readable line per request (time, level, method, path, status, duration, request id), no secret', async () => {
    database = await freshDatabase();
    const key = randomUUID();
    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey, LOG_LEVEL: 'trace' }, ['--demo', '--root-api-key', key, '--log-format', 'pretty']);
    const requestId = await exercise(running.url, key);
    await running.kill();
    const lines = running.stdout().trimEnd().split('\n');
    const line = lines.find((l) => l.includes(`[${requestId}]`) && l.includes('GET /v2/users/me'));
    expect(line, running.stdout()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/v2\/users\/me 200 \d+\.\d ms {2}\[[0-9a-f-]{36}\]$/);
    expect(lines.filter((l) => l.includes(`[${requestId}]`) && / (GET|POST) \//.test(l))).toHaveLength(1);
    expect(lines.some((l) => /INFO: POST \/v2\/auth\/login 200 /.test(l))).toBe(true);
    expect(lines.some((l) => /INFO: GET \/v2\/users\/me 401 /.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    for (const secret of [key, DEMO_PASSWORD, masterKey]) {
      expect(running.stdout()).not.toContain(secret);
      expect(running.stderr()).not.toContain(secret);
    }
  });

  it('LOG_FORMAT=json, and the default when the log is not a terminal, write JSON lines as before', async () => {
    database = await freshDatabase();
    const key = randomUUID();
    for (const format of ['json', undefined]) {
      running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey, LOG_LEVEL: 'info', ...(format ? { LOG_FORMAT: format } : {}) }, ['--demo', '--root-api-key', key]);
      const requestId = await exercise(running.url, key);
      await running.kill();
      const entries = running.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { reqId?: string; msg: string; res?: { statusCode: number } });
      expect(entries.filter((e) => e.reqId === requestId).map((e) => e.msg)).toEqual(['incoming request', 'request completed']);
      expect(entries.find((e) => e.reqId === requestId && e.res)?.res?.statusCode).toBe(200);
      expect(running.stdout()).not.toContain(key);
      expect(running.stdout()).not.toContain(DEMO_PASSWORD);
      running = undefined;
    }
  });

  it('the banner says where it listens, which store, whether demo data was loaded, and where the console and reference are', async () => {
    database = await freshDatabase();
    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey, ECGRID_ROOT_API_KEY: randomUUID() }, ['--demo']);
    const banner = running.stderr();
    expect(banner).toContain(`ecgrid-identity listening on ${running.url}\n`);
    const where = database.env.DATABASE_URL ? /store +PostgreSQL database postgres/ : new RegExp(`store +SQLite database ${database.env.ECGRID_DB!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`);
    expect(banner).toMatch(where);
    expect(banner).toMatch(/demo data +loaded now: network 1, /);
    expect(banner).toContain(`console        ${running.url}/console/`);
    expect(banner).toContain(`API reference  ${running.url}/swagger/`);
    expect((await fetch(`${running.url}/swagger/`)).status).toBe(200);
    await running.kill();
    running = await startChildServer({ ...database.env, ECGRID_MASTER_KEY: masterKey }, ['--demo']);
    expect(running.stderr()).toMatch(/demo data +loaded \(already present\)/);
  });
});
