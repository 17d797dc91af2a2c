/**
 * Session rows written and read with plain SQL, for tests of what revokes
 * sessions (reset, set password) independently of how sessions are issued.
 */
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { rawExec } from './raw-sql.js';
import type { TestDatabase } from './test-db.js';

export interface SessionRow {
  sessionId: string;
  userId: number;
  revokedAt: string | null;
}

/** Inserts a live (or, with `revokedAt`, an already revoked) session for the user; returns its id. */
export async function insertSession(database: TestDatabase, userId: number, revokedAt: string | null = null): Promise<string> {
  const sessionId = randomUUID();
  const created = new Date().toISOString();
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  const revoked = revokedAt === null ? 'NULL' : `'${revokedAt}'`;
  const statement = `INSERT INTO sessions (session_id, user_id, generation, refresh_hash, created, expires_at, revoked_at)
    VALUES ('${sessionId}', ${Number(userId)}, 1, 'test-refresh-hash', '${created}', '${expires}', ${revoked});`;
  await rawExec(database, { sqlite: statement, postgres: statement });
  return sessionId;
}

/** Every session row of the user, revokedAt as an ISO string or null. */
export async function readSessions(database: TestDatabase, userId: number): Promise<SessionRow[]> {
  const query = 'SELECT session_id, user_id, revoked_at FROM sessions WHERE user_id = $1 ORDER BY session_id';
  let rows: Array<{ session_id: string; user_id: number; revoked_at: string | Date | null }>;
  if (database.databaseUrl) {
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      rows = (await client.query(query, [userId])).rows;
    } finally {
      await client.end();
    }
  } else {
    const db = new BetterSqlite3(database.sqliteFile, { readonly: true });
    try {
      db.pragma('busy_timeout = 5000');
      rows = db.prepare(query.replace('$1', '?')).all(userId) as typeof rows;
    } finally {
      db.close();
    }
  }
  return rows.map((row) => ({
    sessionId: row.session_id,
    userId: row.user_id,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  }));
}
