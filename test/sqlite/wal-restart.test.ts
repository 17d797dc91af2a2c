/**
 * Under writes that never pause, the WAL gets no idle moment to start over:
 * PASSIVE checkpoints copy its pages back but the writer keeps appending.
 * Past `walRestartPages` frames the writer is held (asynchronously) for one
 * RESTART checkpoint, and the next write starts the WAL from its beginning
 * (dialects/sqlite.ts). Here with a small threshold: SQLite reports the
 * RESTART complete again and again, every write is kept, and the event loop
 * keeps turning throughout (the old TRUNCATE from the worker made
 * the writer's BEGIN sleep in SQLite's busy handler on the main thread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteDialect } from '../../src/store/dialects/sqlite.js';
import { Store } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-wal-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESTART_PAGES = 64;
const FILLER = 1500;

describe('WAL restart under steady writes (SQLite)', () => {
  it('starts the WAL over again and again while writes never pause, keeping every write', async () => {
    const file = join(dir, 'steady.db');
    const store = new Store(createSqliteDialect({ file, walRestartPages: RESTART_PAGES }));
    await store.migrate();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const created = new Date().toISOString();
    const filler = 'x'.repeat(FILLER);
    let written = 0;
    const deadline = Date.now() + 30_000;
    // Ten writers back to back: the writer is never idle, so only the restart can start the WAL over.
    const writeUntil = async (restarts: number) => {
      const lane = async (n: number) => {
        while (store.stats().wal_restarts_total! < restarts && Date.now() < deadline) {
          await store.transaction((tx) => tx.networks.insert({ uniqueId: `S${n}-${written}`, companyName: filler, status: 'Active', created }));
          written++;
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, n) => lane(n)));
    };

    await writeUntil(3);
    delay.disable();

    // Counted only when SQLite reports the RESTART checkpoint complete: the next write started the WAL over.
    expect(store.stats().wal_restarts_total, `${written} writes`).toBeGreaterThanOrEqual(3);
    const { total } = await store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 });
    expect(total).toBe(written);
    // The loop kept turning: no checkpoint put the main thread to sleep in the busy handler (busy_timeout is 5 s).
    expect(delay.max / 1e6).toBeLessThan(2_000);
    await store.close();
  });
});
