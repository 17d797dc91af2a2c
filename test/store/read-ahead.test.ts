/**
 * GET /v2/users/{id} by API key reads the credential and the named user in
 * one statement (issue 16: `KeyQueries.findCredentialReadingUser`, the
 * route's `readsUser` config). The read ahead is only a row: the answers
 * must be exactly those of the two-statement path, which a bearer token
 * still takes — same body and ETag in scope, the same 404 out of scope as
 * for a missing user, 401 for a bad key whatever the id names — and never a
 * stale row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-keys.js';
import { createUser, createWorld, startTestServer, type TestServer } from '../support/server.js';
import { expectError, expectOk } from '../support/http.js';
import { login, TokenApi } from '../support/sessions.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server);
});
afterAll(() => server?.close());

describe('KeyQueries.findCredentialReadingUser', () => {
  it('returns the same credential as findCredential, and the named user as findById reads it', async () => {
    const caller = world.mbAdminA1;
    const keyHash = hashApiKey(caller.key);
    const alone = await server.store.read((r) => r.keys.findCredential(keyHash));
    const target = world.mbUserA1.user.userId;
    const both = await server.store.read((r) => r.keys.findCredentialReadingUser(keyHash, target));
    expect(alone).not.toBeNull();
    expect(both?.credential).toEqual(alone);
    expect(both?.user).toEqual(await server.store.users.findById(target));
  });

  it('answers user null for an id no user has, and null altogether for an unknown key', async () => {
    const keyHash = hashApiKey(world.mbAdminA1.key);
    const missing = await server.store.read((r) => r.keys.findCredentialReadingUser(keyHash, 2_000_000_000));
    expect(missing?.credential.user.userId).toBe(world.mbAdminA1.user.userId);
    expect(missing?.user).toBeNull();
    const unknown = await server.store.read((r) => r.keys.findCredentialReadingUser(hashApiKey('no-such-key'), world.mbUserA1.user.userId));
    expect(unknown).toBeNull();
  });
});

describe('AuthService.authenticate with a user to read', () => {
  it('carries the row read ahead for an API key, and none for a bearer token', async () => {
    const target = world.mbUserA1.user.userId;
    const byKey = await server.services.auth.authenticate({ apiKey: world.mbAdminA1.key, bearer: undefined }, target);
    expect(byKey.principal.userId).toBe(world.mbAdminA1.user.userId);
    expect(byKey.readAhead).toEqual({ userId: target, user: await server.store.users.findById(target) });
    const { token } = await login(server.url, world.mbAdminA1.user.login);
    const byToken = await server.services.auth.authenticate({ apiKey: undefined, bearer: token }, target);
    expect(byToken.principal.userId).toBe(world.mbAdminA1.user.userId);
    expect(byToken.readAhead).toBeUndefined();
  });
});

describe('GET /v2/users/{id}: read ahead by key, read after by token', () => {
  it('answers the same body and ETag either way, for every user the caller may and may not see', async () => {
    const caller = world.mbAdminA1;
    const byKey = server.api.as(caller.key);
    const byToken = new TokenApi(server.url, (await login(server.url, caller.user.login)).token);
    const ids = [
      world.mbAdminA1, world.mbUserA1, world.mbUserA1b, world.mbUserA2, world.netAdminA, world.netUserA, world.netAdminB,
    ].map((u) => u.user.userId);
    let seen = 0;
    for (const id of [...ids, 2_000_000_000]) {
      const [key, token] = [await byKey.get(`/v2/users/${id}`), await byToken.get(`/v2/users/${id}`)];
      expect({ id, status: key.status, body: key.body, etag: key.headers.get('etag') }).toEqual({
        id, status: token.status, body: token.body, etag: token.headers.get('etag'),
      });
      if (key.status === 200) seen++;
      else expectError(key, 404, 'ObjectNotFound');
    }
    // In scope: itself and mailbox A1's users; the rest answer 404 as the missing id does.
    expect(seen).toBe(3);
  });

  it('refuses a bad key with 401 whether or not the id names a user', async () => {
    for (const id of [world.mbUserA1.user.userId, 2_000_000_000]) {
      expectError(await server.api.as('not-a-key').get(`/v2/users/${id}`), 401, 'InvalidAPIKey');
    }
  });

  it('reads the row as it is now: a change made just before is in the next answer', async () => {
    const { user, key } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    for (const firstName of ['Ahead1', 'Ahead2', 'Ahead3']) {
      expectOk(await server.api.as(key).put('/v2/users', { userId: user.userId, firstName }));
      const read = expectOk(await server.api.as(world.netAdminA.key).get<UserIDInfo>(`/v2/users/${user.userId}`));
      expect(read).toMatchObject({ userId: user.userId, firstName });
    }
  });

  it('takes ids in the forms the schema accepts beyond plain decimals exactly as before', async () => {
    const id = world.mbUserA1.user.userId;
    for (const form of [`0${id}`, `${id}.0`, '0', '-1', '99999999999', 'abc']) {
      const [key, token] = [
        await server.api.as(world.mbAdminA1.key).get(`/v2/users/${form}`),
        await new TokenApi(server.url, (await login(server.url, world.mbAdminA1.user.login)).token).get(`/v2/users/${form}`),
      ];
      expect({ form, status: key.status, body: key.body }).toEqual({ form, status: token.status, body: token.body });
    }
  });
});
