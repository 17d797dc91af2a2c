#!/usr/bin/env node
/**
 * `npm test`: builds (child-process tests run the built server), type-checks
 * everything (tests included), starts a throwaway PostgreSQL cluster, runs the
 * whole suite on SQLite and on PostgreSQL, and stops the cluster by its PID
 * whatever happens.
 * The run is recorded in a fresh directory (ECGRID_TEST_RUN_DIR: every test
 * server's log, every audit event, every secret used) for the final secrets
 * check (test/secrets/); it is removed after a passing run, kept otherwise.
 * Extra arguments go to vitest (e.g. `npm test -- test/routes/users.test.ts`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres-cluster.mjs';

const log = (line) => process.stderr.write(`[test] ${line}\n`);

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
/**
 * After a failed run, the evidence a 500 leaves behind, printed because CI
 * keeps only the output: the servers' error-level log lines (with the error
 * and its stack) and PostgreSQL's own errors (deadlocks, timeouts). Tests that
 * provoke failures on purpose add lines here too; these are clues, not verdicts.
 */
function reportErrors() {
  const shown = (lines, what) => {
    if (lines.length === 0) return;
    log(`${what}: ${lines.length} line(s); the last 15:`);
    for (const line of lines.slice(-15)) process.stderr.write(`  ${line.slice(0, 2000)}\n`);
  };
  const serverLines = [];
  const logs = join(runDir, 'logs');
  for (const file of existsSync(logs) ? readdirSync(logs, { withFileTypes: true }).filter((f) => f.isFile()) : []) {
    for (const line of readFileSync(join(logs, file.name), 'utf8').split('\n')) {
      // Left out: what tests provoke on purpose (a database or SMS relay made unreachable, a failure injected by a trigger).
      if (/^\{.*"level":(50|60)[,}]/.test(line) && !/"type":"(StoreUnavailable|SmsRelayUnavailable)"|injected failure/.test(line)) serverLines.push(line);
    }
  }
  shown(serverLines, 'test servers logged unexpected errors');
  const pgLines = cluster.logLines().filter((line) => /ERROR|FATAL|PANIC/.test(line) && !/duplicate key|terminating connection/.test(line));
  shown(pgLines, 'PostgreSQL logged errors (unique violations and killed connections left out)');
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
