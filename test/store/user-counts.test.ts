/**
 * The total of a user list is summed from user_counts (kept by triggers,
 * migration 0002) instead of counted row by row, and its pages come from the
 * scope's placement with the caller merged in. Property: after any mix of
 * inserts, status changes, moves and level changes, for any scope and filter,
 * the total equals the number of users the list itself returns — and the
 * number the pure `userInScope` admits. On each dialect.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_LEVELS, type AuthLevel } from '../../src/domain/levels.js';
import { userInScope, type Scope } from '../../src/domain/scopes.js';
import type { Status } from '../../src/domain/statuses.js';
import type { User } from '../../src/domain/types.js';
import type { UserFilter } from '../../src/store/queries/users.js';
import type { Store } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { rawExec } from '../support/raw-sql.js';
import { useFreshStore } from '../support/fresh-store.js';
import type { TestDatabase } from '../support/test-db.js';

let store: Store;
let database: TestDatabase;
useFreshStore((s, d) => {
  store = s;
  database = d;
});

const LEVELS: AuthLevel[] = [...AUTH_LEVELS];
const STATUSES: Status[] = ['Active', 'Suspended', 'Terminated'];
const networkId = fc.integer({ min: 0, max: 3 });
const mailboxId = fc.integer({ min: 0, max: 3 });
const level = fc.constantFrom(...LEVELS);
const status = fc.constantFrom(...STATUSES);

type Step =
  | { op: 'insert'; networkId: number; mailboxId: number; authLevel: AuthLevel; status: Status }
  | { op: 'status'; pick: number; status: Status }
  | { op: 'move'; pick: number; networkId: number; mailboxId: number }
  | { op: 'level'; pick: number; authLevel: AuthLevel }
  | { op: 'delete'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), networkId, mailboxId, authLevel: level, status }) },
  fc.record({ op: fc.constant('status' as const), pick: fc.nat(), status }),
  fc.record({ op: fc.constant('move' as const), pick: fc.nat(), networkId, mailboxId }),
  fc.record({ op: fc.constant('level' as const), pick: fc.nat(), authLevel: level }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
);

const scope: fc.Arbitrary<(userId: number) => Scope> = fc.oneof(
  fc.constant(() => ({ kind: 'system' }) as Scope),
  fc.record({ networkId }).map(({ networkId }) => (userId: number) => ({ kind: 'network', networkId, userId }) as Scope),
  fc.record({ networkId, mailboxId }).map(({ networkId, mailboxId }) => (userId: number) => ({ kind: 'mailbox', networkId, mailboxId, userId }) as Scope),
  fc.record({ networkId, mailboxId }).map(({ networkId, mailboxId }) => (userId: number) => ({ kind: 'self', networkId, mailboxId, userId }) as Scope),
);

const filter: fc.Arbitrary<UserFilter> = fc.record(
  { networkId: fc.integer({ min: 1, max: 3 }), mailboxId: fc.integer({ min: 1, max: 3 }), authLevel: level, status },
  { requiredKeys: [] },
);

let serial = 0;

async function apply(steps: Step[]): Promise<void> {
  for (const s of steps) {
    const now = new Date().toISOString();
    if (s.op === 'insert') {
      serial++;
      await store.transaction((tx) =>
        tx.users.insert({ login: `c${serial}`, email: `c${serial}@example.com`, firstName: '', lastName: '', passwordHash: 'x', created: now, ...s }),
      );
      continue;
    }
    const { users } = await store.users.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 });
    if (users.length === 0) continue;
    const target = users[s.pick % users.length]!;
    if (s.op === 'delete') {
      await rawExec(database, { sqlite: `delete from users where user_id = ${target.userId}`, postgres: `delete from users where user_id = ${target.userId}` });
      continue;
    }
    const patch = s.op === 'status' ? { status: s.status } : s.op === 'move' ? { networkId: s.networkId, mailboxId: s.mailboxId } : { authLevel: s.authLevel };
    await store.transaction((tx) => tx.users.update(target.userId, patch, now));
  }
}

function matches(user: User, f: UserFilter): boolean {
  return (
    (!f.networkId || user.networkId === f.networkId) &&
    (!f.mailboxId || user.mailboxId === f.mailboxId) &&
    (!f.authLevel || user.authLevel === f.authLevel) &&
    (!f.status || user.status === f.status)
  );
}

describe('user list totals from user_counts', () => {
  it('equal the rows the list returns and the users the pure scope admits, after any changes', async () => {
    let checks = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), fc.array(fc.tuple(scope, filter, fc.nat()), { minLength: 1, maxLength: 6 }), async (steps, queries) => {
        await apply(steps);
        const { users: everyone } = await store.users.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 });
        for (const [makeScope, f, pick] of queries) {
          // The caller is a real user (or a missing id when there is none yet).
          const s = makeScope(everyone.length > 0 ? everyone[pick % everyone.length]!.userId : 999_999);
          const { users, total } = await store.users.list(s, f, { pageNo: 1, recordsPerPage: 10_000 });
          const expected = everyone.filter((u) => userInScope(s, u) && matches(u, f));
          expect(users.map((u) => u.userId)).toEqual(expected.map((u) => u.userId));
          expect(total).toBe(expected.length);
          // Page by page too: the caller, when outside its placement, is merged in at its place (users.list).
          const size = 1 + (pick % 4);
          const paged: number[] = [];
          for (let pageNo = 1; pageNo <= Math.ceil(expected.length / size) + 1; pageNo++) {
            const onPage = await store.users.list(s, f, { pageNo, recordsPerPage: size });
            expect(onPage.total).toBe(expected.length);
            expect(onPage.users.length).toBeLessThanOrEqual(size);
            paged.push(...onPage.users.map((u) => u.userId));
          }
          expect(paged).toEqual(expected.map((u) => u.userId));
          checks++;
        }
      }),
      { numRuns: 40 },
    );
    expect(checks).toBeGreaterThanOrEqual(40);
  });

  it('merge the caller, when outside its placement, at its place on every page', async () => {
    // Network 7: users before and after the caller by userId; the caller itself sits in network 8.
    const now = new Date().toISOString();
    const made: User[] = [];
    await store.transaction(async (tx) => {
      for (let i = 0; i < 9; i++) {
        serial++;
        made.push(await tx.users.insert({
          login: `m${serial}`, email: `m${serial}@example.com`, firstName: '', lastName: '', passwordHash: 'x', created: now,
          networkId: i === 4 ? 8 : 7, mailboxId: i === 4 ? 0 : 1 + (i % 2), authLevel: i === 4 ? 'NetworkAdmin' : 'MailboxUser', status: 'Active',
        }));
      }
    });
    const caller = made[4]!;
    const scopes: Scope[] = [
      { kind: 'network', networkId: 7, userId: caller.userId },
      { kind: 'mailbox', networkId: 7, mailboxId: 1, userId: caller.userId },
    ];
    const { users: everyone } = await store.users.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 });
    let pages = 0;
    for (const s of scopes) {
      for (const f of [{}, { status: 'Active' as Status }, { authLevel: 'NetworkAdmin' as AuthLevel }, { networkId: 8 }]) {
        const expected = everyone.filter((u) => userInScope(s, u) && matches(u, f)).map((u) => u.userId);
        expect(expected).toContain(caller.userId);
        for (let size = 1; size <= 4; size++) {
          const paged: number[] = [];
          for (let pageNo = 1; pageNo <= Math.ceil(expected.length / size) + 1; pageNo++, pages++) {
            const onPage = await store.users.list(s, f, { pageNo, recordsPerPage: size });
            expect(onPage.total).toBe(expected.length);
            paged.push(...onPage.users.map((u) => u.userId));
          }
          expect(paged, `${s.kind} ${JSON.stringify(f)} by ${size}`).toEqual(expected);
        }
      }
    }
    expect(pages).toBeGreaterThan(50);
  });

  it('migration 0002 counts the users that existed before it', async () => {
    // Take the database back to 0001 with users in it, then migrate again (0003 only re-creates 0002's PostgreSQL function; 0004 and 0005 add indexes).
    const undo =
      'drop index users_network_order_idx; drop index users_mailbox_status_idx; drop index users_network_status_idx; drop index users_level_status_idx; drop table user_counts; ' +
      "delete from kysely_migration where name > '0001-initial';";
    await rawExec(database, {
      sqlite: `drop trigger users_count_insert; drop trigger users_count_delete; drop trigger users_count_update; ${undo}`,
      postgres: `drop trigger users_count on users; drop function users_count_change(); ${undo}`,
    });
    await store.close();
    store = openStore({ databaseUrl: database.databaseUrl, sqliteFile: database.sqliteFile });
    const now = new Date().toISOString();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        await tx.users.insert({
          login: `pre${i}`, email: `pre${i}@example.com`, firstName: '', lastName: '', passwordHash: 'x', created: now,
          networkId: 1 + (i % 3), mailboxId: i % 2, authLevel: LEVELS[i % LEVELS.length]!, status: STATUSES[i % 3]!,
        });
      }
    });
    expect(await store.migrate()).toEqual(['0002-user-counts', '0003-user-counts-lock-order', '0004-users-mailbox-status-index', '0005-users-network-order-index']);
    const { users: everyone } = await store.users.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 });
    expect(everyone.length).toBeGreaterThanOrEqual(30);
    expect(await store.users.count({ kind: 'system' }, {})).toBe(everyone.length);
    expect(await store.users.count({ kind: 'system' }, { networkId: 2, status: 'Suspended' })).toBe(
      everyone.filter((u) => u.networkId === 2 && u.status === 'Suspended').length,
    );
  });
});
