/**
 * Every pooled connection busy for longer than the pool's wait (5 s): the
 * request waiting for one gets StoreUnavailable (a 503 envelope over HTTP),
 * not an unrecognised error (a 500), and the pool serves again once a
 * connection is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await freshDatabase();
  store = openStore({ databaseUrl: database.databaseUrl, sqliteFile: '', poolSize: 1 });
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe('a PostgreSQL pool with no free connection', () => {
  it('answers StoreUnavailable after the wait, then serves again', async () => {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const transaction = store.transaction(async (tx) => {
      await tx.users.findById(1);
      holding();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await held;
    const started = Date.now();
    const waiting = await store.read((r) => r.users.findById(1)).then(() => 'answered', (error: unknown) => error);
    expect(waiting).toBeInstanceOf(StoreUnavailable);
    // One wait, not one per attempt: a read is tried again on a dead connection, never after the pool's wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(Date.now() - started).toBeLessThan(9_000);
    release();
    await transaction;
    expect(await store.read((r) => r.users.findById(1))).toBeNull();
  }, 30_000);
});
