/**
 * Credential lookups gathered by turn (Dialect.readsInBatches, src/store/turn-batch.ts):
 * on PostgreSQL the authentications of one event-loop turn are one statement
 * per kind of credential (API keys, sessions). Each must get exactly what it
 * would have got alone — its own key's or session's credential, the user it
 * names or none, null for one that does not exist — whatever else shares its
 * statement; inside a transaction nothing is gathered. On SQLite (reads
 * in-process) every lookup stays its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-keys.js';
import type { Repositories } from '../../src/store/store.js';
import { expectError, expectOk } from '../support/http.js';
import { createWorld, startTestServer, type TestServer } from '../support/server.js';
import { login, TokenApi } from '../support/sessions.js';

let server: TestServer;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server);
});
afterAll(() => server?.close());

describe('credential lookups of one turn', () => {
  it('answer each key lookup as it is answered alone, in two statements on PostgreSQL', async () => {
    const callers = [world.mbAdminA1, world.mbUserA1, world.netAdminA, world.netAdminB, world.mbUserA2];
    const targets = [world.mbUserA1b, world.netUserA, world.mbAdminA1].map((u) => u.user.userId);
    // Every caller with every target, a missing user and none; and keys that match nothing.
    const lookups = callers.flatMap((caller) => [
      ...targets.map((target) => ({ keyHash: hashApiKey(caller.key), userId: target as number | null })),
      { keyHash: hashApiKey(caller.key), userId: 2_000_000_000 },
      { keyHash: hashApiKey(caller.key), userId: null },
    ]);
    lookups.splice(7, 0, { keyHash: hashApiKey('no-such-key'), userId: targets[0]! }, { keyHash: hashApiKey('nor-this-one'), userId: null });
    const ask = (r: Repositories, l: (typeof lookups)[number]): Promise<unknown> =>
      l.userId === null ? r.keys.findCredential(l.keyHash) : r.keys.findCredentialReadingUser(l.keyHash, l.userId);

    // Alone: one by one, each inside a transaction of its own, where nothing is gathered.
    const alone = [];
    for (const l of lookups) alone.push(await server.store.transaction((tx) => ask(tx, l)));
    expect(alone.filter((a) => a === null)).toHaveLength(2);

    const before = server.store.stats();
    const together = await Promise.all(lookups.map((l) => server.store.read((r) => ask(r, l))));
    const after = server.store.stats();
    expect(together).toEqual(alone);

    if (server.store.dialectName === 'postgres') {
      // The first goes at once, alone (nothing was out); the rest together when it is answered.
      expect(after.key_lookups_total! - before.key_lookups_total!).toBe(lookups.length);
      expect(after.key_lookup_statements_total! - before.key_lookup_statements_total!).toBe(2);
    } else {
      expect(after.key_lookups_total).toBeUndefined();
    }
  });

  it('answer each session lookup as it is answered alone, in two statements on PostgreSQL', async () => {
    const now = new Date();
    const users = [world.mbAdminA1, world.mbUserA1, world.netAdminA, world.netAdminB].map((u) => u.user.userId);
    const ids = await server.store.transaction(async (tx) => {
      const made: string[] = [];
      for (const [n, userId] of users.entries()) {
        const sessionId = `batch-${n}-${now.getTime()}`;
        await tx.sessions.insert({ sessionId, userId, refreshHash: `refresh-${n}`, created: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString() });
        made.push(sessionId);
      }
      // A revoked session is still found: whether it is honoured is the caller's decision.
      await tx.sessions.revoke(made[1]!, now.toISOString());
      return made;
    });
    const lookups = [...ids, 'no-such-session', ids[0]!, ...[...ids].reverse()];
    const alone = [];
    for (const id of lookups) alone.push(await server.store.transaction((tx) => tx.sessions.findCredential(id)));
    expect(alone.map((a) => a?.user.userId ?? null)).toEqual([...users, null, users[0], ...[...users].reverse()]);
    expect(alone.filter((a) => a?.revokedAt)).toHaveLength(2);

    const before = server.store.stats();
    const together = await Promise.all(lookups.map((id) => server.store.read((r) => r.sessions.findCredential(id))));
    const after = server.store.stats();
    expect(together).toEqual(alone);
    if (server.store.dialectName === 'postgres') {
      expect(after.session_lookups_total! - before.session_lookups_total!).toBe(lookups.length);
      expect(after.session_lookup_statements_total! - before.session_lookup_statements_total!).toBe(2);
    } else {
      expect(after.session_lookups_total).toBeUndefined();
    }
  });

  it('authenticate concurrent requests of different callers each as itself (HTTP, one turn)', async () => {
    const callers = [world.mbAdminA1, world.mbUserA1, world.netAdminA, world.netAdminB, world.mbUserA2, world.mbUserA1b];
    const answers = await Promise.all(
      [...callers, ...callers].map(async (caller) => ({ caller, answer: await server.api.as(caller.key).get('/v2/users/me') })),
    );
    for (const { caller, answer } of answers) expect((expectOk(answer) as { userId: number }).userId).toBe(caller.user.userId);
    const byToken = await Promise.all(callers.slice(0, 3).map(async (caller) => ({ caller, api: new TokenApi(server.url, (await login(server.url, caller.user.login)).token) })));
    const tokenAnswers = await Promise.all(
      [...byToken, ...byToken].map(async ({ caller, api }) => ({ caller, answer: await api.get('/v2/users/me') })),
    );
    for (const { caller, answer } of tokenAnswers) expect((expectOk(answer) as { userId: number }).userId).toBe(caller.user.userId);
    const refused = await server.api.as('not-a-key').get(`/v2/users/${world.mbUserA1.user.userId}`);
    expectError(refused, 401, 'InvalidAPIKey');
  });
});
