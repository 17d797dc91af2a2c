/**
 * GET /v2/users/{id} by API key reads the credential and the named user in
 * one statement (issue 16: `KeyQueries.findCredentialReadingUser`, the
 * route's `readsUser` config); so does PUT /v2/users for the user its body
 * names, where the update decides on a plain read before one guarded write
 * (PostgreSQL; authentication then waits for the body, http/authenticate.ts). The read ahead is only a row: the answers
 * must be exactly those of the two-statement path, which a bearer token
 * still takes — same body and ETag in scope, the same 404 out of scope as
 * for a missing user, 401 for a bad key whatever the id names — and never a
 * stale row.
 */
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-keys.js';
import { createUser, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { expectError, expectOk } from '../support/http.js';
import { login, TokenApi } from '../support/sessions.js';
import type { UserIDInfo } from '../../src/contract/users.js';
import { userEvents } from '../support/sessions.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)), {});

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

describe('PUT /v2/users: the user its body names, read ahead by key', () => {
  it('answers and stores exactly what the same PUT by token does, for every user the caller may and may not change', async () => {
    const caller = world.mbAdminA1;
    const byKey = server.api.as(caller.key);
    const byToken = new TokenApi(server.url, (await login(server.url, caller.user.login)).token);
    const ids = [world.mbUserA1, world.mbUserA1b, world.mbUserA2, world.netUserA, world.netAdminB].map((u) => u.user.userId);
    let changed = 0;
    for (const id of [...ids, 2_000_000_000]) {
      const key = await byKey.put<UserIDInfo>('/v2/users', { userId: id, lastName: `Key${id}` });
      const afterKey = await server.store.users.findById(id);
      const token = await byToken.put<UserIDInfo>('/v2/users', { userId: id, lastName: `Token${id}` });
      const afterToken = await server.store.users.findById(id);
      expect({ id, status: key.status }).toEqual({ id, status: token.status });
      if (key.status !== 200) {
        expectError(key, 404, 'ObjectNotFound');
        expect(key.body).toEqual(token.body);
        expect(afterKey).toEqual(afterToken);
        continue;
      }
      changed++;
      expect(key.body.data).toMatchObject({ userId: id, lastName: `Key${id}` });
      expect(afterKey?.lastName).toBe(`Key${id}`);
      expect(afterToken?.lastName).toBe(`Token${id}`);
      const [second, first] = await userEvents(server.store, id, 2);
      expect([first?.changes.lastName?.new, second?.changes.lastName]).toEqual([`Key${id}`, { old: `Key${id}`, new: `Token${id}` }]);
    }
    expect(changed).toBe(2);
  });

  it('answers 401 for a bad key before anything about the body, and 400 for a good key with a body it cannot take', async () => {
    const id = world.mbUserA1.user.userId;
    const before = await server.store.users.findById(id);
    for (const raw of ['{', JSON.stringify({ userId: id, email: 'not-an-email' }), JSON.stringify({ userId: id, lastName: 'x'.repeat(5000) })]) {
      expectError(await server.api.as('not-a-key').put('/v2/users', undefined, { raw }), 401, 'InvalidAPIKey');
    }
    expectError(await server.api.as(world.mbAdminA1.key).put('/v2/users', undefined, { raw: '{' }), 400, 'InvalidParameter', 'body');
    expectError(await server.api.as(world.mbAdminA1.key).put('/v2/users', { userId: id, email: 'not-an-email' }), 400, 'InvalidParameter', 'email');
    expect(await server.store.users.findById(id)).toEqual(before);
  });

  it('honours If-Match against the row as it is now, read ahead or not', async () => {
    const id = world.mbUserA1b.user.userId;
    const read = await server.api.as(world.mbAdminA1.key).get(`/v2/users/${id}`);
    const etag = read.headers.get('etag')!;
    expectOk(await server.api.as(world.netAdminA.key).put('/v2/users', { userId: id, firstName: 'Moved' }));
    const stale = await server.api.as(world.mbAdminA1.key).put('/v2/users', { userId: id, firstName: 'Stale' }, { headers: { 'If-Match': etag } });
    expect(stale.status).toBe(412);
    expect((await server.store.users.findById(id))?.firstName).toBe('Moved');
  });

  it('decides again on the stored row when the row read ahead is no longer current, and never writes over the change between', async () => {
    const id = world.mbUserA2.user.userId;
    const old = (await server.store.users.findById(id))!;
    const { principal } = await server.services.auth.authenticate({ apiKey: world.netAdminA.key, bearer: undefined });
    // Another request changes the user after this one's authentication read it.
    expectOk(await server.api.as(world.netAdminA.key).put('/v2/users', { userId: id, firstName: 'Between', lastName: 'Between' }));
    const context = { principal, requestId: 'read-ahead-test', clientIp: '127.0.0.1', readAhead: { userId: id, user: old } };
    const after = await server.services.users.update(context, { userId: id, firstName: 'Later' });
    expect(after).toMatchObject({ firstName: 'Later', lastName: 'Between' });
    expect(await server.store.users.findById(id)).toEqual(after);
    const [latest] = await userEvents(server.store, id, 1);
    // The change is recorded against the row that was stored, not the one read ahead.
    expect(latest?.changes).toEqual({ firstName: { old: 'Between', new: 'Later' } });
  });

  it('decides on the row read ahead where the update reads before a guarded write (PostgreSQL), on its own read elsewhere', async () => {
    const id = world.mbUserA1.user.userId;
    const stored = (await server.store.users.findById(id))!;
    const { principal } = await server.services.auth.authenticate({ apiKey: world.netAdminA.key, bearer: undefined });
    // Same version as stored, one field marked: whichever row the decision used shows in the audit event's old value.
    const marked = { ...stored, firstName: 'SeenAhead' };
    const context = { principal, requestId: 'read-ahead-test', clientIp: '127.0.0.1', readAhead: { userId: id, user: marked } };
    await server.services.users.update(context, { userId: id, firstName: 'Next' });
    const [latest] = await userEvents(server.store, id, 1);
    const decidedOn = server.services.users.bodyReadsAhead ? 'SeenAhead' : stored.firstName;
    expect(latest?.changes.firstName).toEqual({ old: decidedOn, new: 'Next' });
    expect(server.services.users.bodyReadsAhead).toBe(server.store.writesInOneStatement);
  });
});

describe('role and set-network-mailbox: the destination read and locked with the user', () => {
  it('reads the user and a destination in one statement, as each alone reads them; none when any is missing', async () => {
    const id = world.mbUserA1.user.userId;
    const { netA, mbA2, mbB1 } = world;
    const both = await server.store.transaction((tx) => tx.users.findForUpdateWithDestination(id, netA.networkId, mbA2.mailboxId));
    expect(both).toEqual({
      user: await server.store.users.findById(id),
      destination: { network: await server.store.networks.findById(netA.networkId), mailbox: await server.store.mailboxes.findById(mbA2.mailboxId) },
    });
    const networkOnly = await server.store.transaction((tx) => tx.users.findForUpdateWithDestination(id, netA.networkId, 0));
    expect(networkOnly?.destination).toEqual({ network: await server.store.networks.findById(netA.networkId), mailbox: null });
    // A mailbox of another network is still read: checkPlacement judges it (400 naming mailboxId).
    expect((await server.store.transaction((tx) => tx.users.findForUpdateWithDestination(id, netA.networkId, mbB1.mailboxId)))?.destination.mailbox?.networkId).toBe(
      world.netB.networkId,
    );
    for (const [user, network, mailbox] of [[2_000_000_000, netA.networkId, mbA2.mailboxId], [id, 2_000_000_000, 0], [id, netA.networkId, 2_000_000_000]]) {
      expect(await server.store.transaction((tx) => tx.users.findForUpdateWithDestination(user!, network!, mailbox!))).toBeNull();
    }
  });

  it('moves the user where its locked row says when the row read ahead puts it elsewhere', async () => {
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const { principal } = await server.services.auth.authenticate({ apiKey: world.netAdminA.key, bearer: undefined });
    // Read ahead in mailbox A2 (another request moved it back since): a level change keeps the user where it is, A1.
    const stale = { ...user, mailboxId: world.mbA2.mailboxId };
    const context = { principal, requestId: 'read-ahead-test', clientIp: '127.0.0.1', readAhead: { userId: user.userId, user: stale } };
    const after = await server.services.userAdmin.setRole(context, { userId: user.userId, authLevel: 'MailboxAdmin' });
    expect(after).toMatchObject({ authLevel: 'MailboxAdmin', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expect(await server.store.users.findById(user.userId)).toEqual(after);
    const [latest] = await userEvents(server.store, user.userId, 1);
    expect(latest?.changes).toEqual({ authLevel: { old: 'MailboxUser', new: 'MailboxAdmin' } });
    // Read ahead in A1 while it is in A2: a move to "the network, no mailbox named" keeps its real mailbox, A2.
    expectOk(await server.api.post('/v2/users/set-network-mailbox', { userId: user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }));
    const movedContext = { ...context, readAhead: { userId: user.userId, user: { ...after, mailboxId: world.mbA1.mailboxId } } };
    const kept = await server.services.userAdmin.setNetworkMailbox(movedContext, { userId: user.userId, networkId: world.netA.networkId });
    expect(kept.mailboxId).toBe(world.mbA2.mailboxId);
    expect((await server.store.users.findById(user.userId))?.mailboxId).toBe(world.mbA2.mailboxId);
  });

  it('answers by key exactly what the same change by token answers, in and out of scope, to missing and foreign destinations', async () => {
    const caller = world.netAdminA;
    const byKey = server.api.as(caller.key);
    const byToken = new TokenApi(server.url, (await login(server.url, caller.user.login)).token);
    const cases: Array<(id: number) => [string, Record<string, unknown>]> = [
      (id) => ['/v2/users/role', { userId: id, authLevel: 'MailboxAdmin' }],
      (id) => ['/v2/users/role', { userId: id, authLevel: 'NetworkUser', networkId: world.netA.networkId, mailboxId: 0 }],
      (id) => ['/v2/users/set-network-mailbox', { userId: id, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId }],
      (id) => ['/v2/users/set-network-mailbox', { userId: id, networkId: world.netA.networkId, mailboxId: world.mbB1.mailboxId }],
      (id) => ['/v2/users/set-network-mailbox', { userId: id, networkId: world.netA.networkId, mailboxId: 2_000_000_000 }],
      (id) => ['/v2/users/set-network-mailbox', { userId: id, networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId }],
      (id) => ['/v2/users/set-network-mailbox', { userId: id, networkId: 2_000_000_000 }],
    ];
    const place = { authLevel: 'MailboxUser' as const, networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId };
    // What differs between two users alike: their ids (also where a message names the user), logins, e-mails and times.
    const strip = (body: unknown, id: number) =>
      JSON.parse(JSON.stringify(body), (k, v) =>
        ['login', 'email', 'created', 'modified'].includes(k) ? undefined
        : k === 'userId' && v === id ? 'ID'
        : typeof v === 'string' ? v.replace(new RegExp(`(user\\D{0,3})${id}\\b`, 'gi'), '$1ID')
        : v,
      );
    const statuses: number[] = [];
    for (const request of cases) {
      // Two users alike, in scope, and one out of scope (network B): the key's and the token's answers and rows must match.
      for (const at of [place, { authLevel: 'MailboxUser' as const, networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId }]) {
        const [a, b] = [(await createUser(server, at)).user, (await createUser(server, at)).user];
        const [path, bodyA] = request(a.userId);
        const [, bodyB] = request(b.userId);
        const key = await byKey.post(path, bodyA);
        const token = await byToken.post(path, bodyB);
        expect({ path, bodyA, status: key.status, body: strip(key.body, a.userId) }).toEqual({ path, bodyA, status: token.status, body: strip(token.body, b.userId) });
        expect(strip(await server.store.users.findById(a.userId), a.userId)).toEqual(strip(await server.store.users.findById(b.userId), b.userId));
        statuses.push(key.status);
      }
    }
    // Each kind of answer is in there: changes, refusals of the destination, and the out-of-scope 404.
    expect(new Set(statuses)).toEqual(new Set([200, 400, 404]));
  });
});
