#!/usr/bin/env node
/**
 * `node bench/import.mjs [--users 100000] [--passwords 10000] [--no-pg] [--no-build]`
 *
 * Times the operator's bulk import and export as an operator runs them (the
 * built CLI, a child process each): a CSV of `--users` users without
 * passwords into a fresh database (SQLite, then PostgreSQL from the machine's
 * binaries), the export of them, and a CSV of `--passwords` users with
 * passwords (argon2id on the hashing threads). Each database is fresh: 10
 * networks × 20 mailboxes made by `seed --users 1`, and the users spread over
 * them like the seed's (mostly mailbox users, some network-level, 5 %
 * suspended). Prints a table; results also go to bench/results/import.json.
 * Rerunnable: everything lives in a temporary directory, removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres-cluster.mjs';
import { CLI, ROOT, scriptArgs, table } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    users: { type: 'string', default: '100000' },
    passwords: { type: 'string', default: '10000' },
    pg: { type: 'boolean', default: true },
    build: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const USERS = Number(args.users);
const PASSWORDS = Number(args.passwords);
const NETWORKS = 10;
const MAILBOXES = 20;
const masterKey = 'c'.repeat(64);
const log = (line) => process.stderr.write(`[bench import] ${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'ecgrid-bench-import-'));
const results = [];

/** /usr/bin/time, when there, reports the CPU the command used: on a shared machine, the figure that does not depend on the neighbours. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function runCli(env, ...cliArgs) {
  const started = process.hrtime.bigint();
  const [command, argv] = TIME ? [TIME, ['-f', 'CPU %U %S', process.execPath, CLI, ...cliArgs]] : [process.execPath, [CLI, ...cliArgs]];
  const result = spawnSync(command, argv, { env: { ...process.env, ECGRID_MASTER_KEY: masterKey, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${cliArgs.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr.slice(0, 2000)}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null, stdout: result.stdout.trim() };
}

/** A CSV of `count` users over the seed's networks (ids 1–10) and mailboxes (ids 1–200, 20 per network, in order). */
function usersCsv(name, count, password) {
  const lines = ['login,email,firstName,lastName,company,networkId,mailboxId,authLevel,status,password'];
  for (let i = 0; i < count; i++) {
    const n = i % NETWORKS;
    const m = Math.floor(i / NETWORKS) % MAILBOXES;
    const bucket = i % 100;
    const networkLevel = bucket < 3;
    const level = bucket === 0 ? 'NetworkAdmin' : networkLevel ? 'NetworkUser' : bucket < 10 ? 'MailboxAdmin' : 'MailboxUser';
    const mailboxId = networkLevel ? 0 : n * MAILBOXES + m + 1;
    lines.push(`imp${i},imp${i}@example.com,First${i},"Last, ${i}",Company ${n},${n + 1},${mailboxId},${level},${i % 20 === 19 ? 'Suspended' : 'Active'},${password ? `Imp0rt!${i}` : ''}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function record(target, what, count, { ms, cpuMs }, note = '') {
  const cpu = cpuMs === null ? '' : (cpuMs / 1000).toFixed(1);
  results.push({ target, scenario: what, users: count, 'wall s': (ms / 1000).toFixed(1), 'users/s': Math.round(count / (ms / 1000)), 'CPU s (this process)': cpu, note });
  log(`${target}: ${what}: ${count} in ${(ms / 1000).toFixed(1)} s wall, ${cpu} s CPU`);
}

async function runTarget(target, freshEnv) {
  const plain = usersCsv(`plain-${USERS}.csv`, USERS, false);
  let env = await freshEnv();
  runCli(env, 'seed', '--users', '1', '--networks', String(NETWORKS), '--mailboxes-per-network', String(MAILBOXES));
  const dry = runCli(env, 'import', '--from', plain, '--dry-run');
  record(target, 'import --dry-run (check only), CSV', USERS, dry);
  const imported = runCli(env, 'import', '--from', plain);
  record(target, 'import, CSV, no passwords', USERS, imported, 'target ≤ 30 s on SQLite');
  const exportFile = join(dir, `export-${target}.csv`);
  const exported = runCli(env, 'export', '--to', exportFile);
  record(target, 'export, CSV', USERS + 1, exported);
  const jsonl = join(dir, `export-${target}.jsonl`);
  record(target, 'export, JSON Lines', USERS + 1, runCli(env, 'export', '--to', jsonl));

  if (PASSWORDS > 0) {
    env = await freshEnv();
    runCli(env, 'seed', '--users', '1', '--networks', String(NETWORKS), '--mailboxes-per-network', String(MAILBOXES));
    const withPasswords = usersCsv(`passwords-${PASSWORDS}.csv`, PASSWORDS, true);
    const hashed = runCli(env, 'import', '--from', withPasswords);
    record(target, 'import, CSV, every user with a password (argon2id)', PASSWORDS, hashed, `${cpus().length} hashing threads at the command's own priority`);
  }
}

if (args.build) {
  const build = spawnSync('node', ['scripts/bundle.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}
log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared)`);
try {
  let n = 0;
  await runTarget('sqlite', async () => {
    const sub = join(dir, `sqlite-${++n}`);
    mkdirSync(sub);
    return { ECGRID_DB: join(sub, 'ecgrid.db') };
  });
  if (args.pg) {
    const cluster = await startPostgres({ log });
    try {
      await runTarget('postgres', async () => {
        const name = `bench_import_${++n}`;
        const admin = new pg.Client({ connectionString: cluster.url });
        await admin.connect();
        await admin.query(`create database ${name}`);
        await admin.end();
        return { DATABASE_URL: cluster.url.replace(/\/postgres$/, `/${name}`) };
      });
    } finally {
      cluster.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.stdout.write(`${table(results, Object.keys(results[0] ?? {}))}\n`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/import.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), results }, null, 2)}\n`);
