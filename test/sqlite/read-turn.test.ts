/**
 * SQLite: the reader's reads of one event-loop turn share one read
 * transaction (PlainReads in dialects/sqlite.ts). Another process's commit is
 * seen from the next turn on, or once the shared transaction is older than
 * its bound; this process's own commits at once, whichever way they are made
 * (a group's COMMIT, a plain write on its own).
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { createSqliteDialect } from '../../src/store/dialects/sqlite.js';
import type { Dialect } from '../../src/store/dialects/dialect.js';
import { useFreshStore } from '../support/fresh-store.js';
import { DIALECT, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
useFreshStore((_store, d) => (database = d));

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Whether the turn this is called in has ended since (the checks below must all run in one turn to mean anything). */
function sameTurn(): { ended: boolean } {
  const turn = { ended: false };
  setImmediate(() => (turn.ended = true));
  return turn;
}

describe.runIf(DIALECT === 'sqlite')('one read transaction per turn (SQLite)', () => {
  let networkId: number;
  /** A store whose shared read transaction takes new reads for a minute: timing cannot end it in these checks. */
  let store: Store;
  /** Another process's connection to the same file (an operator CLI, say). */
  let other: BetterSqlite3.Database;
  const nameNow = async (on = store) => (await on.networks.findById(networkId))?.companyName;
  const rename = (name: string) => other.prepare('update networks set company_name = ? where network_id = ?').run(name, networkId);

  beforeAll(async () => {
    store = new Store(createSqliteDialect({ file: database.sqliteFile, readTurnMaxMs: 60_000 }));
    const now = new Date().toISOString();
    networkId = (await store.transaction((tx) => tx.networks.insert({ uniqueId: 'TURN', companyName: 'a', status: 'Active', created: now }))).networkId;
    other = new BetterSqlite3(database.sqliteFile);
    other.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    other.close();
    await store.close();
  });

  it("reads of one turn see one snapshot; the next turn sees another process's commit", async () => {
    await nextTurn();
    const turn = sameTurn();
    expect(await nameNow()).toBe('a');
    rename('b');
    expect(await nameNow()).toBe('a');
    expect(turn.ended).toBe(false);
    await nextTurn();
    expect(await nameNow()).toBe('b');
  });

  it("a write of this process on its own (no transaction) is seen by the turn's next read", async () => {
    await nextTurn();
    const turn = sameTurn();
    expect(await nameNow()).toBe('b');
    const { db } = (store as unknown as { dialect: Dialect }).dialect;
    await db.updateTable('networks').set({ company_name: 'c' }).where('network_id', '=', networkId).execute();
    expect(await nameNow()).toBe('c');
    expect(turn.ended).toBe(false);
  });

  it("a group's COMMIT is seen by the turn's next read", async () => {
    await nextTurn();
    const turn = sameTurn();
    expect(await nameNow()).toBe('c');
    const before = store.stats().group_commits_total!;
    // 64 transactions of one turn fill a group (MAX_GROUP): the last one's release commits it at once, in this turn.
    await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        store.transaction(async (tx) => {
          const held = (await tx.networks.findByIdForUpdate(networkId))!;
          return tx.networks.updateHeld(held, { companyName: i === 0 ? 'd' : held.companyName }, new Date().toISOString());
        }),
      ),
    );
    expect(store.stats().group_commits_total! - before).toBe(1);
    expect(await nameNow()).toBe('d');
    expect(turn.ended).toBe(false);
  });

  it("past its bound, a shared read transaction takes no new read: another process's commit is seen within the turn", async () => {
    const bounded = new Store(createSqliteDialect({ file: database.sqliteFile, readTurnMaxMs: 5 }));
    try {
      await nextTurn();
      const turn = sameTurn();
      expect(await nameNow(bounded)).toBe('d');
      rename('e');
      const started = performance.now();
      while (performance.now() - started < 20) {
        // A turn kept busy past the bound (a long synchronous stretch, or reads awaited one after another).
      }
      expect(await nameNow(bounded)).toBe('e');
      expect(turn.ended).toBe(false);
    } finally {
      await bounded.close();
    }
  });
});
