/**
 * Store transaction contract, on each dialect: concurrent transactions are
 * independent (one failing loses nothing of the others), a commit is visible
 * to plain reads once it resolves and not before, and unique violations come
 * out as StoreConflict. On SQLite this exercises group commit (many
 * transactions under one COMMIT, each in its own savepoint).
 */
import { describe, expect, it } from 'vitest';
import { StoreConflict } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import { useFreshStore } from '../support/fresh-store.js';

let store: Store;
const now = () => new Date().toISOString();

useFreshStore((s) => (store = s));

describe('transactions', () => {
  it('many concurrent transactions: the failing ones roll back alone, the others all commit', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        store.transaction(async (tx) => {
          const network = await tx.networks.insert({ uniqueId: `GC${i}`, companyName: `n${i}`, status: 'Active', created: now() });
          await tx.mailboxes.insert({ networkId: network.networkId, uniqueId: `MB${i}`, companyName: `m${i}`, status: 'Active', created: now() });
          if (i % 7 === 3) throw new Error(`abort ${i}`);
          return network.networkId;
        }),
      ),
    );
    const { networks } = await store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 500 });
    const stored = new Set(networks.map((n) => n.uniqueId));
    outcomes.forEach((outcome, i) => {
      if (i % 7 === 3) {
        expect(outcome.status).toBe('rejected');
        expect(stored.has(`GC${i}`)).toBe(false);
      } else {
        expect(outcome.status).toBe('fulfilled');
        expect(stored.has(`GC${i}`)).toBe(true);
      }
    });
    const { mailboxes } = await store.mailboxes.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 500 });
    expect(mailboxes).toHaveLength(networks.length);
  });

  it('a unique violation inside a group fails only its own transaction, as StoreConflict', async () => {
    const results = await Promise.allSettled(
      ['DUPX', 'UNIQ1', 'DUPX', 'UNIQ2'].map((uniqueId) =>
        store.transaction((tx) => tx.networks.insert({ uniqueId, companyName: uniqueId, status: 'Active', created: now() })),
      ),
    );
    // Which of the two DUPX inserts wins is up to the database; exactly one does, the others are untouched.
    expect([results[1]!.status, results[3]!.status]).toEqual(['fulfilled', 'fulfilled']);
    const duplicates = [results[0]!, results[2]!];
    expect(duplicates.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reason = (duplicates.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(StoreConflict);
    expect((reason as StoreConflict).constraint).toBe('networks_unique_id_unique');
  });

  it('plain reads see a transaction only after its commit resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let insertedId = 0;
    const pending = store.transaction(async (tx) => {
      insertedId = (await tx.networks.insert({ uniqueId: 'HELD', companyName: 'held', status: 'Active', created: now() })).networkId;
      await gate;
    });
    while (insertedId === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await store.networks.findById(insertedId)).toBeNull();
    release();
    await pending;
    expect((await store.networks.findById(insertedId))?.uniqueId).toBe('HELD');
  });

  it('a plain write outside any transaction is committed when it returns', async () => {
    const value = await store.settings.getOrInit('contract-test', 'v1');
    expect(value).toBe('v1');
    expect(await store.settings.get('contract-test')).toBe('v1');
  });
});
