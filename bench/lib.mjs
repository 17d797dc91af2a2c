/**
 * Bench plumbing: seed and serve the bench's databases (one master key, one
 * server environment), start processes pinned to a core, drive load with wrk (or
 * autocannon when wrk is missing), read RSS, summarise rounds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/postgres-cluster.mjs';
import { scenarios } from './scenarios.mjs';

/**
 * A bench script's options (node:util parseArgs). `--help` prints the script's
 * opening comment, which is its usage, and an unknown option says so in one
 * line with that hint instead of a stack trace.
 */
export function scriptArgs(scriptUrl, config) {
  const script = fileURLToPath(scriptUrl);
  if (process.argv.slice(2).includes('--help')) {
    const opening = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(script, 'utf8'))?.[1] ?? '';
    process.stdout.write(`${opening.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n').trim()}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    if (!String(error?.code).startsWith('ERR_PARSE_ARGS')) throw error;
    process.stderr.write(`${error.message}\n(node bench/${basename(script)} --help for its options)\n`);
    process.exit(2);
  }
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The build under test: this checkout's, or another built checkout's (BENCH_BUILD=DIR). */
export const CLI = join(process.env.BENCH_BUILD ?? ROOT, 'dist/ecgrid-identity.mjs');
export const HAS_WRK = process.env.BENCH_LOADGEN !== 'autocannon' && spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim() !== '';
export const HAS_TASKSET = spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).stdout.trim() !== '';
export const CORES = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || '1');

/** The master key every bench database is made and served with. */
export const MASTER_KEY = 'b'.repeat(64);

/** The networks every bench database is seeded with (list scenarios pick among them). */
export const SEEDED_NETWORKS = 10;

/**
 * Seeds `users` users over SEEDED_NETWORKS networks into the store `storeEnv` names (ECGRID_DB or DATABASE_URL) with the build
 * `cli`; returns what the seed printed (on stderr). Throws when seeding fails.
 */
export function seedUsers(storeEnv, users, cli = CLI) {
  const run = spawnSync(process.execPath, [cli, 'seed', '--users', String(users), '--networks', String(SEEDED_NETWORKS)], {
    env: { ...process.env, ECGRID_MASTER_KEY: MASTER_KEY, ...storeEnv }, encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`seed failed:\n${run.stderr}`);
  return run.stderr;
}

/** How the bench serves a store: Root with `rootKey`, rate limits off, log level warn, on `port`. */
export const benchServerEnv = (storeEnv, rootKey, port) => ({
  ...storeEnv,
  ECGRID_ROOT_API_KEY: rootKey,
  ECGRID_MASTER_KEY: MASTER_KEY,
  ECGRID_RATE_LIMIT: 'off',
  LOG_LEVEL: 'warn',
  PORT: String(port),
});

/** The server under test on core 0, the load generator on core 1 (when there are two). */
function pinned(core, command, args) {
  return HAS_TASKSET && CORES > 1 ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

export { freePort };

export async function startProcess(name, command, args, env, readyPattern = /listening on/, core = 0) {
  const [cmd, argv] = pinned(core, command, args);
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const started = Date.now();
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (readyPattern.test(output)) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null || Date.now() - started > 60_000) {
        clearInterval(timer);
        reject(new Error(`${name} did not start:\n${output}`));
      }
    }, 10);
  });
  return {
    name,
    child,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000);
        child.on('exit', () => { clearTimeout(t); resolve(); });
      });
    },
  };
}

/** Resident and peak resident set of a process, in MB (Linux /proc). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number((new RegExp(`${field}:\\s+(\\d+)`).exec(status) ?? [])[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: 0, peakMb: 0 };
  }
}

function parseWrk(text) {
  const unit = (value, suffix) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[suffix] ?? 1);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
    return m ? unit(m[1], m[2]) : NaN;
  };
  const rps = Number((/Requests\/sec:\s+([\d.]+)/.exec(text) ?? [])[1]);
  const non2xx = Number((/Non-2xx or 3xx responses:\s+(\d+)/.exec(text) ?? [])[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(text)?.[1] ?? '';
  return { rps, p50: pct(50), p99: pct(99), non2xx, errors };
}

/**
 * Drives load for `seconds` with `connections` connections: wrk with the
 * scenario's Lua script, or autocannon with its request generator when wrk is
 * not installed (Debian package `wrk`; wrk is the lighter load generator, so
 * figures from the two are not comparable). Returns req/s, p50, p99 (ms).
 */
export async function drive({ url, scenario, params = {}, connections, seconds, dir, name }) {
  const command = HAS_WRK
    ? (() => {
        const script = join(dir, `${name.replace(/[^A-Za-z0-9-]+/g, '_')}.lua`);
        writeFileSync(script, scenarios[scenario].lua(params));
        return pinned(1, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url]);
      })()
    : pinned(1, process.execPath, [join(ROOT, 'bench/autocannon-driver.mjs'), JSON.stringify({ url, scenario, params, connections, seconds })]);
  const run = () =>
    new Promise((resolve, reject) => {
      const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ out, status: signal ?? code }));
    });
  const parse = (text) => (HAS_WRK ? parseWrk(text) : JSON.parse(text.trim().split('\n').pop() || '{}'));
  for (let attempt = 1; ; attempt++) {
    const { out, status } = await run();
    const result = parse(out);
    if (Number.isFinite(result.rps)) return result;
    if (attempt === 2) throw new Error(`load generator output not understood (ended with ${status}):\n${out}`);
    // A load generator that died without a word (seen once in a full run, wrk with empty output) costs that
    // one stretch, not the whole run: said, and tried once more.
    process.stderr.write(`[bench] ${name}: load generator ended with ${status} and no figures; running it again\n`);
  }
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function waitForHttp(url, headers = {}, timeoutMs = 30_000) {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(url, { headers });
      if (response.status === 200) return Date.now() - started;
    } catch {}
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(columns.map((c) => r[c])))].join('\n');
}
