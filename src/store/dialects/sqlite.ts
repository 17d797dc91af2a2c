/**
 * SQLite through better-sqlite3, built for one busy process:
 *
 * - Two connections. Plain reads run on a reader connection and see only
 *   committed data; everything that writes runs on the writer connection.
 * - Group commit. Transactions queue for the writer. While one runs, others
 *   that arrive wait; when it finishes and another transaction is already
 *   waiting, the writer is handed over without committing, each transaction
 *   inside its own SAVEPOINT (a failing one rolls back alone). When nobody is
 *   waiting, the group stays open until the next turn of the event loop, so
 *   that transactions started in this turn join it; then (or when the group is
 *   full) it COMMITs once, and only then does each transaction's commit
 *   resolve: nothing is acknowledged before it is durable, and a failed COMMIT
 *   fails every transaction of the group.
 *   Plain writes outside a transaction never join a group.
 * - Checkpoints off the request path: the writer does not auto-checkpoint;
 *   a worker thread with its own connection checkpoints the WAL (PASSIVE:
 *   it never blocks the writer). Under steady writes the WAL never finds a
 *   moment to start over, so when it has grown large the writer stops for one
 *   checkpoint (waiting asynchronously: reads and everything else go on) and
 *   the next write starts the WAL from its beginning. The event loop never
 *   waits on SQLite's busy handler for a checkpoint.
 * - Prepared statements cached by SQL text.
 * - Write transactions begin IMMEDIATE, so two processes on one file (server
 *   and operator CLI) queue on the lock instead of failing to upgrade it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql, type SqlBool } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Dialect as KyselyDialect, Driver, QueryResult } from 'kysely';
import { StoreConflict, StoreUnavailable } from '../errors.js';
import { UNIQUE_CONSTRAINTS } from '../constraints.js';
import type { Database } from '../schema.js';
import { toIso, type Dialect } from './dialect.js';

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  file: string;
  /** `full` fsyncs the WAL on every commit (power-loss durability); `normal` survives process crashes. */
  synchronous?: 'normal' | 'full';
  /** WAL frames past which the writer stops for a checkpoint that lets the WAL start over (default RESTART_PAGES). */
  walRestartPages?: number;
  /** How long a shared read transaction takes new reads (default READ_TURN_MAX_MS; see PlainReads). */
  readTurnMaxMs?: number;
}

const STATEMENT_CACHE_LIMIT = 500;
/** Most transactions one COMMIT covers; bounds how long the first of a group waits. */
const MAX_GROUP = 64;
const CHECKPOINT_INTERVAL_MS = 250;
/** WAL frames (pages) past which the writer stops for a checkpoint that lets the WAL start over: 64 MB at 4 KiB. */
const RESTART_PAGES = 16_384;
/** How long a RESTART checkpoint waits for readers to leave the WAL while the writer is held. */
const RESTART_WAIT_MS = 50;
/** Longest pause before a RESTART that found a reader in the WAL is tried again (it starts at 4 intervals, doubling). */
const RESTART_MAX_BACKOFF_MS = 8_000;

/**
 * A statement and, for one that returns rows, how to make a row object from
 * its values. Rows are read raw (arrays) and made by a literal of the
 * statement's own columns: one fixed shape V8 builds at once, where
 * better-sqlite3 adds a row's properties one by one (a list page of 25 users of
 * 20 columns: 268 → 150 µs of SQLite work).
 */
interface Prepared {
  statement: BetterSqlite3.Statement;
  toRow: ((values: unknown[]) => unknown) | null;
}

function rowFactory(columns: readonly { name: string }[]): (values: unknown[]) => unknown {
  // Column names come from our own SQL; JSON.stringify makes each a safe key (a repeated name: the last wins, as before).
  const fields = columns.map((column, i) => `${JSON.stringify(column.name)}: values[${i}]`).join(', ');
  return new Function('values', `return { ${fields} };`) as (values: unknown[]) => unknown;
}

class StatementCache {
  readonly #statements = new Map<string, Prepared>();
  constructor(readonly db: BetterSqlite3.Database) {}

  get(sql: string): Prepared {
    let prepared = this.#statements.get(sql);
    if (!prepared) {
      const statement = this.db.prepare(sql);
      prepared = { statement, toRow: statement.reader ? rowFactory(statement.raw(true).columns()) : null };
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) this.#statements.clear();
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }
}

function run<R>({ statement, toRow }: Prepared, parameters: readonly unknown[]): QueryResult<R> {
  if (toRow) return { rows: (statement.all(parameters) as unknown[][]).map(toRow) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** Longest a shared read transaction is used for new reads (PlainReads): bounds how old a snapshot can be. */
export const READ_TURN_MAX_MS = 2;

/**
 * Plain reads: statements outside any transaction that only read, run on the
 * reader connection. Where the reader is a connection of its own, the reads
 * of one event-loop turn share one read transaction (issue 16). A statement
 * outside a transaction starts and ends a WAL read transaction of its own
 * (taking and giving back a read mark in the shared memory, checking the WAL
 * header: ~4.5 µs of a GET's ~70 here, perf). The first read of a turn opens
 * one (a deferred BEGIN: its snapshot is taken by that read); it ends at the
 * turn's check phase (setImmediate), and at once whenever this process
 * commits a write (Writer's `committed`), so that no read after a commit of
 * ours sees data from before it. Another process's commit (the operator CLI)
 * is seen by a read that starts at most `maxMs` after the transaction began:
 * a read opened in the check phase would otherwise keep its snapshot through
 * the next turn's poll, and a loop that only awaits reads (an export) never
 * reaches a check phase; past that age the next read starts a new one. The
 * state is SQLite's own (`inTransaction`), and ending never throws: it runs in
 * commit paths, which must finish.
 */
class PlainReads {
  readonly #begin: BetterSqlite3.Statement;
  readonly #commit: BetterSqlite3.Statement;
  readonly #rollback: BetterSqlite3.Statement;
  #began = 0;
  #endScheduled = false;
  readonly #endSoon = () => {
    this.#endScheduled = false;
    this.end();
  };

  /**
   * `maxMs`: how long a shared read transaction takes new reads; null where
   * the reader is the writer's own connection (in memory), whose reads share
   * nothing (a transaction there is the writer's group).
   */
  constructor(
    readonly statements: StatementCache,
    private readonly maxMs: number | null,
  ) {
    this.#begin = statements.get('begin').statement;
    this.#commit = statements.get('commit').statement;
    this.#rollback = statements.get('rollback').statement;
  }

  /** The result of `sqlText` run on the reader; undefined for a statement that writes (it is the writer's). */
  tryRun<R>(sqlText: string, parameters: readonly unknown[]): QueryResult<R> | undefined {
    const prepared = this.statements.get(sqlText);
    if (!prepared.statement.readonly) return undefined;
    if (this.maxMs !== null) this.#enter(this.maxMs);
    return run<R>(prepared, parameters);
  }

  /** Into the turn's read transaction: the open one while it is young enough, else a new one. */
  #enter(maxMs: number): void {
    if (this.statements.db.inTransaction) {
      if (performance.now() - this.#began <= maxMs) return;
      this.end();
    }
    this.#begin.run();
    this.#began = performance.now();
    if (!this.#endScheduled) {
      this.#endScheduled = true;
      setImmediate(this.#endSoon);
    }
  }

  end(): void {
    if (this.maxMs === null || !this.statements.db.inTransaction) return;
    try {
      this.#commit.run();
    } catch {
      // A read transaction has nothing to keep: whatever made COMMIT fail, let it go (the next read begins anew).
      try {
        if (this.statements.db.inTransaction) this.#rollback.run();
      } catch {
        // Nothing open any more, or a connection no statement can use: the next read reports it.
      }
    }
  }
}

type Waiter = { joinsGroup: boolean; grant: () => void };

/**
 * Who holds the writer connection, who waits for it, and the open group
 * (the transactions executed since the last COMMIT, waiting for it).
 */
class Writer {
  readonly statements: StatementCache;
  #held = false;
  readonly #waiting: Waiter[] = [];
  #groupOpen = false;
  #commitScheduled = false;
  #group: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  /** Counters for metrics: COMMITs issued and transactions they covered, WAL restarts and the longest hold of one. */
  readonly counters = { commits: 0, transactions: 0, walRestarts: 0, walRestartHoldMsMax: 0 };
  /** `committed`: called after every commit of this connection (the reader's shared read transaction ends: PlainReads). */
  constructor(
    readonly db: BetterSqlite3.Database,
    readonly committed: () => void,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Waits for the writer. A plain write (joinsGroup false) first gets the open group committed. */
  acquire(joinsGroup: boolean): Promise<void> {
    if (!this.#held && this.#waiting.length === 0) {
      this.#held = true;
      if (!joinsGroup) this.#commitGroup();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ joinsGroup, grant: resolve }));
  }

  /**
   * Gives the writer to the next waiter, committing the open group first unless
   * the next one joins it. With nobody waiting the group is committed on the
   * next turn of the event loop rather than at once: requests already parsed
   * and authenticated in this turn join it, and one COMMIT covers them all.
   */
  release(): void {
    const next = this.#waiting.shift();
    if (next?.joinsGroup && this.#group.length < MAX_GROUP) {
      next.grant();
      return;
    }
    if (next) {
      this.#commitGroup();
      next.grant();
      return;
    }
    this.#held = false;
    if (this.#group.length >= MAX_GROUP) this.#commitGroup();
    else this.#scheduleCommit();
  }

  #scheduleCommit(): void {
    if (!this.#groupOpen || this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      // A member holding the writer now commits or schedules again when it releases.
      if (!this.#held) this.#commitGroup();
    });
  }

  /** The transaction whose work is running in the savepoint (Dialect.holding): runAtOnce runs its statements, and no other's. */
  owner: Kysely<Database> | undefined;

  begin(): void {
    if (!this.#groupOpen) {
      this.#run('begin immediate');
      this.#groupOpen = true;
    }
    this.#run('savepoint tx');
  }

  /** Keeps the transaction's work in the group; resolves once the group is committed. */
  commit(): Promise<void> {
    try {
      this.#run('release tx');
    } catch (error) {
      // The savepoint is gone (SQLite aborted the transaction): undo and give the writer on, never keep it.
      this.rollback();
      throw error;
    }
    const committed = new Promise<void>((resolve, reject) => this.#group.push({ resolve, reject }));
    this.release();
    return committed;
  }

  rollback(): void {
    try {
      if (this.db.inTransaction) {
        this.#run('rollback to tx');
        this.#run('release tx');
      } else if (this.#groupOpen) {
        // SQLite itself aborted the whole transaction (I/O error, disk full): the group is lost.
        this.#failGroup(new StoreUnavailable('SQLite aborted the transaction'));
      }
    } finally {
      this.release();
    }
  }

  /**
   * Transaction control through cached statements. One savepoint name serves
   * every member of a group: they run one after the other, so at most one
   * savepoint is open at a time.
   */
  #run(sql: 'begin immediate' | 'savepoint tx' | 'release tx' | 'rollback to tx' | 'commit' | 'rollback'): void {
    this.statements.get(sql).statement.run();
  }

  #failGroup(error: unknown): void {
    const group = this.#group;
    this.#group = [];
    this.#groupOpen = false;
    for (const member of group) member.reject(error);
  }

  #commitGroup(): void {
    if (!this.#groupOpen) return;
    try {
      this.#run('commit');
    } catch (error) {
      if (this.db.inTransaction) this.#run('rollback');
      this.#failGroup(error);
      return;
    }
    this.committed();
    const group = this.#group;
    this.#group = [];
    this.#groupOpen = false;
    this.counters.commits++;
    this.counters.transactions += group.length;
    for (const member of group) member.resolve();
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Commits whatever is open (on close). */
  flush(): void {
    this.#commitGroup();
  }
}

/** One Kysely connection acquisition: reads go to the reader unless inside a transaction. */
class SqliteConnection implements DatabaseConnection {
  /** Inside a transaction: its statements run on the writer, in its savepoint. */
  inTransaction = false;

  constructor(
    private readonly writer: Writer,
    private readonly reads: PlainReads,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = query.parameters as unknown[];
    if (this.inTransaction) return run<R>(this.writer.statements.get(query.sql), parameters);
    const read = this.reads.tryRun<R>(query.sql, parameters);
    if (read) return read;
    await this.writer.acquire(false);
    try {
      return run<R>(this.writer.statements.get(query.sql), parameters);
    } finally {
      // Committed on its own (autocommit): later reads must see it.
      this.writer.committed();
      this.writer.release();
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}

class SqliteDriver implements Driver {
  constructor(
    private readonly writer: Writer,
    private readonly reads: PlainReads,
    private readonly onDestroy: () => Promise<void>,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteConnection(this.writer, this.reads);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.writer.acquire(true);
    try {
      this.writer.begin();
      (connection as SqliteConnection).inTransaction = true;
    } catch (error) {
      this.writer.release();
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).inTransaction = false;
    await this.writer.commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const sqlite = connection as SqliteConnection;
    if (!sqlite.inTransaction) return;
    sqlite.inTransaction = false;
    this.writer.rollback();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.onDestroy();
  }
}

function openDatabase(file: string, synchronous: 'normal' | 'full', role: 'writer' | 'reader'): BetterSqlite3.Database {
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file);
  } catch (error) {
    throw new StoreUnavailable(`cannot open SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  raw.pragma('busy_timeout = 5000');
  if (role === 'writer') {
    raw.pragma('journal_mode = WAL');
    raw.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    raw.pragma('wal_autocheckpoint = 0');
  }
  raw.pragma('foreign_keys = ON');
  raw.pragma('cache_size = -16000');
  return raw;
}

/**
 * Checkpoints the WAL from a worker thread with its own connection, so that
 * copying pages back into the database never stalls a request: PASSIVE
 * checkpoints every CHECKPOINT_INTERVAL_MS, which never block the writer.
 *
 * PASSIVE alone lets the WAL grow without end under steady writes: the writer
 * starts the WAL over only when every frame in it has been copied back, and
 * it keeps appending while a checkpoint runs. When the WAL has more than
 * `restartPages` frames the worker says so ('large') and waits; the main
 * thread takes the writer (its open group committed, later writes queued)
 * and asks for one RESTART checkpoint ('restart'), which catches up and
 * leaves the WAL to start over at the next write. The file keeps its size
 * and is rewritten from its start: no truncation on the request path.
 *
 * (It used to TRUNCATE from the worker at any moment. A TRUNCATE or RESTART
 * checkpoint holds off writers while it runs, and the writer's BEGIN then
 * slept in SQLite's busy handler on the main thread: strace showed the event
 * loop asleep for ~150 ms at a time under PUT load, the PUT p99.)
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const fs = require('node:fs');
const db = new Database(workerData.file);
// The database file, for flushing the pages PASSIVE copied into it (fdatasync flushes a file through any descriptor).
const file = fs.openSync(workerData.file, 'r');
// The writer is held while a RESTART waits here: a reader that stays in the WAL (an online backup) must cost
// writes tens of milliseconds, not seconds, and is asked again only after a pause that doubles while it stays.
db.pragma('busy_timeout = ' + workerData.restartWaitMs);
let stopping = false;
let timer = null;
let backoffMs = 0;
let quietUntil = 0;
function schedule() {
  if (!stopping) timer = setTimeout(checkpoint, workerData.intervalMs);
}
function checkpoint() {
  timer = null;
  let log = 0;
  try {
    const [state] = db.pragma('wal_checkpoint(PASSIVE)');
    log = state ? state.log : 0;
  } catch (error) {}
  if (log > workerData.restartPages && Date.now() >= quietUntil) {
    // Before the writer is held: put on disk the pages the PASSIVE checkpoints copied into the database, and copy
    // what came in meanwhile, so that the RESTART's own sync has only its last few pages to write (holds of
    // 31-52 ms became 8-20 ms under PUT load: most of a hold was that sync).
    try {
      fs.fdatasyncSync(file);
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {}
    parentPort.postMessage('large');
  } else schedule();
}
schedule();
parentPort.on('message', (message) => {
  if (message === 'restart') {
    // busy 0: every frame copied back and no reader left in the WAL, so the next write starts it over.
    let done = false;
    try { done = db.pragma('wal_checkpoint(RESTART)')[0].busy === 0; } catch (error) {}
    backoffMs = done ? 0 : Math.min(backoffMs ? backoffMs * 2 : workerData.intervalMs * 4, workerData.maxBackoffMs);
    quietUntil = Date.now() + backoffMs;
    parentPort.postMessage(done ? 'restarted' : 'busy');
    schedule();
    return;
  }
  stopping = true;
  if (timer) clearTimeout(timer);
  db.close();
  fs.closeSync(file);
  parentPort.postMessage('closed');
});
`;

function startCheckpointer(file: string, writer: Writer, restartPages: number): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER_SOURCE, {
    eval: true,
    workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS, restartPages, restartWaitMs: RESTART_WAIT_MS, maxBackoffMs: RESTART_MAX_BACKOFF_MS },
  });
  worker.unref();
  let restarted: ((done: boolean) => void) | null = null;
  let ending = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message) => {
      if (message === 'large') void restartWal();
      else if (message === 'restarted' || message === 'busy') restarted?.(message === 'restarted');
      else if (message === 'closed') void worker.terminate().then(() => resolve(), () => resolve());
    });
    worker.once('exit', () => {
      ending = true;
      restarted?.(false);
      resolve();
    });
  });
  worker.on('error', () => {});

  /** Holds the writer (asynchronously: nobody sleeps) while the worker restarts the WAL. */
  async function restartWal(): Promise<void> {
    await writer.acquire(false);
    const heldSince = performance.now();
    try {
      // Stopping (or the worker gone): no answer would come; the close checkpoints anyway.
      if (ending) return;
      // Not done (a reader still in the WAL): writes go on, and the worker reports again after its next checkpoint.
      const done = await new Promise<boolean>((resolve) => {
        restarted = resolve;
        worker.postMessage('restart');
      });
      if (done) writer.counters.walRestarts++;
    } finally {
      restarted = null;
      writer.counters.walRestartHoldMsMax = Math.max(writer.counters.walRestartHoldMsMax, performance.now() - heldSince);
      writer.release();
    }
  }

  return {
    stop: () => {
      ending = true;
      worker.postMessage('stop');
      return stopped;
    },
  };
}

const CONSTRAINT_BY_COLUMNS = new Map<string, string>(
  UNIQUE_CONSTRAINTS.map((c) => [c.columns.map((column) => `${c.table}.${column}`).join(', '), c.name]),
);

export function createSqliteDialect(options: SqliteOptions): Dialect {
  const inMemory = options.file === ':memory:';
  if (!inMemory) {
    try {
      mkdirSync(dirname(options.file), { recursive: true });
    } catch (error) {
      throw new StoreUnavailable(`cannot create the directory of ${options.file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const synchronous = options.synchronous ?? 'normal';
  const writerDb = openDatabase(options.file, synchronous, 'writer');
  // An in-memory database cannot be shared by two connections: the writer reads too.
  const readerDb = inMemory ? writerDb : openDatabase(options.file, synchronous, 'reader');
  const writer = new Writer(writerDb, () => reads.end());
  const reads = inMemory
    ? new PlainReads(writer.statements, null)
    : new PlainReads(new StatementCache(readerDb), options.readTurnMaxMs ?? READ_TURN_MAX_MS);
  const checkpointer = inMemory ? null : startCheckpointer(options.file, writer, options.walRestartPages ?? RESTART_PAGES);

  const driver = new SqliteDriver(writer, reads, async () => {
    writer.flush();
    await checkpointer?.stop();
    reads.end();
    if (readerDb !== writerDb && readerDb.open) readerDb.close();
    if (writerDb.open) {
      try {
        writerDb.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // Another process may be reading; its next checkpoint will do.
      }
      writerDb.close();
    }
  });
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
    writesInOneStatement: false,
    readsInBatches: false,
    timeType: 'text',
    async holding(trx, work) {
      writer.owner = trx;
      try {
        return await work();
      } finally {
        writer.owner = undefined;
      }
    },
    runAtOnce(from, sqlText, parameters) {
      // The statements of the transaction whose work holds the writer run in its savepoint; any other
      // transaction's (one already ended, say) go through Kysely, which refuses or queues them as before.
      if (from.isTransaction) return from === writer.owner ? run(writer.statements.get(sqlText), parameters).rows : undefined;
      if (from !== db) return undefined;
      return reads.tryRun(sqlText, parameters)?.rows;
    },
    mapError(error) {
      const code = (error as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const columns = String((error as Error).message).replace(/^UNIQUE constraint failed: /, '');
        return new StoreConflict(CONSTRAINT_BY_COLUMNS.get(columns) ?? columns);
      }
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_IOERR' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_FULL') {
        return new StoreUnavailable(`SQLite: ${code}`, { cause: error });
      }
      return error;
    },
    isRetryable: (error) => (error as { code?: string }).code === 'SQLITE_BUSY',
    forUpdate: (query) => query,
    forShare: (query) => query,
    async serialize() {
      // BEGIN IMMEDIATE: one writing transaction at a time already.
    },
    idIn: (column, ids) => sql<SqlBool>`${sql.ref(column)} in (${ids})`,
    readTime: toIso,
    readCount: (value) => Number(value),
    async syncIdentity() {
      // INTEGER PRIMARY KEY already continues above the highest id.
    },
    async afterBulkLoad() {},
    stats: () => ({
      writer_waiting: writer.waiting,
      group_commits_total: writer.counters.commits,
      group_committed_transactions_total: writer.counters.transactions,
      wal_restarts_total: writer.counters.walRestarts,
      // The longest the writer was held for a WAL restart (writes waited that long at most for it).
      wal_restart_hold_ms_max: Math.round(writer.counters.walRestartHoldMsMax * 10) / 10,
    }),
    close: () => db.destroy(),
  };
}
