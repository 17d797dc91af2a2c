/** Bearer-token sessions: one row per login, revocable. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export class SessionQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Revokes every live session of the user; returns how many. */
  async revokeAllOfUser(userId: number, at: string): Promise<number> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
