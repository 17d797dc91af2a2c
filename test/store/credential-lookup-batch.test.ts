/**
 * Credential lookups gathered by turn (Dialect.readsInBatches, src/store/turn-batch.ts):
 * on PostgreSQL the authentications of one event-loop turn are one statement
 * per kind of credential (API keys, sessions). Each must get exactly what it
 * would have got alone — its own key's or session's credential, the user it
 * names or none, null for one that does not exist — whatever else shares its
 * statement; inside a transaction nothing is gathered. On SQLite (reads
 * in-process) every lookup stays its own.
 */
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-keys.js';
import type { Repositories } from '../../src/store/store.js';
import { expectError, expectOk } from '../support/http.js';
import type { TestServer } from '../support/server.js';
import { login, TokenApi } from '../support/sessions.js';
import { useWorldServer, type World } from '../support/world-server.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)), {});

/**
 * Each lookup answered alone, one by one, each in a transaction of its own
 * (where nothing is gathered), then all of them asked for in one turn: the
 * same answers, in order. On PostgreSQL the turn took two statements of
 * `kind` (the first lookup goes at once, nothing being out; the rest together
 * when it is answered); SQLite gathers nothing. Returns the answers.
 */
async function expectTogetherAsAlone<L, A>(lookups: readonly L[], ask: (r: Repositories, lookup: L) => Promise<A>, kind: 'key' | 'session'): Promise<A[]> {
  const alone: A[] = [];
  for (const lookup of lookups) alone.push(await server.store.transaction((tx) => ask(tx, lookup)));
  const before = server.store.stats();
  const together = await Promise.all(lookups.map((lookup) => server.store.read((r) => ask(r, lookup))));
  const after = server.store.stats();
  expect(together).toEqual(alone);
  if (server.store.dialectName === 'postgres') {
    expect(after[`${kind}_lookups_total`]! - before[`${kind}_lookups_total`]!).toBe(lookups.length);
    expect(after[`${kind}_lookup_statements_total`]! - before[`${kind}_lookup_statements_total`]!).toBe(2);
  } else {
    expect(after[`${kind}_lookups_total`]).toBeUndefined();
  }
  return alone;
}

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
    const alone = await expectTogetherAsAlone(lookups, ask, 'key');
    expect(alone.filter((a) => a === null)).toHaveLength(2);
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
    const alone = await expectTogetherAsAlone(lookups, (r, id) => r.sessions.findCredential(id), 'session');
    expect(alone.map((a) => a?.user.userId ?? null)).toEqual([...users, null, users[0], ...[...users].reverse()]);
    expect(alone.filter((a) => a?.revokedAt)).toHaveLength(2);
  });

  it('authenticate concurrent requests of different callers each as itself (HTTP, one turn)', async () => {
    const callers = [world.mbAdminA1, world.mbUserA1, world.netAdminA, world.netAdminB, world.mbUserA2, world.mbUserA1b];
    const byKey = callers.map((caller) => ({ caller, api: server.api.as(caller.key) }));
    const byToken = await Promise.all(callers.slice(0, 3).map(async (caller) => ({ caller, api: new TokenApi(server.url, (await login(server.url, caller.user.login)).token) })));
    const answers = await Promise.all(
      [...byKey, ...byToken, ...byKey, ...byToken].map(async ({ caller, api }) => ({ caller, answer: await api.get('/v2/users/me') })),
    );
    for (const { caller, answer } of answers) expect((expectOk(answer) as { userId: number }).userId).toBe(caller.user.userId);
    const refused = await server.api.as('not-a-key').get(`/v2/users/${world.mbUserA1.user.userId}`);
    expectError(refused, 401, 'InvalidAPIKey');
  });
});
