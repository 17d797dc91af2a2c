#!/usr/bin/env node
/**
 * `node bench/count-instructions.mjs [--path /v2/auth/version] [--auth] [--warmup 60] [--seconds 10] [--against DIR] [--plain-fastify] [--no-baseline]`
 *
 * The HTTP floor (issue 16) in user-space instructions per answer, counted by
 * valgrind's callgrind: unlike CPU time, the count hardly moves with the
 * machine's load or between two processes of one build, so a change of 2 %
 * shows as 2 %, which `profile-floor.mjs` (±8 % between processes) cannot see.
 * Each target runs alone under callgrind (~50 × slower: the server takes ~30 s
 * to start); wrk drives it for --warmup seconds (the JIT reaches its steady
 * tiers: ~40,000 answers), the counters are zeroed, wrk drives it for
 * --seconds more, the counters are dumped, and the instructions of that
 * stretch are divided by the answers wrk counted.
 * Targets: this checkout's build (SQLite, a fresh database, rate limits off,
 * log level warn), --against DIR's build, the bare node:http baseline, and
 * with --plain-fastify the same route on plain Fastify 5 (the reference the
 * floor is measured against: what Fastify itself costs).
 * Needs valgrind and wrk. Run `npm run build` first: this measures dist/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, ROOT, freePort } from './lib.mjs';
import { scenarios } from './scenarios.mjs';

const { values: args } = parseArgs({
  options: {
    path: { type: 'string', default: '/v2/auth/version' },
    auth: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '60' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    against: { type: 'string', multiple: true, default: [] },
    'plain-fastify': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`[instructions] ${line}\n`);
for (const tool of ['valgrind', 'wrk']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is needed (Debian package ${tool})`);
}

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-instructions-'));
const ROOT_KEY = 'floor-root-key-0123456789abcdef';
const headerLua = args.auth ? `wrk.headers["X-API-Key"] = "${ROOT_KEY}"\n` : '';

/** wrk on core 1 for some seconds; the answers it counted (all must be 2xx). */
function drive(target, seconds) {
  const script = join(dir, 'load.lua');
  writeFileSync(script, target.lua);
  const run = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${args.connections}`, `-d${seconds}s`, '-s', script, target.url], { encoding: 'utf8' });
  const requests = Number((/(\d+) requests in/.exec(run.stdout) ?? [])[1]);
  if (!Number.isFinite(requests)) throw new Error(`wrk output not understood:\n${run.stdout}${run.stderr}`);
  if (/Non-2xx/.test(run.stdout)) throw new Error(`${target.name}: non-2xx answers:\n${run.stdout}`);
  return requests;
}

/** Runs `node ...argv` under callgrind on core 0 and waits (up to 3 minutes) until it answers. */
async function start(name, argv, env, url) {
  const out = join(dir, `${name.replace(/[^A-Za-z0-9]+/g, '_')}.callgrind`);
  const child = spawn('taskset', ['-c', '0', 'valgrind', '--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...argv], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${stderr}`);
    try {
      if ((await fetch(url, { headers: args.auth ? { 'X-API-Key': ROOT_KEY } : {} })).ok) break;
    } catch {}
    if (Date.now() - started > 180_000) throw new Error(`${name} did not answer within 3 minutes:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { child, out };
}

/** `callgrind_control` command to the process; resolves once the dump file it asked for exists. */
function control(pid, option) {
  const run = spawnSync('callgrind_control', [option, String(pid)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`callgrind_control ${option} failed:\n${run.stdout}${run.stderr}`);
}

/** Instructions per answer of one target: warm-up, zero, measured stretch, dump. */
async function count(target) {
  const { child, out } = await start(target.name, target.argv, target.env ?? {}, target.url);
  try {
    log(`${target.name}: started; warming up for ${args.warmup} s`);
    drive(target, Number(args.warmup));
    control(child.pid, '--zero');
    const requests = drive(target, Number(args.seconds));
    const before = new Set(readdirSync(dir));
    control(child.pid, '--dump');
    const dump = readdirSync(dir).find((f) => !before.has(f) && f.startsWith(basename(out)));
    const summary = Number((/^summary:\s+(\d+)/m.exec(readFileSync(join(dir, dump ?? basename(out)), 'utf8')) ?? [])[1]);
    if (!Number.isFinite(summary)) throw new Error(`${target.name}: no summary in the callgrind dump`);
    const perRequest = summary / requests;
    log(`${target.name}: ${requests} answers, ${(perRequest / 1000).toFixed(1)}k instructions each`);
    return perRequest;
  } finally {
    child.kill('SIGKILL');
  }
}

const targets = [];
const server = async (name, cli) => {
  const port = await freePort();
  return {
    name,
    argv: [cli, 'serve'],
    env: { ECGRID_DB: join(dir, `${targets.length}.db`), ECGRID_ROOT_API_KEY: ROOT_KEY, ECGRID_MASTER_KEY: 'b'.repeat(64), ECGRID_RATE_LIMIT: 'off', LOG_LEVEL: 'warn', PORT: String(port) },
    url: `http://127.0.0.1:${port}${args.path}`,
    lua: headerLua,
  };
};
targets.push(await server('ours', CLI));
for (const other of args.against) targets.push(await server(basename(resolve(other)), join(resolve(other), 'dist/ecgrid-identity.mjs')));
if (args['plain-fastify']) {
  const port = await freePort();
  targets.push({ name: 'plain Fastify', argv: [join(ROOT, 'bench/plain-fastify-server.mjs'), String(port)], url: `http://127.0.0.1:${port}/v2/auth/version`, lua: '' });
}
if (!args['no-baseline']) {
  const port = await freePort();
  targets.push({ name: 'baseline', argv: [join(ROOT, 'bench/baseline-server.mjs'), String(port)], url: `http://127.0.0.1:${port}/v2/users`, lua: scenarios.baseline.lua() });
}

try {
  const results = [];
  for (const target of targets) results.push([target.name, await count(target)]);
  const reference = results.find(([name]) => name === 'baseline')?.[1];
  for (const [name, perRequest] of results) {
    const ratio = reference ? `, baseline/this ${(reference / perRequest).toFixed(2)}` : '';
    process.stdout.write(`${name}: ${(perRequest / 1000).toFixed(1)}k instructions per answer${ratio}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
