#!/usr/bin/env node
/**
 * `npm test`: checks the machine's prerequisites (scripts/prerequisites.mjs),
 * builds (child-process tests run the built server), type-checks
 * everything (tests included), starts a throwaway PostgreSQL cluster, runs the
 * whole suite on SQLite and on PostgreSQL, and stops the cluster by its PID
 * whatever happens.
 * The run is recorded in a fresh directory (ECGRID_TEST_RUN_DIR: every test
 * server's log, every audit event, every secret used) for the final secrets
 * check (test/secrets/); it is removed after a passing run, kept otherwise.
 * Extra arguments go to vitest (e.g. `npm test -- test/routes/users.test.ts`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres-cluster.mjs';
import { missingPrerequisites } from './prerequisites.mjs';
import { postgresReports, printTail, serverErrorLines } from './run-evidence.mjs';

const log = (line) => process.stderr.write(`[test] ${line}\n`);

// Before the long part: anything the machine lacks is one line each, and the run stops here.
const missing = await missingPrerequisites();
if (missing.length > 0) {
  for (const line of missing) log(`missing: ${line}`);
  process.exit(1);
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// Tests, benches and the typed client's call sites are type-checked too: a type error fails the run.
const typecheck = spawnSync('npm', ['run', '--silent', 'typecheck'], { stdio: 'inherit' });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

const cluster = await startPostgres({ log });
const stopCluster = () => cluster.stop();
process.on('exit', stopCluster);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopCluster();
    process.exit(130);
  });
}

const runDir = join(tmpdir(), `ecgrid-test-run-${process.pid}`);
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_URL: cluster.url, ECGRID_TEST_RUN_DIR: runDir },
});
/** After a failed run, the evidence a 500 leaves behind (scripts/run-evidence.mjs), printed because CI keeps only the output. */
function reportErrors() {
  const write = (text) => process.stderr.write(text);
  printTail(write, serverErrorLines(runDir), '[test] test servers logged unexpected errors (lines)');
  const pg = postgresReports(cluster.logLines());
  write(`[test] PostgreSQL: ${pg.deadlocks} deadlock(s), ${pg.lockWaits} lock wait(s) over 200 ms\n`);
  printTail(write, pg.entries, '[test] PostgreSQL reports (errors, deadlocks, lock waits; unique violations and killed connections left out)');
}

child.on('exit', (code, signal) => {
  const status = code ?? (signal ? 1 : 0);
  if (status !== 0) {
    try {
      reportErrors();
    } catch (error) {
      log(`could not read the run's logs: ${error.message}`);
    }
  }
  stopCluster();
  if (status === 0) rmSync(runDir, { recursive: true, force: true });
  else log(`logs, audit events and secrets of this run kept in ${runDir}`);
  process.exit(status);
});
