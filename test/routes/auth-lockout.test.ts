/**
 * Failed-login lockout (API.md §4): 5 consecutive failures lock the account
 * for 15 minutes and a locked account answers exactly like a wrong password;
 * failures are counted atomically; and an unknown login costs as much time as
 * a known one with a wrong password.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { createUser, TEST_PASSWORD, type TestServer, type TestUser } from '../support/server.js';
import { login, loginReply, startServerWithMailbox, TokenApi, userEvents } from '../support/sessions.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let networkId: number;
let mailboxId: number;

beforeAll(async () => {
  ({ server, networkId, mailboxId } = await startServerWithMailbox());
});
afterAll(() => server?.close());

const WRONG = 'Wrong-Passw0rd!';
const newUser = () => createUser(server, { authLevel: 'MailboxUser', networkId, mailboxId });
const stored = async (userId: number) => (await server.store.users.findById(userId))!;
const fail = (user: TestUser, password = WRONG) => loginReply(server.url, user.user.login, password);
const viewedByRoot = async (userId: number) => expectOk(await server.api.get<UserIDInfo>(`/v2/users/${userId}`));
const now = () => new Date().toISOString();

describe('lockout', () => {
  it('5 consecutive failures lock the account for 15 minutes; lockedOut shows it; each failure and the lock are audited', async () => {
    const target = await newUser();
    for (let i = 1; i <= 4; i++) {
      expectError(await fail(target), 401, 'InvalidSession');
      expect(await stored(target.user.userId)).toMatchObject({ failedLogins: i, lockedUntil: null });
    }
    expect(await viewedByRoot(target.user.userId)).toMatchObject({ lockedOut: false, lockedUntil: null });
    const fifth = Date.now();
    expectError(await fail(target), 401, 'InvalidSession');

    const locked = await stored(target.user.userId);
    expect(locked.failedLogins).toBe(0);
    expect(Math.abs(Date.parse(locked.lockedUntil!) - (fifth + 15 * 60_000))).toBeLessThan(5000);
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(true);
    // Extension lockedUntil: the stored end, to the second, for whoever may read the user — a MailboxUser of its mailbox too.
    expect((await viewedByRoot(target.user.userId)).lockedUntil).toBe(`${locked.lockedUntil!.slice(0, 19)}Z`);
    const peer = await newUser();
    expect(expectOk(await server.api.as(peer.key).get<UserIDInfo>(`/v2/users/${target.user.userId}`)).lockedUntil).toBe(`${locked.lockedUntil!.slice(0, 19)}Z`);

    const events = await userEvents(server.store, target.user.userId);
    expect(events.map((e) => e.action)).toEqual(['user.lockout', ...Array(4).fill('user.password-rejected')]);
    expect(events[0]).toMatchObject({
      actorUserId: null,
      changes: { failedLogins: { old: 4, new: 0 }, lockedUntil: { old: null, new: locked.lockedUntil } },
    });
    expect(events[4]!.changes).toEqual({ failedLogins: { old: 0, new: 1 } });
    expect(JSON.stringify(events)).not.toContain(WRONG);
  });

  it('a locked account answers the right password exactly like a wrong one; attempts during the lock neither count nor extend it', async () => {
    const target = await newUser();
    const reference = await fail(target);
    for (let i = 0; i < 4; i++) await fail(target);
    const lockedUntil = (await stored(target.user.userId)).lockedUntil;
    const eventsAtLock = (await userEvents(server.store, target.user.userId)).length;

    for (const password of [TEST_PASSWORD, WRONG, WRONG, WRONG, WRONG, WRONG]) {
      const reply = await fail(target, password);
      expect(reply.status).toBe(401);
      expect(reply.text).toBe(reference.text);
    }
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 0, lockedUntil, lastLogin: null });
    expect(await userEvents(server.store, target.user.userId)).toHaveLength(eventsAtLock);
  });

  it('the lock ends by itself: once locked_until has passed the right password logs in and clears it', async () => {
    const target = await newUser();
    for (let i = 0; i < 5; i++) await fail(target);
    expectError(await fail(target, TEST_PASSWORD), 401, 'InvalidSession');
    await server.store.transaction((tx) => tx.users.update(target.user.userId, { lockedUntil: new Date(Date.now() - 1000).toISOString() }, now()));
    // A lock that has passed reads as none: lockedOut false and lockedUntil null, though the column still holds the old end.
    expect(await viewedByRoot(target.user.userId)).toMatchObject({ lockedOut: false, lockedUntil: null });

    const info = await login(server.url, target.user.login);
    expect(info.userId).toBe(target.user.userId);
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('after the lock the count starts again from zero (one more mistake does not re-lock)', async () => {
    const target = await newUser();
    for (let i = 0; i < 5; i++) await fail(target);
    await server.store.transaction((tx) => tx.users.update(target.user.userId, { lockedUntil: new Date(Date.now() - 1000).toISOString() }, now()));
    await fail(target);
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 1, lockedUntil: null });
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(false);
  });

  it('an admin’s POST /v2/users/password unlocks at once: the new password logs in', async () => {
    const target = await newUser();
    for (let i = 0; i < 5; i++) await fail(target);
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(true);
    expectOk(await server.api.post('/v2/users/password', { userId: target.user.userId, newPassword: 'Unl0cked-Passw0rd!' }));
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(false);
    expect((await login(server.url, target.user.login, 'Unl0cked-Passw0rd!')).userId).toBe(target.user.userId);
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('failures must be consecutive: a success resets the count', async () => {
    const target = await newUser();
    for (let i = 0; i < 4; i++) await fail(target);
    await login(server.url, target.user.login);
    for (let i = 0; i < 4; i++) await fail(target);
    expect(await stored(target.user.userId)).toMatchObject({ failedLogins: 4, lockedUntil: null });
    expect((await login(server.url, target.user.login)).userId).toBe(target.user.userId);
  });

  it('concurrent failures lose no increment and lock exactly once', async () => {
    const four = await newUser();
    await Promise.all(Array.from({ length: 4 }, () => fail(four)));
    expect(await stored(four.user.userId)).toMatchObject({ failedLogins: 4, lockedUntil: null });

    const eight = await newUser();
    const replies = await Promise.all(Array.from({ length: 8 }, () => fail(eight)));
    for (const reply of replies) expectError(reply, 401, 'InvalidSession');
    const after = await stored(eight.user.userId);
    expect(after.failedLogins).toBe(0);
    expect(after.lockedUntil).not.toBeNull();
    const actions = (await userEvents(server.store, eight.user.userId)).map((e) => e.action);
    expect(actions.filter((a) => a === 'user.lockout')).toHaveLength(1);
    expect(actions.filter((a) => a === 'user.password-rejected')).toHaveLength(4);
  });

  it('a lock does not end sessions or keys already held (a stranger’s failures must not log the user out)', async () => {
    const target = await newUser();
    const { token } = await login(server.url, target.user.login);
    for (let i = 0; i < 5; i++) await fail(target);
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(true);
    expectOk(await new TokenApi(server.url, token).get('/v2/users/me'));
    expectOk(await server.api.as(target.key).get('/v2/users/me'));
  });

  it('wrong current passwords in PUT /v2/auth/password count too; while locked even the right one is refused', async () => {
    const target = await newUser();
    const asUser = server.api.as(target.key);
    for (let i = 0; i < 5; i++) {
      expectError(await asUser.put('/v2/auth/password', { currentPassword: WRONG, newPassword: 'N3w-Passw0rd!' }), 400, 'InvalidParameter', 'currentPassword');
    }
    expect((await viewedByRoot(target.user.userId)).lockedOut).toBe(true);
    const reply = await asUser.put('/v2/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'N3w-Passw0rd!' });
    expectError(reply, 400, 'InvalidParameter', 'currentPassword');
    expectError(await fail(target, TEST_PASSWORD), 401, 'InvalidSession');
    expectError(await fail(target, 'N3w-Passw0rd!'), 401, 'InvalidSession');
  });
});

describe('timing', () => {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  async function timed(attempt: () => Promise<{ status: number }>): Promise<number> {
    const start = performance.now();
    const reply = await attempt();
    const elapsed = performance.now() - start;
    expect(reply.status).toBe(401);
    return elapsed;
  }

  it('an unknown login, a wrong password and a locked account take the same order of time', async () => {
    const known = await newUser();
    const locked = await newUser();
    for (let i = 0; i < 5; i++) await fail(locked);
    // Warm-up of both paths (first calls pay for connections and compilation).
    await fail(known);
    await loginReply(server.url, `warmup-${randomUUID()}`);

    const unknown: number[] = [];
    const wrong: number[] = [];
    const lockedOut: number[] = [];
    for (let round = 0; round < 9; round++) {
      // Keep `known` below the threshold so that every attempt takes the wrong-password path.
      await server.store.transaction((tx) => tx.users.update(known.user.userId, { failedLogins: 0 }, now()));
      unknown.push(await timed(() => loginReply(server.url, `nobody-${randomUUID()}`)));
      wrong.push(await timed(() => fail(known)));
      lockedOut.push(await timed(() => fail(locked, TEST_PASSWORD)));
    }
    const medians = [median(unknown), median(wrong), median(lockedOut)];
    const ratio = Math.max(...medians) / Math.min(...medians);
    expect(ratio, `medians (ms): unknown ${medians[0]}, wrong ${medians[1]}, locked ${medians[2]}`).toBeLessThan(3);
  });
});
