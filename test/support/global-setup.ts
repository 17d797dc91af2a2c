/**
 * Once per run: a migrated template database per dialect, so each test file
 * starts from a copy instead of migrating (SQLite: a file copy; PostgreSQL:
 * CREATE DATABASE … TEMPLATE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/open-store.js';

export const PG_TEMPLATE = 'ecgrid_template';

/** Runs once for each dialect project (named after its dialect). */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), `ecgrid-test-${project.name}-`));
  project.provide('testDir', dir);
  const sqliteTemplate = join(dir, 'template.db');
  project.provide('sqliteTemplate', sqliteTemplate);
  if (project.name === 'sqlite') {
    const sqlite = openStore({ databaseUrl: null, sqliteFile: sqliteTemplate });
    await sqlite.migrate();
    await sqlite.close();
  }

  const pgUrl = process.env.TEST_PG_URL;
  if (project.name === 'postgres' && pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${PG_TEMPLATE}`);
    await admin.query(`create database ${PG_TEMPLATE}`);
    await admin.end();
    const store = openStore({ databaseUrl: withDatabase(pgUrl, PG_TEMPLATE), sqliteFile: '' });
    await store.migrate();
    await store.close();
  }
  project.provide('pgUrl', pgUrl ?? '');

  return () => {
    rmSync(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    sqliteTemplate: string;
    testDir: string;
    pgUrl: string;
  }
}
