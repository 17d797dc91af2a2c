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
      env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'loud', ECGRID_TOKEN_TTL: 'forever', DATABASE_URL: 'mysql://x' },
    });
    expect(result.status).toBe(2);
    for (const name of ['PORT', 'LOG_LEVEL', 'ECGRID_TOKEN_TTL', 'DATABASE_URL']) expect(result.stderr).toContain(`${name}:`);
  });

  it('--help lists every option', async () => {
    const result = await runProcess(process.execPath, [CLI, 'serve', '--help'], { env: { PATH: process.env.PATH } });
    expect(result.status).toBe(0);
    for (const flag of ['--port', '--db', '--database-url', '--demo', '--root-api-key', '--log-level']) expect(result.stdout).toContain(flag);
  });
});
