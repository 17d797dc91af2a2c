#!/usr/bin/env node
/**
 * `node bench/profile-postgres.mjs [--seconds 5] [--connections 50] [--only get,put,list,config] [--users 10000] [--pools 10] [--cpu-prof DIR] [--no-flush] [--set name=value] [--before SQL]`
 *
 * Where a request's time goes on PostgreSQL, in figures that do not depend on
 * how loaded the machine is: for each scenario, CPU µs per request of our
 * server process and of all PostgreSQL processes (from /proc), and the
 * statements PostgreSQL ran per request with their share (pg_stat_statements;
 * with pg's one-query-at-a-time protocol every statement is a round trip,
 * BEGIN and COMMIT included). Also req/s and latency, which do depend on load.
 * The cluster is durable (fsync and synchronous_commit at PostgreSQL's
 * defaults), as production runs it; `--no-flush` turns fsync off, so that a
 * mutation's figures show its round trips and CPU rather than how fast the
 * disk flushes a COMMIT (~10 ms here, which a few connections' mutations wait
 * on together). `--pools 5,10,20`: the same for each
 * pool size (ECGRID_PG_POOL), to size it from measurement. `--socket`: the server
 * connects through PostgreSQL's Unix socket instead of TCP on 127.0.0.1. `--cpu-prof DIR`: the
 * server writes a V8 CPU profile into DIR when it stops. `--before SQL` (repeatable):
 * run SQL on the seeded database before the load, to measure what a schema
 * change would give (e.g. `--before 'drop index users_email_idx'`). Needs `npm run build` first.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres-cluster.mjs';
import { CLI, SEEDED_NETWORKS, benchServerEnv, drive, freePort, scriptArgs, seedUsers, startProcess, table } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: 'get,put,list' },
    users: { type: 'string', default: '10000' },
    pools: { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
    socket: { type: 'boolean', default: false },
    'no-flush': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    before: { type: 'string', multiple: true, default: [] },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : [];
const log = (line) => process.stderr.write(`[profile-pg] ${line}\n`);
const key = randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'ecgrid-profile-pg-'));

/** utime + stime of a process, in µs (clock ticks of 10 ms). */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** CPU of every PostgreSQL process, exited children included (cutime of the postmaster covers those). */
function postgresMicros(postmasterPid) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10_000;
      if (Number(entry) === postmasterPid) total += (Number(fields[13]) + Number(fields[14])) * 10_000;
    } catch {}
  }
  return total;
}

const cluster = await startPostgres({ log, durable: !args['no-flush'], settings: {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track_utility': 'on',
    'pg_stat_statements.track_planning': 'on',
    ...Object.fromEntries(args.set.map((pair) => pair.split('='))),
  },
});
const url = cluster.url.replace(/\/postgres$/, '/profile');
const admin = new pg.Client({ connectionString: cluster.url });
await admin.connect();
await admin.query('create database profile');
const stats = new pg.Client({ connectionString: url });
let server;
const rows = [];
/** How many times PostgreSQL has flushed its WAL to disk (fdatasync; several commits may share one). */
const walFlushes = async () => Number((await stats.query('select wal_sync from pg_stat_wal')).rows[0].wal_sync);
try {
  log(`seeding ${USERS} users…`);
  seedUsers({ DATABASE_URL: url }, USERS);
  await stats.connect();
  await stats.query('create extension if not exists pg_stat_statements');
  for (const statement of args.before) await stats.query(statement);
  for (const pool of args.pools.split(',')) {
    const port = await freePort();
    const databaseUrl = args.socket ? `postgres://postgres@/profile?host=${encodeURIComponent(cluster.dir)}&port=${cluster.port}` : url;
    server = await startProcess('server', process.execPath, [...profile, CLI, 'serve'], benchServerEnv({ DATABASE_URL: databaseUrl, ECGRID_PG_POOL: pool }, key, port));
    const serverUrl = `http://127.0.0.1:${port}`;
    for (const scenario of args.only.split(',')) {
      const params = { key, users: USERS, networks: SEEDED_NETWORKS };
      await drive({ url: serverUrl, scenario, params, connections: CONNECTIONS, seconds: 2, dir, name: `${scenario}-warmup` });
      await stats.query('select pg_stat_statements_reset()');
      const before = { server: cpuMicros(server.pid), postgres: postgresMicros(cluster.pid), flushes: await walFlushes() };
      const result = await drive({ url: serverUrl, scenario, params, connections: CONNECTIONS, seconds: SECONDS, dir, name: scenario });
      const after = { server: cpuMicros(server.pid), postgres: postgresMicros(cluster.pid), flushes: await walFlushes() };
      const requests = result.rps * SECONDS;
      const { rows: statements } = await stats.query(
        `select calls, plans, total_exec_time, total_plan_time, query from pg_stat_statements
          where query not like '%pg_stat_statements%' and dbid = (select oid from pg_database where datname = 'profile')
          order by calls desc`,
      );
      const calls = statements.reduce((n, s) => n + Number(s.calls), 0);
      rows.push({
        scenario,
        pool,
        'req/s': result.rps.toFixed(0),
        'p50 ms': result.p50.toFixed(2),
        'p99 ms': result.p99.toFixed(2),
        'server µs/req': ((after.server - before.server) / requests).toFixed(0),
        'postgres µs/req': ((after.postgres - before.postgres) / requests).toFixed(0),
        'statements/req': (calls / requests).toFixed(2),
        'WAL flushes/req': ((after.flushes - before.flushes) / requests).toFixed(2),
        errors: result.non2xx,
      });
      log(`${scenario}: statements per request:`);
      for (const s of statements.slice(0, 8)) {
        // Planned: how many of its executions PostgreSQL planned anew (a named statement's custom plan), and their mean planning time.
        const planned = Number(s.plans) ? `, planned ${(Number(s.plans) / Number(s.calls) * 100).toFixed(0)} % × ${(Number(s.total_plan_time) / Number(s.plans) * 1000).toFixed(0)} µs` : '';
        log(`  ${(Number(s.calls) / requests).toFixed(2)} × ${(Number(s.total_exec_time) / Number(s.calls) * 1000).toFixed(0)} µs${planned}  ${s.query.replace(/\s+/g, ' ').slice(0, 150)}`);
      }
    }
    await server.stop();
  }
  process.stdout.write(`\n${table(rows, Object.keys(rows[0]))}\n`);
} finally {
  await server?.stop();
  await stats.end().catch(() => {});
  await admin.end().catch(() => {});
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
