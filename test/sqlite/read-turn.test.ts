/**
 * SQLite: the reader's reads of one event-loop turn share one read
 * transaction (ReadTurn in dialects/sqlite.ts). Another process's commit is
 * seen from the next turn on; this process's own commits at once, whichever
 * way they are made (a group's COMMIT, a plain write on its own).
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { Dialect } from '../../src/store/dialects/dialect.js';
import { useFreshStore } from '../support/fresh-store.js';
import { DIALECT, type TestDatabase } from '../support/test-db.js';

let store: Store;
let database: TestDatabase;
useFreshStore((s, d) => {
  store = s;
  database = d;
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Whether the turn this is called in has ended since (the checks below must all run in one turn to mean anything). */
function sameTurn(): { ended: boolean } {
  const turn = { ended: false };
  setImmediate(() => (turn.ended = true));
  return turn;
}

describe.runIf(DIALECT === 'sqlite')('one read transaction per turn (SQLite)', () => {
  let networkId: number;
  let other: BetterSqlite3.Database;
  const nameNow = async () => (await store.networks.findById(networkId))?.companyName;

  beforeAll(async () => {
    const now = new Date().toISOString();
    networkId = (await store.transaction((tx) => tx.networks.insert({ uniqueId: 'TURN', companyName: 'a', status: 'Active', created: now }))).networkId;
    // Another process's connection to the same file (an operator CLI, say).
    other = new BetterSqlite3(database.sqliteFile);
    other.pragma('busy_timeout = 5000');
  });
  afterAll(() => other.close());

  it("reads of one turn see one snapshot; the next turn sees another process's commit", async () => {
    await nextTurn();
    const turn = sameTurn();
    expect(await nameNow()).toBe('a');
    other.prepare('update networks set company_name = ? where network_id = ?').run('b', networkId);
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
});
