/** The frame of a test file that works on the store directly: a fresh database and a Store open on it. */
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, type TestDatabase } from './test-db.js';

/** Before the file's tests: a fresh database of the dialect under test and a Store on it, handed to `receive`; after: closed and dropped. */
export function useFreshStore(receive: (store: Store, database: TestDatabase) => void): void {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    store = openStore({ databaseUrl: database.databaseUrl, sqliteFile: database.sqliteFile });
    receive(store, database);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
}
