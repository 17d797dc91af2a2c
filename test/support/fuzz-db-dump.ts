/**
 * A deterministic dump of every table of a test database, read through a
 * connection of its own (never the server's), for the fuzz oracle "a rejected
 * request leaves the database byte-for-byte unchanged".
 *
 * Each row is one string: on PostgreSQL the row's own text form
 * (`row(…)::text`, every value as PostgreSQL writes it: numbers as stored,
 * timestamps to the microsecond); on SQLite the JSON of its cells, each with
 * its storage class (`i:` integer read as BigInt, `r:` real, `t:` text, `b:`
 * blob as hex), so nothing is rounded or coerced. Rows are sorted, so the same
 * content gives the same dump whatever order the database returns; each dump
 * reads all tables at one snapshot. PostgreSQL sequences are not rows and are
 * not dumped: they advance in transactions that roll back (by design) and no
 * client observes them.
 *
 * A dump may leave out named columns and the audit events of named actions
 * (the writes a rejection may make, fuzz-oracle.ts).
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from './test-db.js';

/** Table name → its rows as text, sorted. */
export type Dump = Record<string, string[]>;

export interface Omitted {
  /** Columns left out, by table. */
  columns?: Readonly<Record<string, readonly string[]>>;
  /** Audit events of these actions are left out. */
  auditActions?: readonly string[];
}

export interface Dumper {
  dump(omitted?: Omitted): Promise<Dump>;
  /**
   * A cheap marker of the database's state: it changes whenever another connection has committed a write since it
   * was last read (it may change without one). Equal markers around a request: no table can have changed, and
   * the dump taken after the first marker still holds (what makes 100,000-case runs affordable, scripts/fuzz.mjs).
   * SQLite: `PRAGMA data_version` of this connection; PostgreSQL: the WAL insert position (every committed row
   * change writes WAL first).
   */
  version(): Promise<string>;
  close(): Promise<void>;
}

/** The canonical text of a dump: equal texts, equal databases. */
export function dumpText(dump: Dump): string {
  return Object.entries(dump)
    .map(([table, rows]) => `${table}\n${rows.join('\n')}`)
    .join('\n');
}

/** The rows only one of two dumps holds (`-` before, `+` after), for a failure message. */
export function describeChanges(before: Dump, after: Dump): string {
  const lines: string[] = [];
  for (const table of Object.keys(after)) {
    const old = new Set(before[table]);
    const now = new Set(after[table]);
    for (const row of old) if (!now.has(row)) lines.push(`${table} - ${row}`);
    for (const row of now) if (!old.has(row)) lines.push(`${table} + ${row}`);
  }
  return lines.slice(0, 10).map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line)).join('\n');
}

interface Table {
  name: string;
  columns: string[];
}

/** One SELECT per table: the columns kept, in order, and the audit events kept. */
function selectsOf(tables: Table[], omitted: Omitted, row: (columns: string[]) => string, quote: (text: string) => string): Array<[string, string]> {
  return tables.map(({ name, columns }) => {
    const kept = columns.filter((column) => !omitted.columns?.[name]?.includes(column));
    const actions = name === 'audit_events' && omitted.auditActions?.length ? ` where action not in (${omitted.auditActions.map(quote).join(', ')})` : '';
    return [name, `select ${row(kept.map((column) => `"${column}"`))} from "${name}"${actions}`];
  });
}

const sorted = (rows: string[]) => rows.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const sqlQuote = (text: string) => `'${text.replace(/'/g, "''")}'`;

function sqliteCell(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return `i:${value}`;
  if (typeof value === 'number') return `r:${Object.is(value, -0) ? '-0' : value}`;
  if (typeof value === 'string') return `t:${value}`;
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  throw new Error(`unexpected SQLite value ${String(value)}`);
}

function sqliteDumper(file: string): Dumper {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const names = db.prepare(`select name from sqlite_master where type = 'table' order by name`).pluck().all() as string[];
  const tables = names.map((name) => ({ name, columns: db.prepare(`select name from pragma_table_info(?) order by cid`).pluck().all(name) as string[] }));
  const prepared = new Map<string, Array<readonly [string, BetterSqlite3.Statement]>>();
  return {
    async dump(omitted = {}) {
      const key = JSON.stringify(omitted);
      if (!prepared.has(key)) {
        prepared.set(key, selectsOf(tables, omitted, (columns) => columns.join(', '), sqlQuote).map(([name, sql]) => [name, db.prepare(sql).raw(true).safeIntegers(true)] as const));
      }
      const statements = prepared.get(key)!;
      // One read transaction: every table as of the same commit.
      return db.transaction(() =>
        Object.fromEntries(statements.map(([name, statement]) => [name, sorted((statement.all() as unknown[][]).map((row) => JSON.stringify(row.map(sqliteCell))))])),
      )();
    },
    version: async () => String(db.pragma('data_version', { simple: true })),
    close: async () => void db.close(),
  };
}

async function postgresDumper(url: string): Promise<Dumper> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `select c.table_name as name, array_agg(c.column_name::text order by c.ordinal_position) as columns
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = 'public'
      group by c.table_name order by c.table_name`,
  );
  return {
    async dump(omitted = {}) {
      // One statement: one snapshot of every table.
      const query = selectsOf(rows, omitted, (columns) => `row(${columns.join(', ')})::text as r`, pg.escapeLiteral)
        .map(([name, sql]) => `select ${pg.escapeLiteral(name)} as t, r from (${sql}) x`)
        .join(' union all ');
      const dump: Dump = Object.fromEntries(rows.map(({ name }) => [name, []]));
      for (const { t, r } of (await client.query<{ t: string; r: string }>(query)).rows) dump[t]!.push(r);
      for (const rowsOfTable of Object.values(dump)) sorted(rowsOfTable);
      return dump;
    },
    version: async () => (await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn')).rows[0]!.lsn,
    close: () => client.end(),
  };
}

/** A dumper on the test database, with a connection of its own; close it when done. */
export function openDumper(database: Pick<TestDatabase, 'databaseUrl' | 'sqliteFile'>): Promise<Dumper> {
  return database.databaseUrl ? postgresDumper(database.databaseUrl) : Promise.resolve(sqliteDumper(database.sqliteFile));
}
