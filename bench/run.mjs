#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--no-pg] [--only put,get,list,login,cold]`
 *
 * Starts the bare node:http baseline and the real server (each pinned to core
 * 0, wrk on core 1), seeds the data each scenario needs, runs every scenario
 * interleaved with the baseline over several rounds, and prints a table:
 * scenario, store, req/s, p50, p99, ratio to the baseline of the same run, RSS.
 * Results also go to bench/results/latest.json. Rate limiting is off and
 * logging is at `warn`, as a production deployment behind a load balancer
 * would run a benchmark; every request does the full work (auth, validation,
 * transaction, audit).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres-cluster.mjs';
import { CLI, ROOT, drive, freePort, median, memoryOf, startProcess, table, waitForHttp } from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pg: { type: 'boolean', default: true },
    only: { type: 'string', default: 'put,get,list,login,cold' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
  },
  allowNegative: true,
});
const QUICK = args.quick;
const ROUNDS = Number(args.rounds ?? (QUICK ? 2 : 3));
const SECONDS = Number(args.seconds ?? (QUICK ? 3 : 8));
const UPDATE_USERS = 10_000;
const LIST_USERS = QUICK ? 100_000 : 1_000_000;
const ONLY = new Set(args.only.split(','));
const CONNECTIONS = 50;
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-bench-'));
const cacheDir = join(tmpdir(), 'ecgrid-bench-cache');
mkdirSync(cacheDir, { recursive: true });
const rootKey = randomUUID();
const masterKey = 'b'.repeat(64);
const results = [];

const SEED_BODY = '{ "userId": 1042, "email": "john.smith@example.com", "firstName": "John", "lastName": "Smith" }';

const lua = {
  baseline: `wrk.method = "PUT"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${SEED_BODY}'\n`,
  put: (users) => `wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "${rootKey}"
local n = 0
request = function()
  n = n + 1
  local id = math.random(1, ${users})
  return wrk.format(nil, "/v2/users", nil, string.format('{ "userId": %d, "email": "u%d.w%d@example.com", "firstName": "F%d", "lastName": "L%d" }', id, id, n, n, n))
end
`,
  get: (users) => `wrk.headers["X-API-Key"] = "${rootKey}"
request = function() return wrk.format("GET", "/v2/users/" .. math.random(1, ${users})) end
`,
  list: (networks) => `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "${rootKey}"
request = function()
  return wrk.format(nil, "/v2/users/list", nil, string.format('{ "networkId": %d, "status": "Active", "pageNo": %d, "recordsPerPage": 25 }', math.random(1, ${networks}), math.random(1, 40)))
end
`,
  login: (users) => `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/v2/auth/login", nil, '{ "login": "' .. LOGINS[math.random(1, #LOGINS)] .. '", "password": "Seed!Passw0rd" }')
end
`,
};

function runCli(env, ...cliArgs) {
  const result = spawnSync(process.execPath, [CLI, ...cliArgs], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cliArgs.join(' ')} failed:\n${result.stderr}`);
  return result.stderr;
}

/** An SQLite file with `users` seeded users, cached between runs (copied before use). */
function sqliteWithUsers(users) {
  const cached = join(cacheDir, `users-${users}.db`);
  if (!existsSync(cached)) {
    log(`seeding ${users} users into SQLite (cached for later runs)…`);
    log(runCli({ ECGRID_DB: cached, ECGRID_MASTER_KEY: masterKey }, 'seed', '--users', String(users)).trim());
  }
  const copy = join(dir, `users-${users}-${Date.now()}.db`);
  copyFileSync(cached, copy);
  return { ECGRID_DB: copy };
}

async function postgresWithUsers(cluster, users) {
  const name = `bench_${users}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = cluster.url.replace(/\/postgres$/, `/${name}`);
  log(`seeding ${users} users into PostgreSQL…`);
  log(runCli({ DATABASE_URL: url, ECGRID_MASTER_KEY: masterKey }, 'seed', '--users', String(users)).trim());
  return { DATABASE_URL: url };
}

async function startServer(storeEnv) {
  const port = await freePort();
  const server = await startProcess('server', process.execPath, [CLI, 'serve'], {
    ...storeEnv,
    PORT: String(port),
    ECGRID_ROOT_API_KEY: rootKey,
    ECGRID_MASTER_KEY: masterKey,
    ECGRID_RATE_LIMIT: 'off',
    LOG_LEVEL: 'warn',
  });
  return { ...server, url: `http://127.0.0.1:${port}` };
}

async function startBaseline() {
  const port = await freePort();
  const baseline = await startProcess('baseline', process.execPath, [join(ROOT, 'bench/baseline-server.mjs'), String(port)], {});
  return { ...baseline, url: `http://127.0.0.1:${port}` };
}

/** Runs a scenario interleaved with the baseline; records medians over the rounds. */
async function measure({ scenario, store, server, baseline, script, connections = CONNECTIONS, note = '' }) {
  const ours = [];
  const base = [];
  for (let round = 1; round <= ROUNDS; round++) {
    base.push(await drive({ url: `${baseline.url}/v2/users`, lua: lua.baseline, connections: CONNECTIONS, seconds: SECONDS, dir, name: 'baseline' }));
    ours.push(await drive({ url: server.url, lua: script, connections, seconds: SECONDS, dir, name: scenario }));
    const last = ours[ours.length - 1];
    log(`${scenario} [${store}] round ${round}: ${last.rps.toFixed(0)} req/s, p99 ${last.p99} ms (baseline ${base[base.length - 1].rps.toFixed(0)} req/s)${last.non2xx ? `, ${last.non2xx} non-2xx!` : ''}`);
  }
  const memory = memoryOf(server.pid);
  const row = {
    scenario,
    store,
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

async function loginStorm({ store, server, users }) {
  const logins = [];
  const listed = await fetch(`${server.url}/v2/users/list`, {
    method: 'POST',
    headers: { 'X-API-Key': rootKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'Active', authLevel: 'MailboxUser', recordsPerPage: 50 }),
  }).then((r) => r.json());
  for (const user of listed.data ?? []) logins.push(user.login);
  const getScript = lua.get(users);
  const quiet = await drive({ url: server.url, lua: getScript, connections: 10, seconds: SECONDS, dir, name: 'get-quiet' });
  const stormScript = `LOGINS = { ${logins.map((l) => `"${l}"`).join(', ')} }\n${lua.login(users)}`;
  const [storm, busy] = await Promise.all([
    drive({ url: server.url, lua: stormScript, connections: 8, seconds: SECONDS + 1, dir, name: 'login-storm' }),
    new Promise((r) => setTimeout(r, 500)).then(() => drive({ url: server.url, lua: getScript, connections: 10, seconds: SECONDS - 1 > 0 ? SECONDS - 1 : 1, dir, name: 'get-during-storm' })),
  ]);
  results.push({
    scenario: 'login storm: GET p99 during / quiet',
    store,
    'req/s': `${busy.rps.toFixed(0)} GET + ${storm.rps.toFixed(0)} logins`,
    'p50 ms': busy.p50.toFixed(2),
    'p99 ms': `${busy.p99.toFixed(2)} (quiet ${quiet.p99.toFixed(2)})`,
    'baseline req/s': '',
    ratio: (busy.p99 / quiet.p99).toFixed(2),
    'RSS MB': memoryOf(server.pid).rssMb.toFixed(0),
    'peak RSS MB': memoryOf(server.pid).peakMb.toFixed(0),
    errors: storm.non2xx + busy.non2xx,
    note: 'ratio = p99 during storm / quiet (target ≤ 2)',
  });
  log(`login storm [${store}]: GET p99 ${busy.p99} ms during vs ${quiet.p99} ms quiet; ${storm.rps.toFixed(0)} logins/s (${storm.non2xx} non-2xx)`);
}

async function coldStart({ store, storeEnv }) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const { spawn } = await import('node:child_process');
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...process.env, ...storeEnv, PORT: String(port), ECGRID_ROOT_API_KEY: rootKey, ECGRID_MASTER_KEY: masterKey, LOG_LEVEL: 'warn', ECGRID_RATE_LIMIT: 'off' },
      stdio: 'ignore',
    });
    await waitForHttp(`http://127.0.0.1:${port}/v2/users/me`, { 'X-API-Key': rootKey });
    samples.push(Date.now() - started);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
  results.push({ scenario: `cold start to first answer (${LIST_USERS} users)`, store, 'req/s': '', 'p50 ms': median(samples).toFixed(0), 'p99 ms': Math.max(...samples).toFixed(0), 'baseline req/s': '', ratio: '', 'RSS MB': '', 'peak RSS MB': '', errors: 0, note: 'ms from spawn to the first 200 of GET /v2/users/me (median, max of 3; target ≤ 1000)' });
  log(`cold start [${store}]: ${samples.join(', ')} ms`);
}

async function runStore(store, makeEnv) {
  const baseline = await startBaseline();
  try {
    if (ONLY.has('put') || ONLY.has('get') || ONLY.has('login')) {
      const env = await makeEnv(UPDATE_USERS);
      const server = await startServer(env);
      try {
        if (ONLY.has('put')) await measure({ scenario: `PUT /v2/users (${UPDATE_USERS} users)`, store, server, baseline, script: lua.put(UPDATE_USERS) });
        if (ONLY.has('get')) await measure({ scenario: `GET /v2/users/{id} (${UPDATE_USERS} users)`, store, server, baseline, script: lua.get(UPDATE_USERS) });
        if (ONLY.has('login')) await loginStorm({ store, server, users: UPDATE_USERS });
      } finally {
        await server.stop();
      }
    }
    if (ONLY.has('list') || ONLY.has('cold')) {
      const env = await makeEnv(LIST_USERS);
      if (ONLY.has('list')) {
        const server = await startServer(env);
        try {
          await measure({ scenario: `POST /v2/users/list (${LIST_USERS} users, 25/page)`, store, server, baseline, script: lua.list(10) });
        } finally {
          await server.stop();
        }
      }
      if (ONLY.has('cold')) await coldStart({ store, storeEnv: env });
    }
  } finally {
    await baseline.stop();
  }
}

log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${QUICK ? 'quick' : 'full'} run: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections`);
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const startedAt = new Date();
let cluster;
try {
  await runStore('sqlite', async (users) => sqliteWithUsers(users));
  if (args.pg) {
    cluster = await startPostgres({ log });
    await runStore('postgres', async (users) => postgresWithUsers(cluster, users));
  }
} finally {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const columns = ['scenario', 'store', 'req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'ratio', 'RSS MB', 'peak RSS MB', 'errors'];
const output = table(results, columns);
process.stdout.write(`\n${output}\n\n`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/latest.json'),
  JSON.stringify({ date: startedAt.toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model}`, node: process.version, quick: QUICK, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, results }, null, 2),
);
