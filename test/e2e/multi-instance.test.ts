/**
 * Two server processes sharing one database (PostgreSQL in production; the
 * same holds for two processes on one SQLite file): no torn updates, unique
 * logins under a race, and no stale authentication across instances.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectError, expectOk } from '../support/http.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import type { UserIDInfo } from '../../src/contract/users.js';
import { limit } from '../support/timeouts.js';

let database: TestDatabase;
let a: ChildServer;
let b: ChildServer;
let apiA: Api;
let apiB: Api;

beforeAll(async () => {
  database = await freshDatabase();
  const env = { ...database.env, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'), ECGRID_ROOT_API_KEY: randomUUID(), ECGRID_DEMO: '1' };
  a = await startChildServer(env);
  b = await startChildServer(env);
  apiA = new Api(a.url, env.ECGRID_ROOT_API_KEY);
  apiB = new Api(b.url, env.ECGRID_ROOT_API_KEY);
}, limit(60_000));

afterAll(async () => {
  await a?.kill();
  await b?.kill();
  await database?.drop();
});

async function createUser(api: Api, login: string): Promise<UserIDInfo> {
  return expectOk(
    await api.post<UserIDInfo>('/v2/users', { login, password: 'Multi!Inst4nce', email: `${login}@example.com`, networkId: 1, mailboxId: 101 }),
  );
}

describe('two instances on one database', () => {
  it('concurrent PUT /v2/users on one user never mixes two requests’ fields', async () => {
    const user = await createUser(apiA, 'torn');
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const bodyA = { userId: user.userId, email: `a${round}@example.com`, firstName: `A${round}`, lastName: `A${round}` };
      const bodyB = { userId: user.userId, email: `b${round}@example.com`, firstName: `B${round}`, lastName: `B${round}` };
      const [ra, rb] = await Promise.all([apiA.put<UserIDInfo>('/v2/users', bodyA), apiB.put<UserIDInfo>('/v2/users', bodyB)]);
      // Each answer is exactly its own write (read back inside its transaction)…
      expect(expectOk(ra)).toMatchObject({ email: bodyA.email, firstName: bodyA.firstName, lastName: bodyA.lastName });
      expect(expectOk(rb)).toMatchObject({ email: bodyB.email, firstName: bodyB.firstName, lastName: bodyB.lastName });
      // …and the stored row is one of the two, whole.
      const stored = expectOk(await apiB.get<UserIDInfo>(`/v2/users/${user.userId}`));
      const winner = stored.firstName.startsWith('A') ? bodyA : bodyB;
      expect(stored).toMatchObject({ email: winner.email, firstName: winner.firstName, lastName: winner.lastName });
    }
  });

  it('exactly one of N concurrent creates of one login wins; the rest get DuplicateObject', async () => {
    const n = 12;
    const replies = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 ? apiA : apiB).post('/v2/users', { login: 'RaceLogin', password: 'Multi!Inst4nce', email: `race${i}@example.com`, networkId: 1, mailboxId: 101 }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) expectError(reply, 400, 'DuplicateObject', 'login');
    expect(expectOk(await apiA.post<UserIDInfo[]>('/v2/users/by-name', { login: 'racelogin' }))).toHaveLength(1);
  });

  it('a key replaced through A is refused by B on the very next request', async () => {
    const user = await createUser(apiA, 'rotator');
    const oldKey = expectOk(await apiA.post<string>(`/v2/users/key-generate/${user.userId}`));
    expectOk(await new Api(b.url, oldKey).get('/v2/users/me'));
    const newKey = expectOk(await apiA.post<string>(`/v2/users/key-generate/${user.userId}`));
    expectError(await new Api(b.url, oldKey).get('/v2/users/me'), 401, 'InvalidAPIKey');
    expectOk(await new Api(b.url, newKey).get('/v2/users/me'));
  });

  it('a user suspended through A is refused by B on the very next request, and admitted after reactivation', async () => {
    const user = await createUser(apiB, 'suspendme');
    const key = expectOk(await apiB.post<string>(`/v2/users/key-generate/${user.userId}`));
    const asUserOnB = new Api(b.url, key);
    expectOk(await asUserOnB.get('/v2/users/me'));
    expectOk(await apiA.put('/v2/users', { userId: user.userId, status: 'Suspended' }));
    expectError(await asUserOnB.get('/v2/users/me'), 401, 'InvalidAPIKey');
    expectOk(await apiA.put('/v2/users', { userId: user.userId, status: 'Active' }));
    expectOk(await asUserOnB.get('/v2/users/me'));
    expectOk(await apiA.delete(`/v2/users/${user.userId}`));
    expectError(await asUserOnB.get('/v2/users/me'), 401, 'InvalidAPIKey');
  });
});
