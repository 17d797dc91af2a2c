#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--no-pg] [--no-prism] [--only put,get,list,login,cold,version,two] [--against DIR] [--rewarm 1] [--rounds N] [--seconds S] [--no-sqlite]`
 *
 * Starts the bare node:http baseline and the real server (each pinned to core
 * 0, the load generator on core 1), seeds the data each scenario needs, runs
 * every scenario interleaved with the baseline over several rounds, and prints
 * a table: scenario, target, req/s, p50, p99, ratio to the baseline of the
 * same run, RSS. Then the same on PostgreSQL, and the PUT/GET/list load
 * against Stoplight Prism mocking our own OpenAPI document (a peer: what a
 * mock of this API costs). `two`: two server instances on one PostgreSQL,
 * the load split between them. `--against DIR`: the same scenarios, in the
 * same run, against the build of another checkout (DIR, built: its
 * dist/ecgrid-identity.mjs) on its own databases, as target "<store> (DIR)" —
 * before/after pairs. `--rewarm S`: S seconds of unrecorded load before each
 * recorded round of both targets (default 1; 0 as before). BENCH_BUILD=DIR: DIR's build in place of this
 * checkout's (two older builds against each other). Results also go to
 * bench/results/latest.json.
 * Rate limiting is off and logging is at `warn`; every request does the full
 * work (auth, validation, transaction, audit event).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { basename, join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres-cluster.mjs';
import { CLI, CORES, HAS_WRK, MASTER_KEY, ROOT, SEEDED_NETWORKS, benchServerEnv, drive, freePort, median, memoryOf, scriptArgs, seedUsers, startProcess, table, waitForHttp } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    quick: { type: 'boolean', default: false },
    pg: { type: 'boolean', default: true },
    prism: { type: 'boolean', default: true },
    only: { type: 'string', default: 'put,get,list,login,cold,version,two' },
    against: { type: 'string' },
    'no-sqlite': { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    rewarm: { type: 'string', default: '1' },
  },
  allowNegative: true,
});
const QUICK = args.quick;
const ROUNDS = Number(args.rounds ?? (QUICK ? 2 : 3));
const SECONDS = Number(args.seconds ?? (QUICK ? 3 : 8));
/**
 * Seconds of unrecorded load before each recorded round, for the baseline and for ours alike. Each target idles while
 * the other is measured, and on the bench VM the first answers after an idle gap cost up to 10 × their CPU, more the
 * longer the gap (`bench/idle-burst.mjs`: 50 GETs took 7.7 ms of the server's CPU after 20 ms idle, 74–81 ms after
 * 3 s; no GC ran in the gap). Without the re-warm every round's p99 held that cold start, not the steady state the
 * round measures. `--rewarm 0`: as before.
 */
const REWARM = Number(args.rewarm);
const UPDATE_USERS = 10_000;
const LIST_USERS = QUICK ? 100_000 : 1_000_000;
const NETWORKS = SEEDED_NETWORKS;
const ONLY = new Set(args.only.split(','));
const CONNECTIONS = 50;
const SEED_PASSWORD = 'Seed!Passw0rd';
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-bench-'));
const cacheDir = join(tmpdir(), 'ecgrid-bench-cache');
mkdirSync(cacheDir, { recursive: true });
const key = randomUUID();
const results = [];

/** The build under test, and the other checkout's (--against) when given. */
const BUILDS = [{ label: '', cli: CLI }, ...(args.against ? [{ label: ` (${basename(args.against)})`, cli: join(args.against, 'dist/ecgrid-identity.mjs') }] : [])];

function runCli(env, ...cliArgs) {
  const cli = env.CLI ?? CLI;
  const result = spawnSync(process.execPath, [cli, ...cliArgs], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cliArgs.join(' ')} failed:\n${result.stderr}`);
  return result.stderr;
}

/** An SQLite file with `users` seeded users, cached between runs (copied before use). */
function sqliteWithUsers(users, cli = CLI) {
  // One cache per build: a newer build migrates the file, which an older one then refuses to open.
  const checkout = join(cli, '../..');
  const cached = join(cacheDir, `users-${users}${checkout === join(ROOT, '.') ? '' : `-${basename(checkout)}`}.db`);
  if (!existsSync(cached)) {
    log(`seeding ${users} users into SQLite (cached for later runs)…`);
    log(seedUsers({ ECGRID_DB: cached }, users, cli).trim());
  } else {
    // A cache from an older schema gets the newer migrations once here, not at every measured start.
    runCli({ CLI: cli, ECGRID_DB: cached, ECGRID_MASTER_KEY: MASTER_KEY }, 'network', 'list');
  }
  const copy = join(dir, `users-${users}-${Date.now()}.db`);
  copyFileSync(cached, copy);
  return { ECGRID_DB: copy, CLI: cli };
}

async function postgresWithUsers(cluster, users, cli = CLI) {
  const name = `bench_${users}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = cluster.url.replace(/\/postgres$/, `/${name}`);
  log(`seeding ${users} users into PostgreSQL…`);
  log(seedUsers({ DATABASE_URL: url }, users, cli).trim());
  return { DATABASE_URL: url, CLI: cli };
}

const serverEnv = (storeEnv, port) => benchServerEnv(storeEnv, key, port);

async function startServer(storeEnv, core = 0) {
  const port = await freePort();
  const server = await startProcess('server', process.execPath, [storeEnv.CLI ?? CLI, 'serve'], serverEnv(storeEnv, port), /listening on/, core);
  return { ...server, url: `http://127.0.0.1:${port}` };
}

async function startBaseline() {
  const port = await freePort();
  const baseline = await startProcess('baseline', process.execPath, [join(ROOT, 'bench/baseline-server.mjs'), String(port)], {});
  return { ...baseline, url: `http://127.0.0.1:${port}` };
}

/** Prism mocking the OpenAPI document our server publishes. */
async function startPrism(document) {
  const port = await freePort();
  const prism = await startProcess('prism', process.execPath, [join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js'), 'mock', '-p', String(port), '-h', '127.0.0.1', '-v', 'error', document], {}, /listening|^/);
  await waitForHttp(`http://127.0.0.1:${port}/v2/auth/version`, {}, 60_000);
  return { ...prism, url: `http://127.0.0.1:${port}` };
}

/** Runs a scenario interleaved with the baseline; records medians over the rounds. */
async function measure({ label, target, server, baseline, scenario, params, connections = CONNECTIONS, note = '' }) {
  const ours = [];
  const base = [];
  // Unrecorded warm-up: the JIT, the page cache and the connection pool settle first.
  await drive({ url: server.url, scenario, params, connections, seconds: Math.min(3, SECONDS), dir, name: `${label}-warmup` });
  for (let round = 1; round <= ROUNDS; round++) {
    const baselineLoad = { url: `${baseline.url}/v2/users`, scenario: 'baseline', connections: CONNECTIONS, dir, name: 'baseline' };
    if (REWARM > 0) await drive({ ...baselineLoad, seconds: REWARM });
    base.push(await drive({ ...baselineLoad, seconds: SECONDS }));
    const ourLoad = { url: server.url, scenario, params, connections, dir, name: label };
    if (REWARM > 0) await drive({ ...ourLoad, seconds: REWARM });
    ours.push(await drive({ ...ourLoad, seconds: SECONDS }));
    const last = ours[ours.length - 1];
    log(`${label} [${target}] round ${round}: ${last.rps.toFixed(0)} req/s, p99 ${last.p99} ms (baseline ${base[base.length - 1].rps.toFixed(0)} req/s)${last.non2xx ? `, ${last.non2xx} non-2xx!` : ''}`);
  }
  const memory = memoryOf(server.pid);
  const row = {
    scenario: label,
    target,
    'req/s': median(ours.map((r) => r.rps)).toFixed(0),
    'p50 ms': median(ours.map((r) => r.p50)).toFixed(2),
    'p99 ms': median(ours.map((r) => r.p99)).toFixed(2),
    'baseline req/s': median(base.map((r) => r.rps)).toFixed(0),
    ratio: (median(ours.map((r) => r.rps)) / median(base.map((r) => r.rps))).toFixed(2),
    'RSS MB': memory.rssMb.toFixed(0),
    'peak RSS MB': memory.peakMb.toFixed(0),
    errors: ours.reduce((n, r) => n + r.non2xx, 0),
    note,
  };
  results.push(row);
  return row;
}

async function loginStorm({ target, server, users }) {
  const listed = await fetch(`${server.url}/v2/users/list`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'Active', authLevel: 'MailboxUser', recordsPerPage: 50 }),
  }).then((r) => r.json());
  const logins = (listed.data ?? []).map((user) => user.login);
  const get = { scenario: 'get', params: { key, users } };
  const quiet = await drive({ url: server.url, ...get, connections: 10, seconds: SECONDS, dir, name: 'get-quiet' });
  const [storm, busy] = await Promise.all([
    drive({ url: server.url, scenario: 'login', params: { logins, password: SEED_PASSWORD }, connections: 8, seconds: SECONDS + 1, dir, name: 'login-storm' }),
    new Promise((r) => setTimeout(r, 500)).then(() => drive({ url: server.url, ...get, connections: 10, seconds: Math.max(1, SECONDS - 1), dir, name: 'get-during-storm' })),
  ]);
  const memory = memoryOf(server.pid);
  results.push({
    scenario: 'login storm: GET p99 during / quiet',
    target,
    'req/s': `${busy.rps.toFixed(0)} GET + ${storm.rps.toFixed(0)} logins`,
    'p50 ms': busy.p50.toFixed(2),
    'p99 ms': `${busy.p99.toFixed(2)} (quiet ${quiet.p99.toFixed(2)})`,
    'baseline req/s': '',
    ratio: (busy.p99 / quiet.p99).toFixed(2),
    'RSS MB': memory.rssMb.toFixed(0),
    'peak RSS MB': memory.peakMb.toFixed(0),
    errors: storm.non2xx + busy.non2xx,
    note: 'ratio = p99 of GET during the storm / quiet (target ≤ 2); 10 GET connections, 8 login connections',
  });
  log(`login storm [${target}]: GET p99 ${busy.p99} ms during vs ${quiet.p99} ms quiet; ${storm.rps.toFixed(0)} logins/s (${storm.non2xx} non-2xx)`);
}

async function coldStart({ target, storeEnv }) {
  const samples = [];
  for (let i = 0; i < 4; i++) {
    const port = await freePort();
    const started = Date.now();
    const child = spawn(process.execPath, [storeEnv.CLI ?? CLI, 'serve'], { env: { ...process.env, ...serverEnv(storeEnv, port) }, stdio: 'ignore' });
    await waitForHttp(`http://127.0.0.1:${port}/v2/users/me`, { 'X-API-Key': key });
    samples.push(Date.now() - started);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
  // The first start on a fresh copy also creates the Root user; the others start an existing database.
  const existing = samples.slice(1);
  results.push({ scenario: `cold start to first answer (${LIST_USERS} users)`, target, 'req/s': '', 'p50 ms': median(existing).toFixed(0), 'p99 ms': Math.max(...existing).toFixed(0), 'baseline req/s': '', ratio: '', 'RSS MB': '', 'peak RSS MB': '', errors: 0, note: `ms from spawn to the first 200 of GET /v2/users/me (median, max of 3 on the existing database; first start ${samples[0]} ms; target ≤ 1000)` });
  log(`cold start [${target}]: ${samples.join(', ')} ms`);
}

/**
 * `npm start` as a user types it, on a built checkout: npm itself, the bundle's freshness check
 * (scripts/start.mjs) and the server's start, to its first 200. Run in its own process group,
 * stopped as a group (npm, the shell and the server).
 */
async function npmStart({ target, storeEnv }) {
  const samples = [];
  for (let i = 0; i < 4; i++) {
    const port = await freePort();
    const started = Date.now();
    const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...serverEnv(storeEnv, port) }, stdio: 'ignore', detached: true });
    await waitForHttp(`http://127.0.0.1:${port}/v2/users/me`, { 'X-API-Key': key });
    samples.push(Date.now() - started);
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  const existing = samples.slice(1);
  results.push({ scenario: `npm start to first answer (${LIST_USERS} users)`, target, 'req/s': '', 'p50 ms': median(existing).toFixed(0), 'p99 ms': Math.max(...existing).toFixed(0), 'baseline req/s': '', ratio: '', 'RSS MB': '', 'peak RSS MB': '', errors: 0, note: `ms from \`npm start\` on a built checkout to the first 200 of GET /v2/users/me (median, max of 3 on the existing database; first ${samples[0]} ms; target ≤ 2000)` });
  log(`npm start [${target}]: ${samples.join(', ')} ms`);
}

/**
 * Two instances of the server on one PostgreSQL database, each with half the
 * connections (two load generators at once), against one instance with all
 * of them, interleaved round by round.
 */
async function twoInstances({ target, storeEnv, baseline }) {
  const first = await startServer(storeEnv, 0);
  const second = await startServer(storeEnv, CORES > 1 ? 1 : 0);
  try {
    for (const scenario of ['put', 'get']) {
      const params = { key, users: UPDATE_USERS };
      const one = [];
      const two = [];
      const base = [];
      await drive({ url: first.url, scenario, params, connections: CONNECTIONS, seconds: Math.min(3, SECONDS), dir, name: `${scenario}-two-warmup` });
      for (let round = 1; round <= ROUNDS; round++) {
        base.push(await drive({ url: `${baseline.url}/v2/users`, scenario: 'baseline', connections: CONNECTIONS, seconds: SECONDS, dir, name: 'baseline' }));
        one.push(await drive({ url: first.url, scenario, params, connections: CONNECTIONS, seconds: SECONDS, dir, name: `${scenario}-one` }));
        const halves = await Promise.all([first, second].map((server, i) => drive({ url: server.url, scenario, params, connections: CONNECTIONS / 2, seconds: SECONDS, dir, name: `${scenario}-two-${i}` })));
        two.push({ rps: halves[0].rps + halves[1].rps, p50: Math.max(halves[0].p50, halves[1].p50), p99: Math.max(halves[0].p99, halves[1].p99), non2xx: halves[0].non2xx + halves[1].non2xx });
        log(`two instances ${scenario} [${target}] round ${round}: ${two.at(-1).rps.toFixed(0)} req/s vs one instance ${one.at(-1).rps.toFixed(0)} req/s`);
      }
      const rps = median(two.map((r) => r.rps));
      results.push({
        scenario: `${scenario === 'put' ? 'PUT /v2/users' : 'GET /v2/users/{id}'}, two instances (one: ${median(one.map((r) => r.rps)).toFixed(0)} req/s)`,
        target,
        'req/s': rps.toFixed(0),
        'p50 ms': median(two.map((r) => r.p50)).toFixed(2),
        'p99 ms': median(two.map((r) => r.p99)).toFixed(2),
        'baseline req/s': median(base.map((r) => r.rps)).toFixed(0),
        ratio: (rps / median(one.map((r) => r.rps))).toFixed(2),
        'RSS MB': '', 'peak RSS MB': '',
        errors: two.reduce((n, r) => n + r.non2xx, 0),
        note: 'ratio = two instances / one instance, same round; p50/p99 the worse of the two instances',
      });
    }
  } finally {
    await first.stop();
    await second.stop();
  }
}

async function runStore(target, makeEnv, baseline) {
  if (ONLY.has('put') || ONLY.has('get') || ONLY.has('login') || ONLY.has('version')) {
    const server = await startServer(await makeEnv(UPDATE_USERS));
    try {
      const params = { key, users: UPDATE_USERS };
      if (ONLY.has('version')) await measure({ label: 'GET /v2/auth/version (no database)', target, server, baseline, scenario: 'version', params });
      if (ONLY.has('put')) await measure({ label: `PUT /v2/users (${UPDATE_USERS} users)`, target, server, baseline, scenario: 'put', params });
      if (ONLY.has('get')) await measure({ label: `GET /v2/users/{id} (${UPDATE_USERS} users)`, target, server, baseline, scenario: 'get', params });
      if (ONLY.has('login')) await loginStorm({ target, server, users: UPDATE_USERS });
    } finally {
      await server.stop();
    }
  }
  if (ONLY.has('two') && target.startsWith('postgres')) await twoInstances({ target, storeEnv: await makeEnv(UPDATE_USERS), baseline });
  if (ONLY.has('list') || ONLY.has('cold')) {
    const env = await makeEnv(LIST_USERS);
    if (ONLY.has('list')) {
      const server = await startServer(env);
      try {
        const params = { key, networks: NETWORKS };
        await measure({ label: `POST /v2/users/list (${LIST_USERS} users, 25/page)`, target, server, baseline, scenario: 'list', params });
        await measure({ label: `POST /v2/users/list (${LIST_USERS} users, 25/page), 10 connections`, target, server, baseline, scenario: 'list', params, connections: 10 });
      } finally {
        await server.stop();
      }
    }
    if (ONLY.has('cold')) await coldStart({ target, storeEnv: env });
    // `npm start` runs this checkout's build only.
    if (ONLY.has('cold') && (env.CLI ?? CLI) === CLI) await npmStart({ target, storeEnv: env });
  }
}

async function runPrism(baseline) {
  const server = await startServer(sqliteWithUsers(UPDATE_USERS));
  const document = join(dir, 'openapi.json');
  try {
    writeFileSync(document, await (await fetch(`${server.url}/swagger/v2/swagger.json`)).text());
  } finally {
    await server.stop();
  }
  const prism = await startPrism(document);
  try {
    const params = { key, users: UPDATE_USERS, networks: NETWORKS };
    const note = 'Prism mocking our OpenAPI document (static examples): no storage, no auth check';
    if (ONLY.has('put')) await measure({ label: 'PUT /v2/users', target: 'prism mock', server: prism, baseline, scenario: 'put', params, note });
    if (ONLY.has('get')) await measure({ label: 'GET /v2/users/{id}', target: 'prism mock', server: prism, baseline, scenario: 'get', params, note });
    if (ONLY.has('list')) await measure({ label: 'POST /v2/users/list', target: 'prism mock', server: prism, baseline, scenario: 'list', params, note });
  } finally {
    await prism.stop();
  }
}

log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${QUICK ? 'quick' : 'full'} run: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, load by ${HAS_WRK ? 'wrk' : 'autocannon'}`);
// Another checkout's build (BENCH_BUILD) is taken as it is.
const build = process.env.BENCH_BUILD ? { status: 0 } : spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const startedAt = new Date();
let cluster;
const baseline = await startBaseline();
try {
  for (const { label, cli } of BUILDS) {
    if (!args['no-sqlite']) await runStore(`sqlite${label}`, async (users) => sqliteWithUsers(users, cli), baseline);
  }
  if (args.pg) {
    // Durable, as in production: fsync and synchronous_commit at PostgreSQL's defaults.
    cluster = await startPostgres({ log, durable: true });
    for (const { label, cli } of BUILDS) await runStore(`postgres${label}`, async (users) => postgresWithUsers(cluster, users, cli), baseline);
  }
  if (args.prism) await runPrism(baseline);
} finally {
  await baseline.stop();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const columns = ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'ratio', 'RSS MB', 'peak RSS MB', 'errors'];
process.stdout.write(`\n${table(results, columns)}\n\n`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/latest.json'),
  JSON.stringify({ date: startedAt.toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model}`, node: process.version, loadGenerator: HAS_WRK ? 'wrk' : 'autocannon', quick: QUICK, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, results }, null, 2),
);
