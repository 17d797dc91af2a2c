/**
 * Regression (found by the authorization matrix on PostgreSQL): removing
 * different Roots at the same time deadlocked. Each request held its target's
 * row and then locked every active Root row to count them, so two requests
 * waited for each other's target; after the retries ran out the client got a
 * 500. The count is now serialized by one guard instead, and the invariant
 * "the last active Root can be neither suspended, terminated nor demoted" still
 * holds when the last two Roots race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, expectOk } from '../support/http.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const now = () => new Date().toISOString();
const newRoot = () => createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });

describe('removing Roots concurrently', () => {
  it('suspending and terminating many different Roots at once: every request succeeds (no deadlock, no 500)', async () => {
    const roots = await Promise.all(Array.from({ length: 12 }, newRoot));
    const replies = await Promise.all(
      roots.map(({ user }, i) =>
        i % 2 === 0 ? server.api.put('/v2/users', { userId: user.userId, status: 'Suspended' }) : server.api.delete(`/v2/users/${user.userId}`),
      ),
    );
    for (const reply of replies) expectOk(reply);
    for (const [i, { user }] of roots.entries()) {
      expect((await server.store.users.findById(user.userId))!.status).toBe(i % 2 === 0 ? 'Suspended' : 'Terminated');
    }
  });

  it('the last two active Roots suspending each other at once: exactly one stays Active, the other request is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await newRoot(), await newRoot()];
      // Every other Root out of the way: a and b are the last two.
      await server.store.transaction(async (tx) => {
        const active = await tx.users.list({ kind: 'system' }, { authLevel: 'Root', status: 'Active' }, { pageNo: 1, recordsPerPage: 500 });
        for (const root of active.users) if (![a.user.userId, b.user.userId].includes(root.userId)) await tx.users.update(root.userId, { status: 'Suspended' }, now());
      });
      const suspend = (caller: { key: string }, userId: number) => new Api(server.url, caller.key).put('/v2/users', { userId, status: 'Suspended' });
      const replies = await Promise.all([suspend(a, b.user.userId), suspend(b, a.user.userId)]);
      expect(replies.filter((r) => r.status === 200), replies.map((r) => r.text).join(' ')).toHaveLength(1);
      const loser = replies.find((r) => r.status !== 200)!;
      // 400 when it authenticated before the winner's commit; 401 when its own caller was already suspended.
      expect([400, 401]).toContain(loser.status);
      if (loser.status === 400) expect(loser.body.message).toBe('status: the last active Root cannot be suspended, terminated or demoted');
      expect(await server.store.users.countActiveRoots()).toBe(1);
    }
  });
});
