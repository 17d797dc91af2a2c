/**
 * Crash safety: the server (a child process) is killed with SIGKILL in the
 * middle of concurrent PUT /v2/users and POST /v2/users; after a restart on
 * the same database every acknowledged write is there exactly as
 * acknowledged and nothing is half-written. And SIGTERM shuts down
 * gracefully: in-flight requests finish, the database is closed.
 */
import { existsSync, statSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectOk } from '../support/http.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { freshDatabase, DIALECT, type TestDatabase } from '../support/test-db.js';
import { openStore } from '../../src/store/open-store.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let database: TestDatabase;
let env: Record<string, string>;
let server: ChildServer | undefined;

beforeAll(async () => {
  database = await freshDatabase();
  env = { ...database.env, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'), ECGRID_ROOT_API_KEY: randomUUID(), ECGRID_DEMO: '1' };
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await database?.drop();
});

const USERS = 12;

describe('SIGKILL under load', () => {
  it('every acknowledged write survives exactly; nothing is half-written', async () => {
    server = await startChildServer(env);
    const api = new Api(server.url, env.ECGRID_ROOT_API_KEY);
    const targets: number[] = [];
    for (let i = 0; i < USERS; i++) {
      const user = expectOk(await api.post<UserIDInfo>('/v2/users', { login: `crash${i}`, password: 'Cr4sh!Safe', email: `crash${i}@example.com`, networkId: 1, mailboxId: 101 }));
      targets.push(user.userId);
    }

    // Per user, one PUT at a time with an increasing sequence number in all three fields.
    const lastAcked = new Map<number, number>();
    const lastSent = new Map<number, number>();
    const createdAcked = new Map<string, number>();
    let stop = false;
    const updater = async (userId: number) => {
      for (let seq = 1; !stop; seq++) {
        lastSent.set(userId, seq);
        try {
          const reply = await api.put<UserIDInfo>('/v2/users', { userId, firstName: `s${seq}`, lastName: `s${seq}`, email: `s${seq}.u${userId}@example.com` });
          if (reply.status === 200) {
            expect(reply.body.data).toMatchObject({ firstName: `s${seq}`, lastName: `s${seq}` });
            lastAcked.set(userId, seq);
          }
        } catch {
          return; // connection refused/reset: the server is gone
        }
      }
    };
    const creator = async (worker: number) => {
      for (let n = 0; !stop; n++) {
        const login = `new${worker}x${n}`;
        try {
          const reply = await api.post<UserIDInfo>('/v2/users', { login, password: 'Cr4sh!Safe', email: `${login}@example.com`, networkId: 1, mailboxId: 101 });
          if (reply.status === 200) createdAcked.set(login, reply.body.data.userId);
        } catch {
          return;
        }
      }
    };
    const load = [...targets.map(updater), creator(1), creator(2)];
    // Kill mid-load: once enough has been acknowledged to make the check meaningful (or after 10 s).
    const started = Date.now();
    const acked = () => [...lastAcked.values()].reduce((a, b) => a + b, 0);
    while ((acked() < 60 || createdAcked.size < 3) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(load);
    const acknowledgedPuts = acked();
    expect(acknowledgedPuts).toBeGreaterThanOrEqual(60);
    expect(createdAcked.size).toBeGreaterThan(0);

    // Restart on the same database; read the state directly and through the API.
    server = await startChildServer(env);
    const store = openStore({ databaseUrl: database.databaseUrl, sqliteFile: database.sqliteFile });
    try {
      for (const userId of targets) {
        const user = (await store.users.findById(userId))!;
        const seq = Number(user.firstName.slice(1));
        // Whole: the three fields come from one request.
        expect(user.lastName).toBe(user.firstName);
        expect(user.email).toBe(`s${seq}.u${userId}@example.com`);
        // Durable: not older than the last acknowledged write (a later unacknowledged one may have committed).
        expect(seq).toBeGreaterThanOrEqual(lastAcked.get(userId) ?? 0);
        expect(seq).toBeLessThanOrEqual(lastSent.get(userId) ?? 0);
        // Atomic with its audit event: updates 1..seq committed, so exactly seq update events exist.
        const { total } = await store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: userId }, { pageNo: 1, recordsPerPage: 1 });
        expect(total).toBe(seq + 1); // + the create event
      }
      for (const [login, userId] of createdAcked) {
        const [found] = await store.users.findByLogin(login, { kind: 'system' });
        expect(found?.userId).toBe(userId);
      }
      // Nothing half-written: every user created during the run has its audit event, and vice versa.
      const { users } = await store.users.list({ kind: 'system' }, { networkId: 1 }, { pageNo: 1, recordsPerPage: 500 });
      const created = users.filter((u) => u.login.startsWith('new'));
      expect(created.length).toBeGreaterThanOrEqual(createdAcked.size);
      for (const user of created) {
        const { events } = await store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: user.userId }, { pageNo: 1, recordsPerPage: 5 });
        expect(events.map((e) => e.action)).toContain('user.create');
      }
      console.log(
        `crash safety [${DIALECT}]: ${acknowledgedPuts} PUTs and ${createdAcked.size} creates acknowledged before SIGKILL; ` +
          `all ${USERS} updated users at or after their last acknowledged write, all ${createdAcked.size} acknowledged creates found ` +
          `(${created.length - createdAcked.size} more committed whose answers were lost in the kill)`,
      );
    } finally {
      await store.close();
    }
    const api2 = new Api(server.url, env.ECGRID_ROOT_API_KEY);
    expectOk(await api2.put('/v2/users', { userId: targets[0], firstName: 'after', lastName: 'after' }));
  }, 60_000);
});

describe('SIGTERM', () => {
  it('finishes in-flight requests, then closes the database and exits 0', async () => {
    await server?.kill('SIGKILL');
    server = await startChildServer(env);
    const api = new Api(server.url, env.ECGRID_ROOT_API_KEY);
    const inFlight = Array.from({ length: 30 }, (_, i) => api.put('/v2/users', { userId: 1043, firstName: `term${i}` }));
    // SIGTERM once the server is busy with the batch: the first answer is out, the rest are in flight.
    await Promise.race(inFlight);
    const exited = server.kill('SIGTERM');
    const replies = await Promise.allSettled(inFlight.map((p) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('request hung')), 15_000))])));
    expect(replies.filter((r) => r.status === 'rejected' && String(r.reason).includes('hung')), server.stderr()).toEqual([]);
    // Requests the server accepted are answered in full; none is cut off with a 5xx.
    for (const reply of replies) {
      if (reply.status === 'fulfilled') expect([200, 503]).toContain(reply.value.status);
    }
    expect(replies.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length).toBeGreaterThan(0);
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('no exit within 10 s'), 10_000))]), server.stderr()).toBe(0);
    expect(server.stderr()).toContain('SIGTERM');
    if (DIALECT === 'sqlite') {
      // Closed cleanly: the WAL was checkpointed into the database and truncated.
      const wal = `${database.sqliteFile}-wal`;
      expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    }
    server = undefined;
  }, 30_000);
});
