#!/usr/bin/env node
/**
 * `node bench/profile-sqlite-reads.mjs [--cli a.mjs,b.mjs] [--rounds 3] [--seconds 5] [--connections 1,50] [--users 10000] [--no-strace]`
 *
 * Server CPU per GET /v2/users/{id} on SQLite, for one or more builds of the
 * server (default: dist/ecgrid-identity.mjs; give the bundle of an older
 * commit beside it to compare). On a shared machine req/s says more about the
 * neighbours than about us, so the figure is CPU time: utime + stime of the
 * server process (all its threads) from /proc/<pid>/stat before and after a
 * wrk run, divided by the requests wrk completed. Builds are run interleaved,
 * round by round, each on its own copy of one seeded database, server pinned
 * to core 0 and wrk to core 1 as in `npm run bench`.
 *
 * Then, unless --no-strace, a load-independent figure: system calls per
 * request (fcntl: the WAL read locks) counted by `strace -c -f` over short
 * runs of 1 and 10 connections. strace slows the server many times over; only the counts matter.
 */
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, CORES, HAS_TASKSET, MASTER_KEY, ROOT, SEEDED_NETWORKS, benchServerEnv, freePort, median, scriptArgs, startProcess, waitForHttp } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    cli: { type: 'string', default: CLI },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,50' },
    users: { type: 'string', default: '10000' },
    strace: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const CLIS = args.cli.split(',').map((p) => resolve(p));
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const CONNECTIONS = args.connections.split(',').map(Number);
const USERS = Number(args.users);
const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || '100');
const log = (line) => process.stderr.write(`[reads] ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-reads-'));
const key = randomUUID();

function seeded() {
  const cacheDir = join(tmpdir(), 'ecgrid-bench-cache');
  mkdirSync(cacheDir, { recursive: true });
  const cached = join(cacheDir, `users-${USERS}.db`);
  const env = { ...process.env, ECGRID_DB: cached, ECGRID_MASTER_KEY: MASTER_KEY };
  const cliArgs = existsSync(cached) ? ['network', 'list'] : ['seed', '--users', String(USERS), '--networks', String(SEEDED_NETWORKS)];
  const result = spawnSync(process.execPath, [CLIS[CLIS.length - 1], ...cliArgs], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cliArgs[0]} failed:\n${result.stderr}`);
  return cached;
}

/** utime + stime of every thread of the process, in µs. */
function cpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function wrk(url, connections, seconds) {
  const script = join(dir, 'get.lua');
  writeFileSync(script, `wrk.headers["X-API-Key"] = "${key}"\nrequest = function() return wrk.format("GET", "/v2/users/" .. math.random(1, ${USERS})) end\n`);
  const argv = ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url];
  const [cmd, list] = HAS_TASKSET && CORES > 1 ? ['taskset', ['-c', '1', 'wrk', ...argv]] : ['wrk', argv];
  return new Promise((done, fail) => {
    const child = spawn(cmd, list, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', fail);
    child.on('exit', () => {
      const requests = Number((/(\d+) requests in/.exec(out) ?? [])[1]);
      const non2xx = Number((/Non-2xx or 3xx responses:\s+(\d+)/.exec(out) ?? [])[1] ?? 0);
      if (!Number.isFinite(requests)) fail(new Error(`wrk output not understood:\n${out}`));
      else done({ requests, non2xx, rps: requests / seconds });
    });
  });
}

async function startServer(cli, database, label) {
  const file = join(dir, `${label}-${Date.now()}.db`);
  copyFileSync(database, file);
  const port = await freePort();
  const server = await startProcess(label, process.execPath, [cli, 'serve'], benchServerEnv({ ECGRID_DB: file }, key, port));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v2/users/1`, { 'x-api-key': key });
  return { ...server, url };
}

/** µs of server CPU per request over one wrk run. */
async function cpuPerRequest(server, connections) {
  const before = cpuUs(server.pid);
  const run = await wrk(server.url, connections, SECONDS);
  const used = cpuUs(server.pid) - before;
  if (run.non2xx) throw new Error(`${run.non2xx} non-2xx answers`);
  return { us: used / run.requests, rps: run.rps };
}

/** System calls per request, counted by strace over a short run. */
async function syscallsPerRequest(server, connections) {
  const out = join(dir, `strace-${server.pid}-${connections}.txt`);
  const tracer = spawn('strace', ['-c', '-f', '-o', out, '-p', String(server.pid)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const run = await wrk(server.url, connections, 3);
  tracer.kill('SIGINT');
  await new Promise((r) => tracer.on('exit', r));
  const counts = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
    if (m) counts[m[2]] = Number(m[1]);
  }
  const perRequest = { requests: run.requests };
  for (const [name, calls] of Object.entries(counts).sort((a, b) => b[1] - a[1])) {
    if (calls / run.requests >= 0.1) perRequest[name] = Number((calls / run.requests).toFixed(2));
  }
  return perRequest;
}

const database = seeded();
const servers = [];
try {
  for (const [i, cli] of CLIS.entries()) servers.push({ cli, label: `build${i}`, server: await startServer(cli, database, `build${i}`) });
  for (const { server } of servers) await wrk(server.url, 50, 2); // warm-up: JIT and page cache
  const samples = new Map();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const connections of CONNECTIONS) {
      for (const { label, server } of servers) {
        const sample = await cpuPerRequest(server, connections);
        const keyOf = `${label} c${connections}`;
        samples.set(keyOf, [...(samples.get(keyOf) ?? []), sample]);
        log(`round ${round} ${keyOf}: ${sample.us.toFixed(1)} µs CPU/request, ${sample.rps.toFixed(0)} req/s`);
      }
    }
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`GET /v2/users/{id}, ${USERS} users, ${ROUNDS} rounds × ${SECONDS} s; load average at the end ${load}`);
  for (const { cli, label } of servers) {
    console.log(`\n${label}: ${cli}`);
    for (const connections of CONNECTIONS) {
      const list = samples.get(`${label} c${connections}`);
      const us = list.map((s) => s.us);
      console.log(`  ${connections} connection(s): median ${median(us).toFixed(1)} µs CPU/request (min ${Math.min(...us).toFixed(1)}, max ${Math.max(...us).toFixed(1)}); median ${median(list.map((s) => s.rps)).toFixed(0)} req/s`);
    }
  }
  if (args.strace) {
    console.log('\nsystem calls per request (strace -c -f, 3 s):');
    for (const connections of [1, 10]) {
      for (const { label, server } of servers) console.log(`  ${label}, ${connections} connection(s): ${JSON.stringify(await syscallsPerRequest(server, connections))}`);
    }
  }
} finally {
  for (const { server } of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
