/** A fresh database per test file, copied from the migrated template of the run. */
import { copyFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DialectName } from '../../src/store/dialects/dialect.js';
import { dumpAuditEvents } from './audit-dump.js';

export const DIALECT = (process.env.ECGRID_TEST_DIALECT ?? 'sqlite') as DialectName;

export interface TestDatabase {
  databaseUrl: string | null;
  sqliteFile: string;
  /** Environment variables that point a server process at this database. */
  env: Record<string, string>;
  /** Keeps its audit events for the run's secrets check (audit-dump.ts), then drops it (PostgreSQL; SQLite files go with the run's directory). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** One statement on the cluster's admin database (create/drop databases). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  if (DIALECT === 'postgres') {
    const pgUrl = inject('pgUrl');
    if (!pgUrl) throw new Error('the postgres project needs TEST_PG_URL: run the suite with `npm test`');
    await adminQuery(`create database ${name} template ecgrid_template`);
    const databaseUrl = withDatabase(pgUrl, name);
    return {
      databaseUrl,
      sqliteFile: join(inject('testDir'), `${name}.unused.db`),
      env: { DATABASE_URL: databaseUrl },
      async drop() {
        await dumpAuditEvents({ databaseUrl, sqliteFile: '' });
        await adminQuery(`drop database if exists ${name} with (force)`);
      },
    };
  }
  const sqliteFile = join(inject('testDir'), `${name}.db`);
  copyFileSync(inject('sqliteTemplate'), sqliteFile);
  return { databaseUrl: null, sqliteFile, env: { ECGRID_DB: sqliteFile }, drop: () => dumpAuditEvents({ databaseUrl: null, sqliteFile }) };
}
