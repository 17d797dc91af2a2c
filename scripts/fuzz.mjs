#!/usr/bin/env node
/**
 * `npm run fuzz -- --cases N [--store sqlite|postgres|both] [--seed S]`: the
 * properties of test/fuzz/endpoints.test.ts for as long as asked, on each store
 * (both by default; PostgreSQL in a throwaway cluster, stopped by its PID
 * whatever happens, as `npm test` does). Prints progress (cases done/total per
 * store), then the cases per operation by status and the result; a failure
 * prints the counterexample, its seed and fast-check path and the command that
 * replays it (`--seed S --cases C --only OP --path P`), and the exit code is 1.
 *
 * Why it runs vitest on the test file instead of importing the properties:
 * the properties live inside the test harness (global setup with the migrated
 * template database, the dialect project, the in-process test server and its
 * fixtures); a second runner would need a copy of that harness, and the
 * properties CI checks could drift from the ones run at volume. Here there is
 * one file, and the command only sets its size and seed through the
 * environment (FUZZ_CASES per operation, FUZZ_SEED, FUZZ_ONLY, FUZZ_PATH) and
 * reads one JSON line per property from FUZZ_REPORT.
 *
 * A long run is cut into rounds of at most --round-cases cases per property,
 * each a vitest run on a fresh database: the oracle dumps every table around
 * every case, so one database growing for 100,000 cases would make each case
 * slower than the last (audit events accumulate). Round r runs with seed
 * S + P·r, P the number of properties (property i of it with S + P·r + i: no
 * seed used twice), so a failure replays from its round's seed alone. Rounds
 * are independent, so `--jobs J` runs J of them at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from './postgres-cluster.mjs';

/**
 * The operations, in the test file's order (operation i has seed S + i; unknown routes come last). The route
 * table imports nothing, so TypeScript's transpileModule makes it loadable without a build.
 */
async function loadOperationIds() {
  const { default: ts } = await import('typescript');
  const source = readFileSync(new URL('../src/contract/operation-routes.ts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const { OPERATION_ROUTES } = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return Object.keys(OPERATION_ROUTES);
}

const usage = `usage: npm run fuzz -- --cases N [--store sqlite|postgres|both] [--seed S] [--only OPERATION --path P]
  --cases N    cases per store (default 3600), spread evenly over the properties (35 operations + unknownRoutes)
  --store      sqlite, postgres or both (default both)
  --seed S     seed of the run (default: from the clock)
  --only OP    one property: an operationId or unknownRoutes (then --cases is its cases)
  --path P     with --seed and --only: replay the one case at this fast-check path
  --jobs J     rounds run at once (default 1; each PostgreSQL job has a cluster of its own)
  --round-cases R  cases per property in one round, i.e. on one database (default 250: 9,000 cases, 2.5 CI runs)`;

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      cases: { type: 'string', default: '3600' },
      store: { type: 'string', default: 'both' },
      seed: { type: 'string' },
      only: { type: 'string' },
      path: { type: 'string' },
      jobs: { type: 'string', default: '1' },
      'round-cases': { type: 'string', default: '250' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  process.stderr.write(`${error.message}\n${usage}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const fail = (message) => {
  process.stderr.write(`fuzz: ${message}\n${usage}\n`);
  process.exit(2);
};
const integer = (text, name, min) => {
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) fail(`--${name} must be an integer ≥ ${min}`);
  return Number(text);
};
const cases = integer(options.cases, 'cases', 1);
const jobs = integer(options.jobs, 'jobs', 1);
const roundCases = integer(options['round-cases'], 'round-cases', 1);
const seed = options.seed === undefined ? Date.now() % 2 ** 31 : integer(options.seed, 'seed', -(2 ** 31));
if (!['sqlite', 'postgres', 'both'].includes(options.store)) fail('--store must be sqlite, postgres or both');
const stores = options.store === 'both' ? ['sqlite', 'postgres'] : [options.store];
const propertyNames = [...(await loadOperationIds()), 'unknownRoutes'];
if (options.only !== undefined && !propertyNames.includes(options.only)) fail(`--only: no property ${options.only} (one of: ${propertyNames.join(', ')})`);
if (options.path !== undefined && (options.only === undefined || options.seed === undefined)) fail('--path replays one case: give --seed and --only with it');
/** Properties run per round: every operation and unknown routes, or the one of --only. */
const properties = options.only !== undefined ? 1 : propertyNames.length;
const perOperation = Math.ceil(cases / properties);
const rounds = [];
for (let done = 0, r = 0; done < perOperation; done += roundCases, r++) rounds.push({ seed: seed + propertyNames.length * r, cases: Math.min(roundCases, perOperation - done) });
const total = perOperation * properties;

const tty = process.stdout.isTTY;
const say = (line) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);

/** One throwaway cluster per job: each round's global setup drops and makes the template database, so rounds running at once cannot share one. */
const clusters = [];
/** The vitest runs of the rounds under way, ended with this process. */
const vitests = new Set();
const casesOf = (lines) => lines.reduce((sum, line) => sum + Object.values(line.counts).reduce((a, b) => a + b, 0), 0);
function addCounts(run, lines) {
  for (const line of lines) {
    const counts = run.byProperty.get(line.name) ?? new Map();
    run.byProperty.set(line.name, counts);
    for (const [status, n] of Object.entries(line.counts)) counts.set(Number(status), (counts.get(Number(status)) ?? 0) + n);
  }
}

/** The store being fuzzed: its figures so far, for the summary (also printed when the run is interrupted). */
let current = null;
const stopCluster = () => clusters.forEach((cluster) => cluster.stop());
process.on('exit', stopCluster);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const child of vitests) child.kill('SIGTERM');
    if (current) summarize(current, true);
    stopCluster();
    process.exit(130);
  });
}
if (stores.includes('postgres')) {
  for (let job = 0; job < Math.min(jobs, rounds.length); job++) clusters.push(await startPostgres({ log: (line) => say(`fuzz: ${line}`) }));
}

const scratch = mkdtempSync(join(tmpdir(), 'ecgrid-fuzz-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const readReport = (file) => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  } catch {
    return [];
  }
};

/** One vitest run of the fuzz file on one store: resolves with its exit code, its captured output and its report lines. */
function runRound(store, round, index, job, progress) {
  const report = join(scratch, `${store}-${index}.jsonl`);
  const env = {
    ...process.env,
    FUZZ_CASES: String(round.cases),
    FUZZ_SEED: String(round.seed),
    FUZZ_REPORT: report,
    ...(options.only === undefined ? {} : { FUZZ_ONLY: options.only }),
    ...(options.path === undefined ? {} : { FUZZ_PATH: options.path }),
    ...(store === 'postgres' ? { TEST_PG_URL: clusters[job].url } : {}),
  };
  delete env.ECGRID_TEST_RUN_DIR; // not a recorded run: no secrets check at the end
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/fuzz/endpoints.test.ts', '--project', store, '--reporter', 'dot'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  vitests.add(child);
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const timer = setInterval(() => progress(readReport(report)), 2000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      vitests.delete(child);
      clearInterval(timer);
      resolve({ status: code ?? (signal ? 1 : 0), output: Buffer.concat(output).toString('utf8'), lines: readReport(report) });
    });
  });
}

const quote = (text) => (/^[\w.-]+$/.test(text) ? text : `'${text}'`);

/** Prints the cases per property by status and the totals of one store's run. */
function summarize(run, interrupted = false) {
  // Interrupted: the properties the rounds under way have finished count too.
  for (const lines of run.live.values()) addCounts(run, lines);
  run.done += [...run.live.values()].reduce((sum, lines) => sum + casesOf(lines), 0);
  for (const [name, counts] of run.byProperty) {
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    say(`fuzz [${run.store}] ${name}: ${n} cases (${[...counts].sort(([a], [b]) => a - b).map(([status, k]) => `${status}×${k}`).join(' ')})`);
  }
  say(
    `fuzz [${run.store}]: ${run.byProperty.size} properties, ${run.done} cases in ${run.rounds} of ${rounds.length} round(s)` +
      `${interrupted ? ' (interrupted)' : ''}, ${run.failures} failures, ${((performance.now() - run.started) / 1000).toFixed(1)} s, seed ${seed}`,
  );
}

/**
 * Fuzzes one store round after round. A property that fails ends there (its counterexample is printed at once)
 * and the run goes on with the next rounds, so that one bug does not hide the others; a round whose vitest run
 * reports fewer properties than it ran (a crash, a timeout) ends the store's run with vitest's output.
 */
async function fuzzStore(store) {
  const run = (current = { store, started: performance.now(), byProperty: new Map(), live: new Map(), done: 0, rounds: 0, failures: 0 });
  let lastShown = 0;
  const showProgress = (doneNow, force = false) => {
    const now = performance.now();
    const line = `fuzz [${store}]: ${doneNow}/${total} cases, ${((now - run.started) / 1000).toFixed(0)} s${run.failures ? `, ${run.failures} failures` : ''}`;
    if (tty) process.stdout.write(`\r\x1b[K${line}`);
    else if (force || now - lastShown > 30_000) {
      lastShown = now;
      say(line);
    }
  };
  /** The report lines of the rounds under way, by round. */
  const live = run.live;
  const showLive = () => showProgress(run.done + [...live.values()].reduce((sum, lines) => sum + casesOf(lines), 0));
  let next = 0;
  let broken = false;
  showProgress(0, true);
  const worker = async (job) => {
    while (next < rounds.length && !broken) {
      const index = next++;
      const round = rounds[index];
      const result = await runRound(store, round, index, job, (lines) => {
        live.set(index, lines);
        showLive();
      });
      live.delete(index);
      addCounts(run, result.lines);
      run.done += casesOf(result.lines);
      run.rounds++;
      const failed = result.lines.filter((line) => line.failure);
      for (const { name, only, failure } of failed) {
        run.failures++;
        say(`fuzz [${store}]: FAILED in round ${index + 1} of ${rounds.length} (round seed ${round.seed}, ${round.cases} cases per operation)`);
        say(`  ${name}: ${failure.message.split('\n').join('\n    ')}`);
        // The oracle's message already shows the request it failed on; fast-check's counterexample otherwise.
        if (failure.request && !failure.message.includes(failure.request)) say(`  counterexample: ${failure.request}`);
        say(`  seed ${failure.seed}, path ${failure.path ?? '-'}, at case ${failure.afterCases}`);
        say(`  replay: npm run fuzz -- --store ${store} --seed ${round.seed} --cases ${round.cases} --only ${quote(only)}${failure.path ? ` --path ${failure.path}` : ''}`);
      }
      if (result.lines.length !== properties || (result.status !== 0 && failed.length === 0)) {
        run.failures++;
        broken = true;
        say(`fuzz [${store}]: vitest exited with ${result.status} and reported ${result.lines.length} of ${properties} properties in round ${index + 1}; its output:\n${result.output}`);
      }
      showLive();
    }
  };
  await Promise.all(Array.from({ length: jobs }, (_, job) => worker(job)));
  if (tty) process.stdout.write('\r\x1b[K');
  current = null;
  return run;
}

let failures = 0;
for (const store of stores) {
  const run = await fuzzStore(store);
  failures += run.failures;
  summarize(run);
}
process.exitCode = failures === 0 ? 0 : 1;
