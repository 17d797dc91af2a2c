/**
 * Migration 0003: a user moved between two count groups locks the two
 * user_counts rows in key order, so moves in opposite directions at the same
 * moment queue instead of deadlocking. Raw statements on two connections, no
 * retry: a deadlock (40P01) would surface here as an error. The same load is
 * first run against the 0002 trigger ("old row, then new row") to show that
 * this test sees the deadlock when it is there.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { useFreshStore } from '../support/fresh-store.js';
import type { TestDatabase } from '../support/test-db.js';
import { limit } from '../support/timeouts.js';

let store: Store;
let database: TestDatabase;
useFreshStore((s, d) => {
  store = s;
  database = d;
});

const ROUNDS = 400;
/** The control runs until it has seen a deadlock (each costs deadlock_timeout), at most this many rounds. */
const CONTROL_ROUNDS = 5000;
const PAIRS = 20;

/** Named so that the run's report tells the deadlocks this file provokes on purpose from real ones (scripts/run-evidence.mjs). */
const PROVOKING_APPLICATION = 'provoked-deadlock';

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.databaseUrl!, application_name: PROVOKING_APPLICATION });
  await client.connect();
  return client;
}

/** PAIRS new Generals and PAIRS new TPUsers; each round swaps the two sets' levels from both connections at once. */
async function opposingMoves(rounds: number, untilDeadlock = false): Promise<{ deadlocks: number; rounds: number; other: unknown[] }> {
  const now = new Date().toISOString();
  const ids: number[] = [];
  await store.transaction(async (tx) => {
    for (let i = 0; i < 2 * PAIRS; i++) {
      const login = `m${Date.now()}x${i}x${Math.random().toString(36).slice(2)}`;
      const user = await tx.users.insert({
        login, email: `${login}@example.com`, firstName: '', lastName: '', passwordHash: 'x', created: now,
        networkId: 0, mailboxId: 0, authLevel: i < PAIRS ? 'General' : 'TPUser', status: 'Active',
      });
      ids.push(user.userId);
    }
  });
  const [a, b] = [await connect(), await connect()];
  let deadlocks = 0;
  const other: unknown[] = [];
  const run = async (client: pg.Client, sql: string) => {
    try {
      await client.query(sql);
    } catch (error) {
      if ((error as { code?: string }).code === '40P01') deadlocks++;
      else other.push(error);
    }
  };
  const general = ids.slice(0, PAIRS).join(',');
  const reporting = ids.slice(PAIRS).join(',');
  let round = 0;
  try {
    for (; round < rounds && !(untilDeadlock && deadlocks > 0); round++) {
      const [toTPUser, toGeneral] = round % 2 === 0 ? [general, reporting] : [reporting, general];
      await Promise.all([
        run(a, `update users set auth_level = 'TPUser' where user_id in (${toTPUser})`),
        run(b, `update users set auth_level = 'General' where user_id in (${toGeneral})`),
      ]);
    }
  } finally {
    await a.end();
    await b.end();
  }
  return { deadlocks, rounds: round, other };
}

async function countsMatchUsers(): Promise<void> {
  const client = await connect();
  try {
    const { rows } = await client.query(`
      select c.auth_level, c.n, (select count(*)::int from users u where u.network_id = c.network_id and u.mailbox_id = c.mailbox_id
        and u.auth_level = c.auth_level and u.status = c.status) as actual
      from user_counts c`);
    for (const row of rows) expect(row.n, `user_counts for ${row.auth_level}`).toBe(row.actual);
  } finally {
    await client.end();
  }
}

describe('user_counts under opposing moves (PostgreSQL)', () => {
  it('the 0002 trigger (old row, then new row) deadlocks under this load — the test can see it', async () => {
    const client = await connect();
    const { rows } = await client.query(`select prosrc from pg_proc where proname = 'users_count_change'`);
    const ordered = rows[0].prosrc as string;
    const oldBody = `
      begin
        if tg_op in ('UPDATE', 'DELETE') then update user_counts set n = n - 1
          where network_id = old.network_id and mailbox_id = old.mailbox_id and auth_level = old.auth_level and status = old.status; end if;
        if tg_op in ('UPDATE', 'INSERT') then insert into user_counts (network_id, mailbox_id, auth_level, status, n)
          values (new.network_id, new.mailbox_id, new.auth_level, new.status, 1)
          on conflict (network_id, mailbox_id, auth_level, status) do update set n = user_counts.n + 1; end if;
        return null;
      end`;
    await client.query(`create or replace function users_count_change() returns trigger language plpgsql as $$${oldBody}$$`);
    try {
      const { deadlocks, rounds, other } = await opposingMoves(CONTROL_ROUNDS, true);
      expect(other).toEqual([]);
      console.log(`user_counts lock order: 0002 trigger, first deadlock after ${rounds} rounds of ${PAIRS} opposing moves`);
      expect(deadlocks).toBeGreaterThan(0);
    } finally {
      await client.query(`create or replace function users_count_change() returns trigger language plpgsql as $$${ordered}$$`);
      await client.end();
    }
    await countsMatchUsers();
  }, limit(120_000));

  it('the 0003 trigger (rows in key order) never deadlocks under the same load, and the counts stay exact', async () => {
    const { deadlocks, other } = await opposingMoves(ROUNDS);
    console.log(`user_counts lock order: 0003 trigger, ${ROUNDS} rounds of ${PAIRS} opposing moves: ${deadlocks} deadlocks`);
    expect(other).toEqual([]);
    expect(deadlocks).toBe(0);
    await countsMatchUsers();
  }, limit(120_000));
});
