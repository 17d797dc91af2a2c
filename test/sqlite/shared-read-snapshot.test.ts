/**
 * SQLite shared read snapshots: the plain reads of one turn of the event loop
 * share one WAL read transaction, which ends with the turn and whenever this
 * process commits a write. A second connection on the file stands for another
 * process (the operator CLI) writing beside the server.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { TestDatabase } from '../support/test-db.js';
import { useFreshStore } from '../support/fresh-store.js';

let store: Store;
let database: TestDatabase;
useFreshStore((s, d) => {
  store = s;
  database = d;
});

let other: BetterSqlite3.Database;
let networkId: number;
beforeAll(async () => {
  other = new BetterSqlite3(database.sqliteFile);
  // Long enough to ride out a checkpoint of the server's own checkpointer; a wait for a snapshot this
  // process holds can never end (it blocks the event loop that would end it), so it fails the test instead.
  other.pragma('busy_timeout = 1000');
  const created = await store.transaction((tx) =>
    tx.networks.insert({ uniqueId: 'SNAP', companyName: 'before', status: 'Active', created: new Date().toISOString() }),
  );
  networkId = created.networkId;
});
afterAll(() => other?.close());

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const companyName = async () => (await store.networks.findById(networkId))?.companyName;
const renameElsewhere = (name: string) => other.prepare('update networks set company_name = ? where network_id = ?').run(name, networkId);

describe('shared read snapshots (SQLite)', () => {
  it('reads of one turn see one snapshot; the next turn sees what was committed meanwhile', async () => {
    await nextTurn();
    renameElsewhere('turn 0');
    expect(await companyName()).toBe('turn 0');
    renameElsewhere('turn 1');
    // Same turn: the snapshot the first read took, not the other connection's newer commit.
    expect(await companyName()).toBe('turn 0');
    await nextTurn();
    expect(await companyName()).toBe('turn 1');
  });

  it('a transaction acknowledged in this turn is seen by the reads that follow it, even inside an older snapshot', async () => {
    await nextTurn();
    const committed = store.transaction((tx) => tx.networks.update(networkId, { companyName: 'grouped' }, new Date().toISOString()));
    // Let the transaction run and schedule its group's COMMIT before the first read of the turn opens a snapshot,
    // so that snapshot (and its end of turn) outlives the COMMIT: the read after the acknowledgement must not use it.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(await companyName()).not.toBe('grouped');
    await committed;
    expect(await companyName()).toBe('grouped');
  });

  it('a plain write (no transaction) is seen by the next read of the same turn', async () => {
    await nextTurn();
    expect(await companyName()).toBe('grouped');
    await store.networks.update(networkId, { companyName: 'plain' }, new Date().toISOString());
    expect(await companyName()).toBe('plain');
    expect(await store.settings.get('snapshot-probe')).toBeNull();
    await store.settings.getOrInit('snapshot-probe', 'set');
    expect(await store.settings.get('snapshot-probe')).toBe('set');
  });

  it('no read transaction outlives its turn: a TRUNCATE checkpoint completes after it', async () => {
    await store.transaction((tx) => tx.networks.update(networkId, { companyName: 'wal' }, new Date().toISOString()));
    expect(await companyName()).toBe('wal');
    await nextTurn();
    const [result] = other.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number }>;
    expect(result).toMatchObject({ busy: 0, log: 0 });
  });

  it('a failed read ends the snapshot, so that a retry starts afresh', async () => {
    await nextTurn();
    expect(await companyName()).toBe('wal');
    renameElsewhere('after failure');
    // better-sqlite3 refuses a value it cannot bind, inside the open snapshot.
    await expect(store.networks.findById({} as unknown as number)).rejects.toThrow();
    expect(await companyName()).toBe('after failure');
  });
});
