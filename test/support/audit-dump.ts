/**
 * Before a test database goes away, its audit events (every column, as
 * stored) are kept in the run's audit/ area for the final secrets check.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { rawQuery } from './raw-query.js';
import type { TestDatabase } from './test-db.js';
import { runFile } from './test-run.js';

/** The database is already gone (dropped by the test itself, or never created): nothing to keep. */
function isMissing(error: unknown): boolean {
  const { code } = error as { code?: string };
  return code === '3D000' || code === 'SQLITE_CANTOPEN';
}

/**
 * Writes one JSON line per audit event. A dump that fails for another reason
 * is written as a `dumpError` line, which the final check reports: a check
 * must not pass because its material could not be read.
 */
export async function dumpAuditEvents(database: Pick<TestDatabase, 'databaseUrl' | 'sqliteFile'>): Promise<void> {
  const name = database.databaseUrl ? `postgres-${new URL(database.databaseUrl).pathname.slice(1)}` : `sqlite-${basename(database.sqliteFile)}`;
  const file = runFile('audit', name);
  if (!file) return;
  let lines: string[];
  try {
    const rows = await rawQuery(database, 'select * from audit_events order by event_id');
    lines = rows.map((row) => JSON.stringify(row));
  } catch (error) {
    if (isMissing(error)) return;
    lines = [JSON.stringify({ dumpError: `${name}: ${(error as Error).message}` })];
  }
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
}
