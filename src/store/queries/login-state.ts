/**
 * The login bookkeeping columns of the users table (failed_logins,
 * locked_until, last_login), apart from queries/users.ts because only the
 * session service writes them, and never as a profile change (`modified` and
 * `version` are left alone).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';

export interface FailureCount {
  /** Consecutive failures after this one; 0 when this one set the lock. */
  failedLogins: number;
  /** The lock end when this failure set it, otherwise null. */
  lockedUntil: string | null;
}

export class LoginStateQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Counts one failed attempt, in one statement (concurrent failures never
   * lose an increment): the `threshold`-th consecutive failure sets the lock
   * to `lockUntil` and restarts the count. Returns null, counting nothing,
   * when the user is locked at `now` (attempts during a lock neither count nor
   * extend it) or does not exist.
   */
  async recordFailure(userId: number, now: string, lockUntil: string, threshold: number): Promise<FailureCount | null> {
    const reached = sql<boolean>`failed_logins + 1 >= ${threshold}`;
    const row = await this.db
      .updateTable('users')
      .set({
        failed_logins: sql<number>`case when ${reached} then 0 else failed_logins + 1 end`,
        // The cast gives PostgreSQL the column's type for the parameter (a CASE of parameters alone is text).
        locked_until: sql<string>`case when ${reached} then cast(${lockUntil} as ${sql.raw(this.dialect.timeType)}) else null end`,
      })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returning(['failed_logins', 'locked_until'])
      .executeTakeFirst();
    if (!row) return null;
    return {
      failedLogins: row.failed_logins,
      lockedUntil: row.locked_until === null ? null : this.dialect.readTime(row.locked_until),
    };
  }

  /** A successful login: stamps last_login and clears the failure count and any lock. */
  async recordSuccess(userId: number, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ last_login: at, failed_logins: 0, locked_until: null })
      .where('user_id', '=', userId)
      .modifyEnd(untilCommit)
      .execute();
  }
}
