/**
 * SQLite through better-sqlite3: one connection, WAL, prepared statements
 * cached by SQL text, write transactions begun IMMEDIATE so that two processes
 * on one file (server and operator CLI) queue instead of failing to upgrade a lock.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { DatabaseConnection, Driver, QueryResult, TransactionSettings, Dialect as KyselyDialect } from 'kysely';
import { StoreConflict, StoreUnavailable } from '../errors.js';
import { UNIQUE_CONSTRAINTS } from '../constraints.js';
import type { Database } from '../schema.js';
import { toIso, type Dialect } from './dialect.js';

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  file: string;
  /** `full` fsyncs the WAL on every commit (power-loss durability); `normal` survives process crashes. */
  synchronous?: 'normal' | 'full';
}

const STATEMENT_CACHE_LIMIT = 500;

class SqliteConnection implements DatabaseConnection {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  constructor(readonly raw: BetterSqlite3.Database) {}

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}

/** One connection shared in turn: a transaction holds it until commit. */
class SqliteDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  constructor(readonly connection: SqliteConnection) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    (this.connection as SqliteConnection & { release?: () => void }).release = release;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const raw = (connection as SqliteConnection).raw;
    if (raw.inTransaction) raw.exec('rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const holder = connection as SqliteConnection & { release?: () => void };
    const release = holder.release;
    holder.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    if (this.connection.raw.open) this.connection.raw.close();
  }
}

function openDatabase(options: SqliteOptions): BetterSqlite3.Database {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(options.file);
  } catch (error) {
    throw new StoreUnavailable(`cannot open SQLite database ${options.file}: ${(error as Error).message}`, { cause: error });
  }
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  return raw;
}

const CONSTRAINT_BY_COLUMNS = new Map<string, string>(
  UNIQUE_CONSTRAINTS.map((c) => [c.columns.map((column) => `${c.table}.${column}`).join(', '), c.name]),
);

export function createSqliteDialect(options: SqliteOptions): Dialect {
  const connection = new SqliteConnection(openDatabase(options));
  const driver = new SqliteDriver(connection);
  const kyselyDialect: KyselyDialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  const db = new Kysely<Database>({ dialect: kyselyDialect });
  return {
    name: 'sqlite',
    db,
    timeType: 'text',
    mapError(error) {
      const code = (error as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const columns = String((error as Error).message).replace(/^UNIQUE constraint failed: /, '');
        return new StoreConflict(CONSTRAINT_BY_COLUMNS.get(columns) ?? columns);
      }
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_IOERR' || code === 'SQLITE_CANTOPEN') {
        return new StoreUnavailable(`SQLite: ${code}`, { cause: error });
      }
      return error;
    },
    isRetryable: (error) => (error as { code?: string }).code === 'SQLITE_BUSY',
    forUpdate: (query) => query,
    readTime: toIso,
    readCount: (value) => Number(value),
    async syncIdentity() {
      // INTEGER PRIMARY KEY already continues above the highest id.
    },
    close: () => db.destroy(),
  };
}
