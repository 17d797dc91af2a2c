/**
 * SQLite group commit: transactions started in the same turn of the event
 * loop share one COMMIT, and none is acknowledged before that COMMIT. (On
 * PostgreSQL each transaction commits on its own connection.)
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { useFreshStore } from '../support/fresh-store.js';

let store: Store;
useFreshStore((s) => (store = s));

describe('group commit (SQLite)', () => {
  it('20 transactions of one turn: one or two COMMITs, every one acknowledged and visible', async () => {
    const before = store.stats();
    const now = new Date().toISOString();
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => (await tx.networks.insert({ uniqueId: `GRP${i}`, companyName: `g${i}`, status: 'Active', created: now })).networkId),
      ),
    );
    const after = store.stats();
    expect(after.group_committed_transactions_total! - before.group_committed_transactions_total!).toBe(20);
    expect(after.group_commits_total! - before.group_commits_total!).toBeLessThanOrEqual(2);
    for (const id of ids) expect((await store.networks.findById(id))?.networkId).toBe(id);
  });

  it('a transaction alone is committed on the next turn, not left open', async () => {
    const before = store.stats().group_commits_total!;
    const now = new Date().toISOString();
    const network = await store.transaction((tx) => tx.networks.insert({ uniqueId: 'ALONE', companyName: 'a', status: 'Active', created: now }));
    expect(store.stats().group_commits_total! - before).toBe(1);
    expect((await store.networks.findById(network.networkId))?.uniqueId).toBe('ALONE');
  });
});
