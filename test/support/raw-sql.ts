/**
 * Plain SQL on a test database through a separate connection: for arranging
 * what no API call can (a failing trigger) and for scanning stored bytes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { READ_TURN_MAX_MS } from '../../src/store/dialects/sqlite.js';
import type { TestDatabase } from './test-db.js';

export async function rawExec(database: TestDatabase, statements: { sqlite: string; postgres: string }): Promise<void> {
  if (database.databaseUrl) {
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      await client.query(statements.postgres);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new BetterSqlite3(database.sqliteFile);
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statements.sqlite);
  } finally {
    db.close();
  }
  // Another connection's commit, as the operator CLI's: a store's reads see it once the read transaction
  // they share is older than READ_TURN_MAX_MS (PlainReads). Without the wait, a read right after could
  // still use a snapshot from before it (user-counts.test.ts: a user deleted here still listed, seen once in a full run; fast-check seed -1700553830).
  await sleep(READ_TURN_MAX_MS + 1);
}

/** Makes every INSERT into `table` fail until `dropFailingTrigger` (simulates a crash mid-transaction). */
export function addFailingTrigger(database: TestDatabase, table: string) {
  return rawExec(database, {
    sqlite: `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`,
    postgres: `CREATE FUNCTION fail_${table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
               CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_${table}();`,
  });
}

export function dropFailingTrigger(database: TestDatabase, table: string) {
  return rawExec(database, {
    sqlite: `DROP TRIGGER fail_${table};`,
    postgres: `DROP TRIGGER fail_${table} ON ${table}; DROP FUNCTION fail_${table}();`,
  });
}
