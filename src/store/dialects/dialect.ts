/**
 * Everything that differs between SQLite and PostgreSQL, in one interface.
 * Nothing above the store knows which one it is talking to.
 */
import { sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Ends (as an SQL comment) the SQL of a statement whose result nobody reads,
 * such as the audit INSERT: inside a transaction a dialect may send it without
 * waiting for it, and await its answer with the next statement that is awaited
 * (PostgreSQL: postgres-pipeline.ts; at the latest with COMMIT). SQLite, which
 * does not wait on a network, runs it as any statement.
 */
export const UNTIL_COMMIT = '/* until commit */';
/** UNTIL_COMMIT for a query's `.modifyEnd(…)`. */
export const untilCommit = sql.raw(UNTIL_COMMIT);

export interface Dialect {
  readonly name: DialectName;
  readonly db: Kysely<Database>;
  /**
   * Whether one statement can write several tables (PostgreSQL's data-modifying
   * WITH): a change and its audit event then take one round trip and need no
   * BEGIN/COMMIT. SQLite runs the same change as a transaction of several statements.
   */
  readonly writesInOneStatement: boolean;
  /**
   * Whether reads that can go together go as one statement: the credential
   * lookups (API keys, sessions) of one event-loop turn, outside transactions,
   * one statement per kind (TurnBatch); a user list with its total and caller
   * (UserQueries.list). PostgreSQL, where each statement is a round trip.
   * SQLite reads in-process, synchronously (a perf profile of GET on SQLite
   * puts all of SQLite at 7 % of the process, the read-lock `fcntl` at 1 %):
   * nothing worth gathering.
   */
  readonly readsInBatches: boolean;
  /**
   * The rows of a prepared statement, where the database is in-process and the
   * statement can run at once: SQLite runs a read outside transactions (`db`
   * the dialect's own) on its reader, and any statement of the transaction that
   * holds its writer (see `holding`) on the writer, without Kysely's executor and its chain of
   * awaits around one synchronous call (issue 16: the reads of GET and
   * authentication, the statements of PUT's transaction). Undefined where it
   * cannot (PostgreSQL; a write outside a transaction, which waits for the
   * writer): the query then goes through Kysely as any other.
   */
  runAtOnce?(db: Kysely<Database>, sqlText: string, parameters: readonly unknown[]): unknown[] | undefined;
  /**
   * Runs a transaction's work (Store.transaction), `trx` its Kysely instance:
   * SQLite notes it as the one holding the writer while the work runs, so that
   * runAtOnce runs only its statements there.
   */
  holding?<T>(trx: Kysely<Database>, work: () => Promise<T>): Promise<T>;
  /** Column type of timestamps in migrations. */
  readonly timeType: 'text' | 'timestamptz';
  /** Turns driver errors into StoreConflict / StoreUnavailable; anything else is returned as is. */
  mapError(error: unknown): unknown;
  /** True for failures after which the whole transaction may simply be run again. */
  isRetryable(error: unknown): boolean;
  /**
   * Locks the selected rows (of the tables `of` names, else of all) until
   * commit. SQLite: no-op (BEGIN IMMEDIATE already holds the write lock).
   * PostgreSQL locks a statement's rows in the order its locking clauses name
   * the tables: `forShare(forUpdate(q, ['u']), ['n', 'm'])` locks u's row, then n's, then m's.
   */
  forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, of?: readonly string[]): SelectQueryBuilder<DB, TB, O>;
  /** Locks the selected rows (as forUpdate) against change, not against other readers, until commit. SQLite: no-op. */
  forShare<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, of?: readonly string[]): SelectQueryBuilder<DB, TB, O>;
  /**
   * Makes the transactions that check one invariant (named by `guard`) run that
   * check one after the other: held until commit. PostgreSQL: a transaction-level
   * advisory lock. SQLite: no-op (BEGIN IMMEDIATE already serializes writers).
   */
  serialize(db: Kysely<Database>, guard: string): Promise<void>;
  /**
   * The condition "`column` is one of the ids `ids` selects" (a page of ids,
   * then their rows: UserQueries' list). PostgreSQL: `= any(array(…))`, an
   * index lookup per id in any plan; its `in (…)` was a semi-join that, in the
   * generic plan of a named statement (which does not know the page is 25
   * rows), hashed the ids and read the whole table (1,000,000 rows, 270 ms,
   * bench/results/explain-lists-generic.log). SQLite: `in (…)`, looked up by id.
   */
  idIn(column: string, ids: Expression<unknown>): RawBuilder<SqlBool>;
  readTime(value: string | Date): string;
  readCount(value: number | string | bigint): number;
  /** After rows were inserted with explicit ids, make generated ids continue above the highest. */
  syncIdentity(db: Kysely<Database>, table: 'users' | 'networks' | 'mailboxes' | 'api_keys'): Promise<void>;
  /**
   * After a bulk load (seed, import): leaves tables as steady writes under
   * autovacuum would. PostgreSQL: `user_counts`, a few rows that the load
   * updated once per user inside big transactions, is rewritten (a million
   * users left 198 rows in 7,400 pages, and an unfiltered total read them all),
   * and statistics are refreshed; a live server writing the table makes it only
   * vacuum, never wait on it. SQLite: nothing (its plans take no statistics).
   */
  afterBulkLoad(): Promise<void>;
  /** Connection/pool figures for metrics (names are metric suffixes). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** ISO-8601 with milliseconds and Z, whatever the driver returned. */
export function toIso(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  return value;
}
