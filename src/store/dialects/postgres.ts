/**
 * PostgreSQL through pg's connection pool. Transactions run at READ COMMITTED;
 * services lock the rows they change with SELECT … FOR UPDATE (`forUpdate`), so
 * two instances updating one user serialize on its row instead of interleaving.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { StoreConflict, StoreUnavailable } from '../errors.js';
import type { Database } from '../schema.js';
import { toIso, type Dialect } from './dialect.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
}

/** SQLSTATEs after which a transaction may be run again unchanged. */
const RETRYABLE = new Set(['40001', '40P01']);
/** Connection-level failures: the server is gone or refusing us. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300']);

// Counts and bigints come back as strings; ids fit in 32 bits, so parse int8 as a number.
pg.types.setTypeParser(20, (value) => Number(value));

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const message = String((error as Error)?.message ?? '');
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

export function createPostgresDialect(options: PostgresOptions): Dialect {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: 'postgres',
    db,
    timeType: 'timestamptz',
    mapError(error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === '23505') return new StoreConflict(pgError.constraint ?? 'unique');
      if (isConnectionFailure(error)) {
        return new StoreUnavailable(`PostgreSQL unavailable: ${(error as Error).message}`, { cause: error });
      }
      return error;
    },
    isRetryable: (error) => RETRYABLE.has((error as { code?: string }).code ?? ''),
    forUpdate: (query) => query.forUpdate(),
    readTime: toIso,
    readCount: (value) => Number(value),
    async syncIdentity(executor, table) {
      const column = { users: 'user_id', networks: 'network_id', mailboxes: 'mailbox_id', api_keys: 'key_id' }[table];
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), greatest((select max(${sql.ref(column)}) from ${sql.table(table)}), 1))`.execute(executor);
    },
    close: () => db.destroy(),
  };
}
