/**
 * PreparedQuery: compiled once per dialect, then run with each call's values
 * in the markers' places; an argument used as SQL text is refused.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepare, PreparedByShape } from '../../src/store/prepared.js';
import type { Store } from '../../src/store/store.js';
import type { Dialect } from '../../src/store/dialects/dialect.js';
import { useFreshStore } from '../support/fresh-store.js';

let store: Store;
let dialect: Dialect;
useFreshStore((s) => {
  store = s;
  dialect = (s as unknown as { dialect: Dialect }).dialect;
});

describe('prepared queries', () => {
  it('builds once, then answers each call with its own values', async () => {
    let builds = 0;
    const byUniqueId = prepare((db, _dialect, uniqueId: string, status: string) => {
      builds++;
      return db.selectFrom('networks').select(['network_id', 'unique_id']).where('unique_id', '=', uniqueId).where('status', '=', status);
    });
    const now = new Date().toISOString();
    await store.transaction(async (tx) => {
      for (const uniqueId of ['PA', 'PB', 'PC']) await tx.networks.insert({ uniqueId, companyName: uniqueId, status: 'Active', created: now });
    });
    for (const uniqueId of ['PA', 'PB', 'PC', 'PZ']) {
      const rows = await byUniqueId.rows(dialect.db, dialect, [uniqueId, 'Active']);
      expect(rows.map((r) => r.unique_id)).toEqual(uniqueId === 'PZ' ? [] : [uniqueId]);
    }
    expect(await byUniqueId.first(dialect.db, dialect, ['PA', 'Suspended'])).toBeUndefined();
    expect(builds).toBe(1);
  });

  it('one compiled form per shape', async () => {
    let builds = 0;
    const byColumn = new PreparedByShape((column: 'unique_id' | 'company_name') => (db, _dialect, value: string) => {
      builds++;
      return db.selectFrom('networks').select('unique_id').where(column, '=', value);
    });
    expect((await byColumn.of('unique_id', 'unique_id').first(dialect.db, dialect, ['PB']))?.unique_id).toBe('PB');
    expect((await byColumn.of('company_name', 'company_name').first(dialect.db, dialect, ['PC']))?.unique_id).toBe('PC');
    expect((await byColumn.of('unique_id', 'unique_id').first(dialect.db, dialect, ['PC']))?.unique_id).toBe('PC');
    expect(builds).toBe(2);
  });

  it('refuses an argument used as SQL text (it would be baked into the cached SQL)', async () => {
    const raw = prepare((db, _dialect, column: string) => db.selectFrom('networks').select(sql.raw(`${column}`).as('x')));
    await expect(raw.rows(dialect.db, dialect, ['unique_id'])).rejects.toThrow(/argument 0 used as SQL text/);
  });

  it('on SQLite, a read outside transactions and every statement of a transaction run at once, on the right connection', async () => {
    const byUniqueId = prepare((db, _dialect, uniqueId: string) => db.selectFrom('networks').select('company_name').where('unique_id', '=', uniqueId));
    const rename = prepare((db, _dialect, uniqueId: string, name: string) =>
      db.updateTable('networks').set({ company_name: name }).where('unique_id', '=', uniqueId).returning('company_name'),
    );
    /** Calls of a Kysely instance's executor while `work` runs (none where the dialect runs the statement itself). */
    const executorCalls = async (db: typeof dialect.db, work: () => Promise<unknown>) => {
      const executor = db.getExecutor();
      const original = executor.executeQuery;
      let calls = 0;
      executor.executeQuery = ((...args: Parameters<typeof original>) => {
        calls++;
        return original.apply(executor, args);
      }) as typeof original;
      try {
        await work();
      } finally {
        executor.executeQuery = original;
      }
      return calls;
    };
    const atOnce = dialect.name === 'sqlite';
    expect(await executorCalls(dialect.db, () => byUniqueId.rows(dialect.db, dialect, ['PA']))).toBe(atOnce ? 0 : 1);
    // A write outside transactions waits for the writer: through Kysely on both.
    expect(await executorCalls(dialect.db, () => rename.rows(dialect.db, dialect, ['PA', 'Renamed outside']))).toBe(1);

    /** As Store.transaction runs a transaction's work. */
    const holding = <T>(trx: typeof dialect.db, work: () => Promise<T>) => (dialect.holding ? dialect.holding(trx, work) : work());
    const failure = new Error('rolled back on purpose');
    await expect(
      dialect.db.transaction().execute((trx) => holding(trx, async () => {
        const calls = await executorCalls(trx, async () => {
          expect(await rename.first(trx, dialect, ['PA', 'Renamed inside'])).toEqual({ company_name: 'Renamed inside' });
          // Read on the transaction's own connection: its write, not yet committed, is seen.
          expect(await byUniqueId.first(trx, dialect, ['PA'])).toEqual({ company_name: 'Renamed inside' });
        });
        expect(calls).toBe(atOnce ? 0 : 2);
        // Not outside it.
        expect(await byUniqueId.first(dialect.db, dialect, ['PA'])).toEqual({ company_name: 'Renamed outside' });
        throw failure;
      })),
    ).rejects.toBe(failure);
    expect(await byUniqueId.first(dialect.db, dialect, ['PA'])).toEqual({ company_name: 'Renamed outside' });

    // A transaction's Kysely used after its work ended (a stray promise) never runs in the next one's savepoint.
    let ended: typeof dialect.db | undefined;
    await dialect.db.transaction().execute((trx) => holding(trx, async () => void (ended = trx)));
    await dialect.db.transaction().execute((trx) =>
      holding(trx, async () => {
        await expect(rename.rows(ended!, dialect, ['PA', 'Renamed by a stray'])).rejects.toThrow(/committed/);
        expect(await rename.first(trx, dialect, ['PA', 'Renamed last'])).toEqual({ company_name: 'Renamed last' });
      }),
    );
    expect(await byUniqueId.first(dialect.db, dialect, ['PA'])).toEqual({ company_name: 'Renamed last' });
  });
});
