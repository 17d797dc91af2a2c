/**
 * Store.afterBulkLoad on PostgreSQL: a bulk load (seed, a large import)
 * updates the few user_counts rows once per user inside big transactions,
 * and leaves them spread over as many pages as there were updates; an
 * unfiltered total then reads every one of those pages. After the load the
 * store rewrites the table: the same totals, from a page or two.
 */
import { describe, expect, it } from 'vitest';
import type { NewUser } from '../../src/store/queries/users.js';
import type { Store } from '../../src/store/store.js';
import { useFreshStore } from '../support/fresh-store.js';
import { rawQuery } from '../support/raw-query.js';
import type { TestDatabase } from '../support/test-db.js';

let store: Store;
let database: TestDatabase;
useFreshStore((s, d) => {
  store = s;
  database = d;
});

const USERS = 20_000;
const BATCH = 5_000;

async function countsPages(): Promise<number> {
  const [row] = await rawQuery(database, `select pg_relation_size('user_counts') / current_setting('block_size')::int as pages`);
  return Number(row!.pages);
}

describe('Store.afterBulkLoad (PostgreSQL)', () => {
  it('rewrites user_counts after a load of 20,000 users into a page or two, every total unchanged', async () => {
    const now = new Date().toISOString();
    const network = await store.transaction((tx) => tx.networks.insert({ uniqueId: 'BULK', companyName: 'Bulk', status: 'Active', created: now }));
    const mailboxes = await store.transaction(async (tx) =>
      Promise.all([1, 2, 3].map((m) => tx.mailboxes.insert({ networkId: network.networkId, uniqueId: `BULK${m}`, companyName: `Bulk ${m}`, status: 'Active', created: now }))),
    );
    for (let start = 0; start < USERS; start += BATCH) {
      const users: NewUser[] = Array.from({ length: BATCH }, (_, k) => {
        const i = start + k;
        return {
          login: `bulk${i}`, email: `bulk${i}@example.com`, firstName: '', lastName: '', networkId: network.networkId,
          mailboxId: mailboxes[i % 3]!.mailboxId, authLevel: 'MailboxUser', status: i % 10 === 9 ? 'Suspended' : 'Active', passwordHash: 'x', created: now,
        };
      });
      await store.transaction((tx) => tx.users.insertMany(users));
    }
    const system = { kind: 'system' } as const;
    const totals = async () => ({
      all: await store.users.count(system, {}),
      suspended: await store.users.count(system, { status: 'Suspended' }),
      mailbox: await store.users.count(system, { networkId: network.networkId, mailboxId: mailboxes[1]!.mailboxId }),
    });
    const before = { pages: await countsPages(), totals: await totals() };
    expect(before.totals).toEqual({ all: USERS, suspended: USERS / 10, mailbox: Math.round(USERS / 3) });
    // One row version per user inserted: far more pages than its few rows need.
    expect(before.pages).toBeGreaterThan(20);

    await store.afterBulkLoad();

    const after = { pages: await countsPages(), totals: await totals() };
    expect(after.totals).toEqual(before.totals);
    expect(after.pages, `user_counts: ${before.pages} pages before`).toBeLessThanOrEqual(2);
    // Statistics are fresh: PostgreSQL knows how many users there are.
    const [stats] = await rawQuery(database, `select reltuples::bigint as n from pg_class where relname = 'users'`);
    expect(Number(stats!.n)).toBe(USERS);
  }, 60_000);
});
