/**
 * PostgreSQL through pg's connection pool. Transactions run at READ COMMITTED;
 * services lock the rows they change with SELECT … FOR UPDATE (`forUpdate`), so
 * two instances updating one user serialize on its row instead of interleaving.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient, type SqlBool } from 'kysely';
import { statementName } from '../prepared.js';
import { queryNamed } from './postgres-statement.js';
import { pipelinedClient } from './postgres-pipeline.js';
import { StoreConflict, StoreUnavailable } from '../errors.js';
import type { Database } from '../schema.js';
import { toIso, type Dialect } from './dialect.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
}

/** SQLSTATEs after which a transaction may be run again unchanged. */
const RETRYABLE = new Set(['40001', '40P01']);
/** Socket-level failures: the server is gone or unreachable. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
/**
 * SQLSTATE classes that mean "cannot use the database now": 08 connection
 * exception, 53 insufficient resources, 57P operator intervention (shutdown,
 * terminated backend), 28 authorization (bad credentials), 3D000 no such
 * database, and 55000 when connections are switched off.
 */
function isUnavailableState(code: string, message: string): boolean {
  return (
    code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code.startsWith('28') || code === '3D000' ||
    (code === '55000' && /accepting connections/i.test(message))
  );
}

// Counts and bigints come back as strings; ids fit in 32 bits, so parse int8 as a number.
pg.types.setTypeParser(20, (value) => Number(value));

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ);
/** PostgreSQL's text of a timestamptz in a UTC session: `2026-12-01 10:00:00.123+00` (trailing zeros of the fraction dropped). */
const UTC_TEXT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as the API's text (`…T…Z`, milliseconds), rewritten from
 * PostgreSQL's text when the session is in UTC (the server's sessions are:
 * TimeZone in the pool's options), instead of a Date parsed and printed again
 * (2.3 % of the CPU of GET /v2/users/{id}). Any other text (another session
 * time zone, a year before 1000) goes through pg's parser, to the same answer.
 */
export function timestamptzToIso(text: string): string {
  const utc = UTC_TEXT.exec(text);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const parsed = parseTimestamptz(text) as unknown;
  return parsed instanceof Date ? parsed.toISOString() : String(parsed);
}
pg.types.setTypeParser(TIMESTAMPTZ, timestamptzToIso);

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  const message = String((error as Error)?.message ?? '');
  if (UNAVAILABLE_CODES.has(code) || isUnavailableState(code, message)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message) || POOL_TIMEOUT.test(message);
}

/** pg-pool's own: no connection freed up within connectionTimeoutMillis. */
const POOL_TIMEOUT = /timeout exceeded when trying to connect/i;

/**
 * pg's pool as Kysely sees it, except that the queries of prepared.ts go out as
 * named statements (parsed and planned once per connection: a GET's PostgreSQL
 * CPU was mostly parse and plan of two statements that run for ~12 µs each).
 * Kysely keys its connection state by client object, so each pg client keeps one wrapper.
 */
function namedStatementPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = pipelinedClient(client, (text, values) => {
          const name = statementName(text);
          return name ? queryNamed(client, name, text, values) : client.query(text, values);
        });
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** SQLSTATE of a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
/** Longest wait for the exclusive lock that rewriting user_counts after a bulk load takes. */
const BULK_LOAD_LOCK_WAIT_MS = 100;
/** Tries at that rewrite, BULK_LOAD_LOCK_WAIT_MS × 2 apart: the writers it may hold up wait ≤ 100 ms each time. */
const BULK_LOAD_REWRITE_ATTEMPTS = 4;

export function createPostgresDialect(options: PostgresOptions): Dialect {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // Nothing may hang a request: statements, lock waits and forgotten transactions are bounded.
    statement_timeout: 15_000,
    lock_timeout: 10_000,
    idle_in_transaction_session_timeout: 30_000,
    query_timeout: 20_000,
    application_name: 'ecgrid-identity',
    // Queries asked while one is unanswered go out at once (postgres-pipeline.ts: in a transaction, BEGIN, the
    // audit event and the UPDATE of a held row go with the statements around them).
    pipeline: true,
    // The planner's cost of a random page read, for this server's sessions only: 1.1 (data on SSD or
    // in memory) instead of 4 (spinning disks). At 4, with statistics, a user list of one network
    // walked the primary key through ten times the rows of its page (one shape all 1,000,000 rows
    // for an empty page) rather than the index that holds the page in order (README "Performance").
    // TimeZone UTC: timestamps come back in the text timestamptzToIso rewrites without a Date.
    // plan_cache_mode: a named statement (prepared.ts) runs on the plan made once for any values. Left to
    // choose, PostgreSQL planned the batched credential lookup and the list page anew on every run
    // (pg_stat_statements with track_planning, bench/profile-postgres.mjs: 400–640 µs of planning for a
    // statement that runs in 50–100 µs); the one-time plans of every list shape are in
    // bench/results/explain-lists-generic.log.
    // An `options` parameter in DATABASE_URL replaces this one (timestamps are then parsed, to the same values).
    options: '-c random_page_cost=1.1 -c TimeZone=UTC -c plan_cache_mode=force_generic_plan',
  });
  // A connection dying (failover, pg_terminate_backend) must not crash the process: the query
  // in flight rejects (→ 503) and the pool replaces the client. Checked-out clients emit
  // 'error' on themselves, idle ones on the pool; both need a listener.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatementPool(pool) }) });
  return {
    name: 'postgres',
    db,
    writesInOneStatement: true,
    readsInBatches: true,
    timeType: 'timestamptz',
    mapError(error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23505') return new StoreConflict(pgError.constraint ?? 'unique');
      if (isConnectionFailure(error)) {
        const message = (error as Error).message;
        return new StoreUnavailable(`PostgreSQL unavailable: ${message}`, { cause: error, poolExhausted: POOL_TIMEOUT.test(message) });
      }
      return error;
    },
    isRetryable: (error) => RETRYABLE.has((error as { code?: string }).code ?? ''),
    forUpdate: (query, of) => query.forUpdate(of as never),
    forShare: (query, of) => query.forShare(of as never),
    async serialize(executor, guard) {
      await sql`select pg_advisory_xact_lock(hashtext(${guard}))`.execute(executor);
    },
    idIn: (column, ids) => sql<SqlBool>`${sql.ref(column)} = any(array(${ids}))`,
    readTime: toIso,
    readCount: (value) => Number(value),
    async syncIdentity(executor, table) {
      const column = { users: 'user_id', networks: 'network_id', mailboxes: 'mailbox_id', api_keys: 'key_id' }[table];
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), greatest((select max(${sql.ref(column)}) from ${sql.table(table)}), 1))`.execute(executor);
    },
    async afterBulkLoad() {
      // One connection, outside any transaction (VACUUM cannot run in one). The rewrite takes an exclusive
      // lock on user_counts for the milliseconds its few rows take; a live server may be writing them, and a
      // waiting exclusive lock would hold its writers back: wait at most BULK_LOAD_LOCK_WAIT_MS each try, and
      // after the last, only vacuum (no lock that blocks writers; the pages stay, emptied).
      await db.connection().execute(async (connection) => {
        await sql`set lock_timeout = ${sql.lit(BULK_LOAD_LOCK_WAIT_MS)}`.execute(connection);
        let rewritten = false;
        try {
          // Tried a few times: right after a load, an autovacuum of user_counts often holds a lock the rewrite
          // waits for, and PostgreSQL cancels it for us only after deadlock_timeout (1 s), past our wait (seen
          // after a seed of 1M users: 7,400 pages left, 22 ms for every unfiltered total).
          for (let attempt = 1; !rewritten && attempt <= BULK_LOAD_REWRITE_ATTEMPTS; attempt++) {
            try {
              await sql`vacuum (full, analyze) user_counts`.execute(connection);
              rewritten = true;
            } catch (error) {
              if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
              if (attempt < BULK_LOAD_REWRITE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, BULK_LOAD_LOCK_WAIT_MS * 2));
            }
          }
        } finally {
          await sql`reset lock_timeout`.execute(connection);
        }
        // Without the lock timeout: the plain vacuum's lock blocks no writer, and the one it may meet is an
        // autovacuum of the same table (which PostgreSQL cancels for it after deadlock_timeout), not a reason to fail
        // a seed that has written all its rows.
        if (!rewritten) await sql`vacuum (analyze) user_counts`.execute(connection);
        // Vacuumed, not only analyzed: a list finds its page's ids in the index alone (UserQueries' list) only on
        // pages the visibility map marks all-visible, which a vacuum does; and the autovacuum that a load's
        // inserts would start anyway does not then run under the first requests (profile-postgres, list on
        // 100,000 users just seeded: the page statement 276 µs, 171 µs after this vacuum).
        await sql`vacuum (analyze) users`.execute(connection);
      });
    },
    stats: () => ({ pool_total: pool.totalCount, pool_idle: pool.idleCount, pool_waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}
