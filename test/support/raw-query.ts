/**
 * Reading a test database with plain SQL through its own connection: for what
 * the Store deliberately never returns (hashes, ciphertext) and for scanning
 * everything stored.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from './test-db.js';

export type Row = Record<string, unknown>;

/** Runs one SELECT; `$1`-style parameters work on both dialects (rewritten to `?` for SQLite). */
export async function rawQuery(database: Pick<TestDatabase, 'databaseUrl' | 'sqliteFile'>, text: string, params: unknown[] = []): Promise<Row[]> {
  if (database.databaseUrl) {
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Row[];
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(database.sqliteFile, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(text.replace(/\$\d+/g, '?')).all(...params) as Row[];
  } finally {
    db.close();
  }
}

/**
 * Every text value stored in the database, one string per cell: on
 * PostgreSQL every column of every table cast to text; on SQLite every
 * column of every table.
 */
export async function dumpAllText(database: Pick<TestDatabase, 'databaseUrl' | 'sqliteFile'>): Promise<string[]> {
  const tables = database.databaseUrl
    ? (await rawQuery(database, `select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`))
    : await rawQuery(database, `select name from sqlite_master where type = 'table'`);
  const cells: string[] = [];
  for (const { name } of tables) {
    const rows = await rawQuery(database, `select * from "${String(name)}"`);
    for (const row of rows) for (const value of Object.values(row)) if (value !== null) cells.push(value instanceof Date ? value.toISOString() : String(value));
  }
  return cells;
}

/**
 * Runs `work` while a transaction on a PostgreSQL connection of its own holds
 * the locks `text` takes (another request's change under way). `work` ends
 * that transaction itself (`holder.query('commit')`) at the moment the test
 * needs; the connection is closed afterwards either way.
 */
export async function whileHolding<T>(
  database: Pick<TestDatabase, 'databaseUrl'>,
  text: string,
  params: unknown[],
  work: (holder: pg.Client) => Promise<T>,
): Promise<T> {
  const holder = new pg.Client({ connectionString: database.databaseUrl! });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query(text, params);
    return await work(holder);
  } finally {
    await holder.end();
  }
}
