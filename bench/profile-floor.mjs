#!/usr/bin/env node
/**
 * `node bench/profile-floor.mjs [--seconds 4] [--rounds 3] [--processes 1] [--connections 50] [--path /v2/auth/version] [--auth] [--scenario put|get] [--users 10000] [--against DIR] [--plain-fastify] [--rewarm 1] [--cpu-prof DIR]`
 *
 * The HTTP floor (issue 16) in CPU time rather than req/s: on a shared
 * machine req/s moves with everyone else's load, but the CPU the server
 * process spends per answer hardly does. Starts the built server (SQLite,
 * a fresh database, rate limits off, log level warn) and the bare node:http
 * baseline, each pinned to core 0, drives each with wrk on core 1, round by
 * round, and reports utime + stime of the server process (/proc/<pid>/stat)
 * per request answered: ours, the baseline's, and their ratio (baseline /
 * ours: comparable with the req/s ratio of `npm run bench`).
 * With --cpu-prof the server writes a V8 CPU profile into DIR on exit.
 * --auth sends the Root key (X-API-Key), for paths behind authentication
 * (e.g. --path /v2/users/1, the Root user itself: one read to authenticate,
 * one for the answer). --against DIR also starts another built checkout's
 * server and measures it in the same rounds, interleaved with ours: a
 * before/after pair in CPU per request, which moves far less between
 * processes and runs than req/s does.
 * --scenario put (or get) drives the bench's own load of that scenario
 * (bench/scenarios.mjs: the seed's PUT over --users seeded users, every PUT
 * writing; GETs of random users) instead of one path, each server on a copy of
 * a database its own build seeded, and also reports the transactions per
 * SQLite COMMIT (from /metrics): CPU per PUT of two builds, interleaved.
 * --plain-fastify also measures `bench/plain-fastify-server.mjs` (the version route on plain
 * Fastify 5, logger on, nothing else) in the same rounds: what Fastify itself costs.
 * --processes N repeats all of it with N fresh sets of processes and reports
 * the median over them of each process's median: CPU per request moves by
 * up to ±8 % between two processes of one build (where V8 placed things,
 * which JIT tiers it reached), more than many single changes, so a one-process
 * pair cannot tell such a change from luck.
 * Run `npm run build` first: this measures dist/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CLI, ROOT, benchServerEnv, freePort, median, scriptArgs, seedUsers, startProcess } from './lib.mjs';
import { scenarios } from './scenarios.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    processes: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: '/v2/auth/version' },
    scenario: { type: 'string' },
    users: { type: 'string', default: '10000' },
    'cpu-prof': { type: 'string' },
    auth: { type: 'boolean', default: false },
    against: { type: 'string' },
    'plain-fastify': { type: 'boolean', default: false },
    rewarm: { type: 'string', default: '1' },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const PROCESSES = Number(args.processes);
const CONNECTIONS = Number(args.connections);
/** Seconds of unrecorded load before each recorded round (as in run.mjs: answers after an idle gap cost more, bench/idle-burst.mjs). */
const REWARM = Number(args.rewarm);
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || '100');
const log = (line) => process.stderr.write(`[floor] ${line}\n`);

/** CPU seconds the process has used so far, all threads (utime + stime, fields 14 and 15). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-floor-'));

/** Appended to every load script: wrk prints the upper percentiles of latency (ms) when it is done. */
const TAIL_LUA = `
done = function(summary, latency, requests)
  io.write(string.format("tail p99=%.1f p99.5=%.1f p99.9=%.1f max=%.1f\\n", latency:percentile(99) / 1000, latency:percentile(99.5) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
`;

/** wrk on core 1; returns the requests answered, the non-2xx among them, and the latency tail. */
function drive(url, lua, seconds) {
  const script = join(dir, 'load.lua');
  writeFileSync(script, (typeof lua === 'function' ? lua() : lua) + TAIL_LUA);
  const run = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', script, url], { encoding: 'utf8' });
  const requests = Number((/(\d+) requests in/.exec(run.stdout) ?? [])[1]);
  if (!Number.isFinite(requests)) throw new Error(`wrk output not understood:\n${run.stdout}${run.stderr}`);
  const non2xx = Number((/Non-2xx or 3xx responses:\s+(\d+)/.exec(run.stdout) ?? [])[1] ?? 0);
  const tail = (/^tail (.*)$/m.exec(run.stdout) ?? [])[1] ?? '';
  return { requests, non2xx, rps: requests / seconds, tail };
}

/** One measured stretch: CPU µs per request and req/s. */
function measure(target) {
  const before = cpuSeconds(target.pid);
  const { requests, non2xx, rps, tail } = drive(target.url, target.lua, SECONDS);
  const used = cpuSeconds(target.pid) - before;
  if (non2xx) throw new Error(`${target.name}: ${non2xx} non-2xx answers`);
  return { us: (used * 1e6) / requests, rps, tail };
}

const ROOT_KEY = 'floor-root-key-0123456789abcdef';
const USERS = Number(args.users);
const SCENARIO = args.scenario;
if (SCENARIO !== undefined && SCENARIO !== 'put' && SCENARIO !== 'get') throw new Error('--scenario: put or get');
const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : [];
/** What the servers are driven with: a scenario's own load (each run its own e-mails), or GETs of --path. */
const request = () =>
  SCENARIO ? scenarios[SCENARIO].lua({ key: ROOT_KEY, users: USERS }) : args.auth ? `wrk.headers["X-API-Key"] = "${ROOT_KEY}"\n` : '';
const label = SCENARIO ? `${SCENARIO} (${USERS} users)` : `GET ${args.path}`;

/** A database with USERS seeded users made by the build of `cli` (seeded once, copied for each server). */
const seeded = new Map();
function databaseFor(name, cli) {
  if (!SCENARIO) return join(dir, `${name}.db`);
  if (!seeded.has(cli)) {
    const file = join(dir, `seeded-${seeded.size}.db`);
    seedUsers({ ECGRID_DB: file }, USERS, cli);
    seeded.set(cli, file);
  }
  const copy = join(dir, `${name.replace(/\W+/g, '-')}-${Date.now()}.db`);
  copyFileSync(seeded.get(cli), copy);
  return copy;
}

/** Transactions per SQLite COMMIT so far (the group commit's figures in /metrics), or undefined. */
async function perCommit(url) {
  const text = await (await fetch(new URL('/metrics', url), { headers: { 'X-API-Key': ROOT_KEY } })).text();
  const figure = (name) => Number((new RegExp(`figure="${name}"} (\\d+)`).exec(text) ?? [])[1]);
  const ratio = figure('group_committed_transactions_total') / figure('group_commits_total');
  return Number.isFinite(ratio) ? ratio : undefined;
}

/** A process on a free port (`argvOf(port)`, pinned to core 0) and what to drive at it: `path` with the Lua `lua`. */
async function startTarget(name, argvOf, env, path, lua) {
  const port = await freePort();
  const proc = await startProcess(name, process.execPath, argvOf(port), env(port));
  return { proc, target: { name, pid: proc.pid, url: `http://127.0.0.1:${port}${path}`, lua } };
}

/** The built server of a checkout (its dist/), on a fresh database of its own. */
const startServer = (name, cli, extra = []) =>
  startTarget(name, () => [...extra, cli, 'serve'], (port) => benchServerEnv({ ECGRID_DB: databaseFor(name, cli) }, ROOT_KEY, port), SCENARIO ? '' : args.path, request);

/** A script of bench/ that takes its port as its argument. */
const startScript = (name, script, path, lua) => startTarget(name, (port) => [join(ROOT, 'bench', script), String(port)], () => ({}), path, lua);

/** The median CPU µs per request and req/s of some samples. */
const medians = (samples) => ({ us: median(samples.map((s) => s.us)), rps: median(samples.map((s) => s.rps)) });

/** One set of fresh processes (the baseline first, ours, --against's, plain Fastify): each target's median over ROUNDS rounds. */
async function session(index) {
  const started = [await startScript('baseline', 'baseline-server.mjs', '/v2/users', scenarios.baseline.lua())];
  const servers = [await startServer(label, CLI, index === 0 ? profile : [])];
  if (args.against) servers.push(await startServer(`${label} (${basename(resolve(args.against))})`, join(resolve(args.against), 'dist/ecgrid-identity.mjs')));
  started.push(...servers);
  if (args['plain-fastify']) started.push(await startScript('plain Fastify', 'plain-fastify-server.mjs', '/v2/auth/version', ''));
  const targets = started.map((s) => s.target);
  try {
    // Unrecorded warm-up: the JIT settles first. (taskset execs node: the pid is the server's own.)
    for (const target of targets) drive(target.url, target.lua, 2);
    const samples = new Map(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        if (REWARM > 0) drive(target.url, target.lua, REWARM);
        const sample = measure(target);
        samples.get(target.name).push(sample);
        log(`processes ${index + 1} round ${round} ${target.name}: ${sample.us.toFixed(1)} µs CPU/request, ${sample.rps.toFixed(0)} req/s, latency ms ${sample.tail}`);
      }
    }
    if (SCENARIO === 'put') {
      for (const { target } of servers) log(`processes ${index + 1} ${target.name}: ${(await perCommit(target.url))?.toFixed(1) ?? '-'} transactions per SQLite COMMIT`);
    }
    return new Map(targets.map((t) => [t.name, medians(samples.get(t.name))]));
  } finally {
    for (const { proc } of started) await proc.stop();
  }
}

try {
  const sessions = [];
  for (let index = 0; index < PROCESSES; index++) sessions.push(await session(index));
  /** A target's median from each set of processes. */
  const across = (name) => sessions.map((result) => result.get(name));
  const spread = (samples) => {
    const us = samples.map((s) => s.us);
    return us.length > 1 ? ` [${Math.min(...us).toFixed(1)}–${Math.max(...us).toFixed(1)}]` : '';
  };
  const base = medians(across('baseline'));
  for (const name of [...sessions[0].keys()].slice(1)) {
    const ours = medians(across(name));
    const ratios = sessions.map((result) => result.get('baseline').us / result.get(name).us);
    process.stdout.write(
      `${name}: ${ours.us.toFixed(1)}${spread(across(name))} µs CPU/request (${ours.rps.toFixed(0)} req/s); ` +
        `baseline: ${base.us.toFixed(1)}${spread(across('baseline'))} µs (${base.rps.toFixed(0)} req/s); ` +
        `CPU ratio baseline/ours ${median(ratios).toFixed(2)}, req/s ratio ${(ours.rps / base.rps).toFixed(2)} ` +
        `(medians over ${PROCESSES} set(s) of processes of medians of ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections)\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
