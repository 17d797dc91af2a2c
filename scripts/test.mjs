#!/usr/bin/env node
/**
 * `npm test`: builds (child-process tests run the built server), type-checks
 * everything (tests included), starts a throwaway PostgreSQL cluster, runs the
 * whole suite on SQLite and on PostgreSQL, and stops the cluster by its PID
 * whatever happens.
 * Extra arguments go to vitest (e.g. `npm test -- test/routes/users.test.ts`).
 */
import { spawn, spawnSync } from 'node:child_process';
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

const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_URL: cluster.url },
});
child.on('exit', (code, signal) => {
  stopCluster();
  process.exit(code ?? (signal ? 1 : 0));
});
