/**
 * Bearer-token sessions: one row per login, revocable. A row is live while
 * `revoked_at` is null and `expires_at` (the session's absolute end) is in the
 * future; only tokens of its current `generation` (bumped by every refresh)
 * are honoured. Authentication reads the row on every request, so a revocation
 * here is seen by every instance on the very next request.
 */
import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { Database } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';
import { prepare } from '../prepared.js';
import { TurnBatch, inOrderAsked } from '../turn-batch.js';
import { STANDING_COLUMNS, toStanding, type Standing } from './standing.js';

/** The UPDATE that revokes a user's live sessions, all or all but `keep` (SessionQueries, AuditQueries.insertCounting). */
export function revokeSessionsOfUser(db: QueryCreator<Database>, userId: number, at: string, keep?: string) {
  const query = db.updateTable('sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  return keep === undefined ? query : query.where('session_id', '!=', keep);
}

const SESSION_CREDENTIAL_COLUMNS = ['s.session_id', 's.generation', 's.refresh_hash', 's.expires_at', 's.revoked_at', ...STANDING_COLUMNS] as const;

// Every request authenticated by a bearer token runs this: compiled once (see prepared.ts).
const FIND_CREDENTIAL = prepare((db, _dialect, sessionId: string) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.user_id', 's.user_id')
    .leftJoin('networks as n', 'n.network_id', 'u.network_id')
    .leftJoin('mailboxes as m', 'm.mailbox_id', 'u.mailbox_id')
    .select(SESSION_CREDENTIAL_COLUMNS)
    .where('s.session_id', '=', sessionId),
);

/** FIND_CREDENTIAL for every session lookup of one event-loop turn, in one statement (as keys.ts FIND_CREDENTIALS). */
const FIND_CREDENTIALS = prepare((db, _dialect, sessionIds: readonly string[]) =>
  db
    .selectFrom(sql<{ session_id: string; i: number }>`unnest(${sessionIds}::text[]) with ordinality`.as<'x'>(sql`x(session_id, i)`))
    .innerJoin('sessions as s', 's.session_id', 'x.session_id')
    .innerJoin('users as u', 'u.user_id', 's.user_id')
    .leftJoin('networks as n', 'n.network_id', 'u.network_id')
    .leftJoin('mailboxes as m', 'm.mailbox_id', 'u.mailbox_id')
    .select(['x.i', ...SESSION_CREDENTIAL_COLUMNS]),
);

type SessionRow = NonNullable<Awaited<ReturnType<typeof FIND_CREDENTIAL.first>>>;

/** The session lookups of one turn on `db` (the store's, outside any transaction) as one FIND_CREDENTIALS. */
export function sessionBatch(db: Kysely<Database>, dialect: Dialect): TurnBatch<string, SessionRow | undefined> {
  return new TurnBatch<string, SessionRow | undefined>(async (sessionIds) => inOrderAsked(await FIND_CREDENTIALS.rows(db, dialect, [sessionIds]), sessionIds.length));
}

export interface NewSession {
  sessionId: string;
  userId: number;
  /** SHA-256 (hex) of the refresh token. */
  refreshHash: string;
  created: string;
  /** Absolute end of the session (ISO). */
  expiresAt: string;
}

/** What authentication needs to know about a session and everything it depends on. */
export interface SessionCredential extends Standing {
  sessionId: string;
  generation: number;
  refreshHash: string;
  expiresAt: string;
  revokedAt: string | null;
}

export class SessionQueries {
  /** `batch`: where lookups go on a store that gathers them by turn (sessionBatch); none in a transaction. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly batch?: TurnBatch<string, SessionRow | undefined>,
  ) {}

  async insert(session: NewSession): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        session_id: session.sessionId,
        user_id: session.userId,
        refresh_hash: session.refreshHash,
        created: session.created,
        expires_at: session.expiresAt,
      })
      .modifyEnd(untilCommit)
      .execute();
  }

  /**
   * The session with this id joined with its user's, network's and mailbox's
   * status; null when there is none (revoked and expired sessions are
   * returned: the caller decides).
   */
  async findCredential(sessionId: string): Promise<SessionCredential | null> {
    const row = this.batch ? await this.batch.get(sessionId) : await FIND_CREDENTIAL.first(this.db, this.dialect, [sessionId]);
    if (!row) return null;
    return {
      sessionId: row.session_id,
      generation: row.generation,
      refreshHash: row.refresh_hash,
      expiresAt: this.dialect.readTime(row.expires_at),
      revokedAt: row.revoked_at === null ? null : this.dialect.readTime(row.revoked_at),
      ...toStanding(row),
    };
  }

  /**
   * Moves a live session from `generation` to the next one with a new refresh
   * hash, as one compare-and-set: of two concurrent refreshes of the same
   * generation exactly one wins. False when the session is no longer live or
   * already moved on.
   */
  async rotate(sessionId: string, generation: number, refreshHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set((eb) => ({ generation: eb('generation', '+', 1), refresh_hash: refreshHash }))
      .where('session_id', '=', sessionId)
      .where('generation', '=', generation)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes one session; returns whether it was not revoked before. */
  async revoke(sessionId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('session_id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Revokes every live session of the user where nobody needs how many (a
   * suspension, a termination): inside a transaction nothing waits for it
   * (UNTIL_COMMIT). Where the count goes into the audit event: AuditQueries.insertCounting.
   */
  async endAllOfUser(userId: number, at: string): Promise<void> {
    await revokeSessionsOfUser(this.db, userId, at).modifyEnd(untilCommit).execute();
  }

  /** How many sessions of the user are open at `now` (not revoked, not past their end). */
  async countOpen(userId: number, now: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return this.dialect.readCount(row.n);
  }

  /** countOpen for several users at once: user id → open sessions (0 for users without any). */
  async countOpenOfUsers(userIds: readonly number[], now: string): Promise<Map<number, number>> {
    const counts = new Map<number, number>(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const rows = await this.db
      .selectFrom('sessions')
      .select((eb) => ['user_id', eb.fn.countAll<number>().as('n')])
      .where('user_id', 'in', [...new Set(userIds)])
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .groupBy('user_id')
      .execute();
    for (const row of rows) counts.set(row.user_id, this.dialect.readCount(row.n));
    return counts;
  }

  /** Deletes the user's sessions whose end has passed (they can never be used again); nobody waits for it (UNTIL_COMMIT). */
  async deleteEndedOfUser(userId: number, now: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', now).modifyEnd(untilCommit).execute();
  }
}
