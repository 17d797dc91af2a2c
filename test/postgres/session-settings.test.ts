/**
 * The settings of the server's own PostgreSQL sessions (dialects/postgres.ts):
 * the planner's random page cost is 1.1 (lists stay on the index that holds
 * their page in order, README "Performance"), the time limits are set, and an
 * `options` parameter in DATABASE_URL replaces the server's.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDialect } from '../../src/store/dialects/postgres.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.drop());

async function settings(url: string): Promise<Record<string, string>> {
  const dialect = createPostgresDialect({ url });
  try {
    const { rows } = await sql<{ name: string; setting: string }>`
      select name, setting from pg_settings
       where name in ('random_page_cost', 'TimeZone', 'plan_cache_mode', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'application_name')`.execute(dialect.db);
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  } finally {
    await dialect.close();
  }
}

describe('PostgreSQL session settings', () => {
  it('plans with a random page cost of 1.1, a named statement once (generic plan), runs in UTC, and bounds statements, lock waits and idle transactions', async () => {
    expect(await settings(database.databaseUrl!)).toEqual({
      random_page_cost: '1.1',
      TimeZone: 'UTC',
      plan_cache_mode: 'force_generic_plan',
      statement_timeout: '15000',
      lock_timeout: '10000',
      idle_in_transaction_session_timeout: '30000',
      application_name: 'ecgrid-identity',
    });
  });

  it('takes the options of DATABASE_URL instead of its own', async () => {
    const url = new URL(database.databaseUrl!);
    url.searchParams.set('options', '-c random_page_cost=4');
    expect((await settings(url.toString())).random_page_cost).toBe('4');
  });
});
