/** Server-wide settings kept in the database so that every instance agrees (e.g. the JWT secret). */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export class SettingQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** The value, or null when unset. */
  async get(name: string): Promise<string | null> {
    const row = await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value ?? null;
  }

  /** Stores `value` unless the setting exists, and returns the value that is stored (race-safe). */
  async getOrInit(name: string, value: string): Promise<string> {
    await this.db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
    return (await this.get(name)) ?? value;
  }
}
