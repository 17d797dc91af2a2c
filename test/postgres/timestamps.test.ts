/**
 * Timestamps read from PostgreSQL (dialects/postgres.ts, timestamptzToIso):
 * the server's sessions run in UTC and a timestamp's text is rewritten into
 * the API's form without a Date; in any other session time zone (an `options`
 * in DATABASE_URL) the parsed value is the same instant in the same form.
 * The expected text is PostgreSQL's own to_char, not our code.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDialect, timestamptzToIso } from '../../src/store/dialects/postgres.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.drop());

const INSTANTS = [
  '2026-12-01T10:00:00.000Z',
  '2026-12-01T10:00:00.100Z',
  '2026-12-01T10:00:00.120Z',
  '2026-12-01T23:59:59.999Z',
  '2024-02-29T00:00:00.001Z',
  '1970-01-01T00:00:00.000Z',
  '0999-06-15T12:30:45.678Z',
  '9999-12-31T23:59:59.999Z',
];

/** Each instant as PostgreSQL prints it in `timeZone`, with PostgreSQL's own ISO rendering of it in UTC. */
async function printed(timeZone: string): Promise<{ text: string; expected: string }[]> {
  const client = new pg.Client({ connectionString: database.databaseUrl!, options: `-c TimeZone=${timeZone}` });
  await client.connect();
  try {
    const { rows } = await client.query<{ text: string; expected: string }>(
      `select v::timestamptz::text as text, to_char(v::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as expected
         from unnest($1::text[]) as v`,
      [INSTANTS],
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('timestamps from PostgreSQL', () => {
  it('rewrites a UTC session\'s text into the API\'s form, for every fraction and year', async () => {
    const rows = await printed('UTC');
    expect(rows.map((row) => row.text)).toContain('2026-12-01 10:00:00.12+00'); // trailing zeros dropped by PostgreSQL
    expect(rows.map((row) => row.text)).toContain('2026-12-01 10:00:00+00');
    for (const row of rows) expect(timestamptzToIso(row.text)).toBe(row.expected);
    expect(rows.map((row) => row.expected)).toEqual(INSTANTS);
  });

  it('gives the same instant and form from a session in another time zone', async () => {
    const rows = await printed('Asia/Kolkata');
    expect(rows[0]!.text).toBe('2026-12-01 15:30:00+05:30');
    for (const row of rows) expect(timestamptzToIso(row.text)).toBe(row.expected);
  });

  it('reads microseconds to the millisecond, as a Date would', () => {
    expect(timestamptzToIso('2026-12-01 10:00:00.123456+00')).toBe('2026-12-01T10:00:00.123Z');
    expect(timestamptzToIso('2026-12-01 10:00:00.123456+00')).toBe(new Date('2026-12-01T10:00:00.123456Z').toISOString());
  });

  it('the server\'s own sessions return timestamps in the API\'s form', async () => {
    const dialect = createPostgresDialect({ url: database.databaseUrl! });
    try {
      const { rows } = await sql<{ at: unknown }>`select '2026-12-01 10:00:00.5+02'::timestamptz as at`.execute(dialect.db);
      expect(rows[0]!.at).toBe('2026-12-01T08:00:00.500Z');
    } finally {
      await dialect.close();
    }
  });
});
