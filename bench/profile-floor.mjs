#!/usr/bin/env node
/**
 * `node bench/profile-floor.mjs [--seconds 4] [--rounds 3] [--processes 1] [--path /v2/auth/version] [--auth] [--against DIR] [--plain-fastify] [--cpu-prof DIR]`
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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, ROOT, freePort, median, startProcess } from './lib.mjs';
import { scenarios } from './scenarios.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    processes: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: '/v2/auth/version' },
    'cpu-prof': { type: 'string' },
    auth: { type: 'boolean', default: false },
    against: { type: 'string' },
    'plain-fastify': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const PROCESSES = Number(args.processes);
const CONNECTIONS = Number(args.connections);
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || '100');
const log = (line) => process.stderr.write(`[floor] ${line}\n`);

/** CPU seconds the process has used so far, all threads (utime + stime, fields 14 and 15). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-floor-'));

/** wrk on core 1; returns the requests answered and the non-2xx among them. */
function drive(url, lua, seconds) {
  const script = join(dir, 'load.lua');
  writeFileSync(script, lua);
  const run = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', script, url], { encoding: 'utf8' });
  const requests = Number((/(\d+) requests in/.exec(run.stdout) ?? [])[1]);
  if (!Number.isFinite(requests)) throw new Error(`wrk output not understood:\n${run.stdout}${run.stderr}`);
  const non2xx = Number((/Non-2xx or 3xx responses:\s+(\d+)/.exec(run.stdout) ?? [])[1] ?? 0);
  return { requests, non2xx, rps: requests / seconds };
}

/** One measured stretch: CPU µs per request and req/s. */
function measure(target) {
  const before = cpuSeconds(target.pid);
  const { requests, non2xx, rps } = drive(target.url, target.lua, SECONDS);
  const used = cpuSeconds(target.pid) - before;
  if (non2xx) throw new Error(`${target.name}: ${non2xx} non-2xx answers`);
  return { us: (used * 1e6) / requests, rps };
}

const ROOT_KEY = 'floor-root-key-0123456789abcdef';
const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : [];
const request = args.auth ? `wrk.headers["X-API-Key"] = "${ROOT_KEY}"\n` : '';

/** A process on a free port (`argvOf(port)`, pinned to core 0) and what to drive at it: `path` with the Lua `lua`. */
async function startTarget(name, argvOf, env, path, lua) {
  const port = await freePort();
  const proc = await startProcess(name, process.execPath, argvOf(port), env(port));
  return { proc, target: { name, pid: proc.pid, url: `http://127.0.0.1:${port}${path}`, lua } };
}

/** The built server of a checkout (its dist/), on a fresh database of its own. */
const startServer = (name, cli, extra = []) =>
  startTarget(name, () => [...extra, cli, 'serve'], (port) => ({
    ECGRID_DB: join(dir, `${name}.db`),
    ECGRID_ROOT_API_KEY: ROOT_KEY,
    ECGRID_MASTER_KEY: 'b'.repeat(64),
    ECGRID_RATE_LIMIT: 'off',
    LOG_LEVEL: 'warn',
    PORT: String(port),
  }), args.path, request);

/** A script of bench/ that takes its port as its argument. */
const startScript = (name, script, path, lua) => startTarget(name, (port) => [join(ROOT, 'bench', script), String(port)], () => ({}), path, lua);

/** The median CPU µs per request and req/s of some samples. */
const medians = (samples) => ({ us: median(samples.map((s) => s.us)), rps: median(samples.map((s) => s.rps)) });

/** One set of fresh processes (the baseline first, ours, --against's, plain Fastify): each target's median over ROUNDS rounds. */
async function session(index) {
  const started = [await startScript('baseline', 'baseline-server.mjs', '/v2/users', scenarios.baseline.lua())];
  started.push(await startServer(`GET ${args.path}`, CLI, index === 0 ? profile : []));
  if (args.against) started.push(await startServer(`GET ${args.path} (${basename(resolve(args.against))})`, join(resolve(args.against), 'dist/ecgrid-identity.mjs')));
  if (args['plain-fastify']) started.push(await startScript('plain Fastify', 'plain-fastify-server.mjs', '/v2/auth/version', ''));
  const targets = started.map((s) => s.target);
  try {
    // Unrecorded warm-up: the JIT settles first. (taskset execs node: the pid is the server's own.)
    for (const target of targets) drive(target.url, target.lua, 2);
    const samples = new Map(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        const sample = measure(target);
        samples.get(target.name).push(sample);
        log(`processes ${index + 1} round ${round} ${target.name}: ${sample.us.toFixed(1)} µs CPU/request, ${sample.rps.toFixed(0)} req/s`);
      }
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
