/**
 * PostgreSQL going away under a running server: connections killed mid-load
 * are answered with a clean 5xx envelope (or succeed), never a hang or a
 * crash, and the server recovers by itself; an unreachable database at start
 * is named clearly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectOk, type Reply } from '../support/http.js';
import { CLI, startChildServer, type ChildServer } from '../support/child-server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { runProcess } from '../support/process.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let database: TestDatabase;
let server: ChildServer;
let api: Api;

beforeAll(async () => {
  database = await freshDatabase();
  const env = { ...database.env, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'), ECGRID_ROOT_API_KEY: randomUUID(), ECGRID_DEMO: '1' };
  server = await startChildServer(env);
  api = new Api(server.url, env.ECGRID_ROOT_API_KEY);
}, 60_000);

afterAll(async () => {
  await server?.kill();
  await database?.drop();
});

/** Kills every connection the server holds (as an operator or a failover would). */
async function killServerConnections(): Promise<number> {
  const admin = new pg.Client({ connectionString: database.databaseUrl! });
  await admin.connect();
  try {
    const result = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'ecgrid-identity'",
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

function expectCleanAnswer(reply: Reply): void {
  expect(Object.keys(reply.body)).toEqual(['success', 'data', 'errorCode', 'message']);
  if (reply.status !== 200) {
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ success: false, errorCode: 'InternalError' });
    expect(reply.body.message).not.toMatch(/terminat|postgres|SQL|at \w+/i);
  }
}

describe('PostgreSQL connections dropped under load', () => {
  it('answers 200 or a clean 503 while connections are killed, never hangs, and recovers', async () => {
    expectOk(await api.get('/v2/users/1042'));
    let acknowledged = 0;
    const statuses = new Map<number, number>();
    for (let round = 0; round < 8; round++) {
      const load = Array.from({ length: 20 }, (_, i) =>
        api.put<UserIDInfo>('/v2/users', { userId: 1043, firstName: `R${round}I${i}`, lastName: `R${round}I${i}` }),
      );
      const killed = killServerConnections();
      const replies = await Promise.all(load);
      await killed;
      for (const reply of replies) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expectCleanAnswer(reply);
        if (reply.status === 200) {
          acknowledged++;
          expect(reply.body.data.firstName).toBe(reply.body.data.lastName);
        }
      }
    }
    expect(server.process.exitCode).toBeNull();
    expect(acknowledged).toBeGreaterThan(0);
    // Recovery: the pool replaces dead connections by itself.
    const after = expectOk(await api.get<UserIDInfo>('/v2/users/1043'));
    expect(after.firstName).toBe(after.lastName);
    console.log(`dropped-connection rounds: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('a request on a freshly killed idle pool still gets an answer, not a hang', async () => {
    await killServerConnections();
    const reply = await api.get('/v2/users/1042');
    expectCleanAnswer(reply);
    expectOk(await api.get('/v2/users/1042'));
  });
});

describe('PostgreSQL refusing connections', () => {
  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: database.databaseUrl!.replace(/\/[^/]*$/, '/postgres') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  it('answers a clean 503 within seconds while the database is unavailable, and recovers after', async () => {
    const name = new URL(database.databaseUrl!).pathname.slice(1);
    await admin(`alter database ${name} allow_connections false`);
    try {
      await killServerConnections().catch(() => 0);
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
      const started = Date.now();
      const replies = await Promise.all([api.get('/v2/users/1042'), api.put('/v2/users', { userId: 1043, firstName: 'Down' })]);
      for (const reply of replies) {
        expect(reply.status).toBe(503);
        expectCleanAnswer(reply);
      }
      expect(Date.now() - started).toBeLessThan(15_000);
      const ready = await new Api(server.url, null).get('/readyz');
      expect(ready.status).toBe(503);
      expectCleanAnswer(ready);
      expect((await new Api(server.url, null).get('/healthz')).status).toBe(200);
      expect(server.process.exitCode).toBeNull();
    } finally {
      await admin(`alter database ${name} allow_connections true`);
    }
    expectOk(await api.get('/v2/users/1042'));
    expect(expectOk(await new Api(server.url, null).get<{ status: string }>('/readyz')).status).toBe('ready');
    expect(expectOk(await api.get<UserIDInfo>('/v2/users/1043')).firstName).not.toBe('Down');
  });
});

describe('start-up with an unreachable database', () => {
  it('exits non-zero and names the database (without its password)', async () => {
    const result = await runProcess(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://ecgrid:s3cret@127.0.0.1:1/ecgrid', ECGRID_MASTER_KEY: randomBytes(32).toString('hex') },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot reach the PostgreSQL database postgres://ecgrid:***@127.0.0.1:1/ecgrid');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).not.toContain('s3cret');
  });
});
