/**
 * PostgreSQL dropped every pooled connection at once (a restart, a failover,
 * pg_terminate_backend): the pool still holds them as idle until the event
 * loop has read each one's end. A read that takes one of them is tried again
 * after a pause in which the pool learns of the others (Store.read), so it is
 * answered from a fresh connection — not a 503, and not the next dead one.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await freshDatabase();
  store = openStore({ databaseUrl: database.databaseUrl, sqliteFile: '', poolSize: 10 });
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const serverConnections = (client: pg.Client) =>
  client.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'ecgrid-identity'").then((r) => r.rows[0].n as number);

describe('a read when PostgreSQL has dropped every pooled connection', () => {
  it('is answered from a fresh connection', async () => {
    // Ten connections open at once, then idle in the pool.
    await Promise.all(Array.from({ length: 10 }, () => store.transaction(async (tx) => {
      await tx.users.findById(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    })));
    const stats = () => store.stats() as Record<string, number>;
    expect(stats().pool_idle).toBe(10);

    const killer = new pg.Client({ connectionString: database.databaseUrl! });
    await killer.connect();
    try {
      await killer.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'ecgrid-identity'");
      // The backends end now, but this process's event loop does not turn: their ends wait unread on the
      // pool's sockets, as they do in a server busy with requests when the database drops its connections.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      const read = store.read((r) => r.users.findById(1));
      await expect(read).resolves.toBeNull();
      expect(await serverConnections(killer)).toBe(1);
    } finally {
      await killer.end();
    }
    await expect(store.read((r) => r.users.findById(1))).resolves.toBeNull();
  });
});
