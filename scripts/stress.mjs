#!/usr/bin/env node
/**
 * `npm run stress`: runs the concurrency-heavy test files again and again
 * (default 30 runs) on one throwaway PostgreSQL cluster, under CPU load (busy
 * processes competing with the servers and the database, as on a loaded CI
 * machine), and reports what any run left behind: failed runs, the servers'
 * unexpected error lines, PostgreSQL's deadlock reports and lock waits longer
 * than deadlock_timeout (the cluster logs both, scripts/postgres-cluster.mjs).
 *
 *   npm run stress -- [--runs 30] [--load 2] [--store postgres|sqlite|both] [--timeout-scale 4] [test files…]
 *
 * Test time limits are stretched (--timeout-scale, test/support/timeouts.ts):
 * the load slows everything down on purpose, and what is hunted here is a
 * wrong outcome, not a slow one.
 *
 * Exit status 1 when any run failed or PostgreSQL reported a deadlock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from './postgres-cluster.mjs';
import { missingPrerequisites } from './prerequisites.mjs';
import { postgresReports, printTail, serverErrorLines } from './run-evidence.mjs';

/** The files whose tests race transactions against each other. */
const CONCURRENCY_FILES = [
  'test/authz/matrix.test.ts',
  'test/authz/last-root-race.test.ts',
  'test/e2e/multi-instance.test.ts',
  'test/e2e/multi-instance-sessions.test.ts',
  'test/e2e/placement-races.test.ts',
  'test/postgres/user-counts-lock-order.test.ts',
  'test/postgres/concurrent-moves.test.ts',
  'test/postgres/concurrent-puts.test.ts',
  'test/store/transactions.test.ts',
  'test/store/user-counts.test.ts',
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '30' },
    load: { type: 'string', default: '2' },
    store: { type: 'string', default: 'postgres' },
    'timeout-scale': { type: 'string', default: '4' },
  },
});
const runs = Number(values.runs);
const load = Number(values.load);
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store];
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(load) || load < 0 || !stores.every((s) => s === 'sqlite' || s === 'postgres')) {
  process.stderr.write('usage: npm run stress -- [--runs N≥1] [--load N≥0] [--store postgres|sqlite|both] [--timeout-scale N] [test files…]\n');
  process.exit(2);
}
const files = positionals.length > 0 ? positionals : CONCURRENCY_FILES;
const write = (text) => process.stderr.write(text);
const log = (line) => write(`[stress] ${line}\n`);

const missing = await missingPrerequisites({ python: false, browser: false, postgres: stores.includes('postgres') });
if (missing.length > 0) {
  for (const line of missing) log(`missing: ${line}`);
  process.exit(1);
}
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const cluster = stores.includes('postgres') ? await startPostgres({ log }) : null;
// Busy processes at normal priority: the servers, vitest and PostgreSQL compete with them for the cores.
const burners = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
let vitest = null;
/** One vitest run; its output is kept for the report of a failed run. */
function runVitest(args, env) {
  return new Promise((resolve) => {
    vitest = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    vitest.stdout.on('data', (chunk) => (stdout = (stdout + chunk).slice(-40_000)));
    vitest.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
    vitest.on('close', (code, signal) => resolve({ status: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}
const cleanUp = () => {
  vitest?.kill('SIGKILL');
  for (const burner of burners) burner.kill('SIGKILL');
  cluster?.stop();
};
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

log(`${runs} run(s) of ${files.length} file(s) on ${stores.join(' and ')}, under ${load} busy process(es)`);
const failures = [];
const errorLines = [];
const started = Date.now();
for (let run = 1; run <= runs; run++) {
  const runDir = mkdtempSync(join(tmpdir(), 'ecgrid-stress-'));
  const t0 = Date.now();
  const projects = stores.flatMap((store) => ['--project', store]);
  // Asynchronous, so that Ctrl-C or a SIGTERM reaches this process at once (and ends the child, the busy processes and the cluster).
  const child = await runVitest([...projects, '--reporter=dot', ...files], { ...process.env, ...(cluster ? { TEST_PG_URL: cluster.url } : {}), ECGRID_TEST_RUN_DIR: runDir, ECGRID_TEST_TIMEOUT_SCALE: values['timeout-scale'] });
  const seconds = `${((Date.now() - t0) / 1000).toFixed(1)} s, load average ${loadavg()[0].toFixed(1)}`;
  const lines = serverErrorLines(runDir);
  errorLines.push(...lines);
  if (child.status !== 0) {
    failures.push(run);
    log(`run ${run}/${runs}: FAILED in ${seconds}; its output:`);
    write(`${child.stdout.slice(-20_000)}\n${child.stderr.slice(-10_000)}\n`);
    log(`run directory kept: ${runDir}`);
  } else {
    log(`run ${run}/${runs}: passed in ${seconds}${lines.length ? `, ${lines.length} server error line(s)` : ''}`);
    rmSync(runDir, { recursive: true, force: true });
  }
}

const pg = cluster ? postgresReports(cluster.logLines()) : { entries: [], deadlocks: 0, lockWaits: 0 };
log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min: ${runs - failures.length} passed, ${failures.length} failed${failures.length ? ` (runs ${failures.join(', ')})` : ''}`);
if (cluster) log(`PostgreSQL: ${pg.deadlocks} deadlock(s), ${pg.lockWaits} lock wait(s) over deadlock_timeout (200 ms)`);
printTail(write, errorLines, '[stress] server error lines', 20);
printTail(write, pg.entries, '[stress] PostgreSQL reports', 30);
process.exitCode = failures.length > 0 || pg.deadlocks > 0 ? 1 : 0;
