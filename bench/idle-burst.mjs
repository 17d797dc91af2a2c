#!/usr/bin/env node
/**
 * `node bench/idle-burst.mjs [--gaps 20,100,300,1000,3000] [--bursts 3] [--connections 50] [--users 10000] [--baseline]`
 *
 * What an idle gap costs the answers after it (issue 16: where PUT's p99 goes).
 * Starts the built server (SQLite, --users seeded users, pinned to core 0),
 * warms it with wrk for 3 s (core 1), opens --connections keep-alive
 * connections, and for each gap: waits that long with nothing to do, then
 * sends one GET /v2/users/{id} on every connection at once, --bursts times.
 * Prints the burst's latency and the CPU time the server's main thread spent
 * on it (/proc/<pid>/task/<pid>/schedstat: on-CPU and run-queue wait, in ns),
 * which does not depend on how long the client took to notice the answers.
 * --baseline also measures the bare node:http baseline (bench/baseline-server.mjs,
 * no framework, no database) the same way: whether the cost is the host's or ours.
 * Run `npm run build` first: this measures dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, benchServerEnv, freePort, scriptArgs, seedUsers, startProcess } from './lib.mjs';
import { scenarios } from './scenarios.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    gaps: { type: 'string', default: '20,100,300,1000,3000' },
    bursts: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    users: { type: 'string', default: '10000' },
    baseline: { type: 'boolean', default: false },
  },
});
const GAPS = args.gaps.split(',').map(Number);
const BURSTS = Number(args.bursts);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const KEY = 'idle-burst-root-key-0123456789abcdef';
const log = (line) => process.stderr.write(`[idle-burst] ${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'ecgrid-idle-burst-'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** On-CPU and run-queue-wait ns of the server's main thread so far. */
const schedstat = (pid) => readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);

function open(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.on('error', reject);
  });
}

/** One GET on a keep-alive connection; resolves with its latency in ms once the whole answer is in. */
function ask(socket, userId) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let answer = '';
    const onData = (chunk) => {
      answer += chunk;
      const head = answer.indexOf('\r\n\r\n');
      const length = Number((/content-length: (\d+)/i.exec(answer) ?? [])[1]);
      if (head >= 0 && Buffer.byteLength(answer) - head - 4 >= length) {
        socket.off('data', onData);
        if (!answer.startsWith('HTTP/1.1 200')) throw new Error(`unexpected answer: ${answer.slice(0, 200)}`);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    };
    socket.on('data', onData);
    socket.write(`GET /v2/users/${userId} HTTP/1.1\r\nHost: bench\r\nX-API-Key: ${KEY}\r\n\r\n`);
  });
}

const store = { ECGRID_DB: join(dir, 'idle-burst.db') };
seedUsers(store, USERS);
const serverPort = await freePort();
const server = await startProcess('server', process.execPath, [CLI, 'serve'], benchServerEnv(store, KEY, serverPort));
/** Warms the server at `port` (pid `pid`), then the bursts after each gap; prints one line per burst. */
async function bursts(name, pid, port) {
  const script = join(dir, 'warm.lua');
  writeFileSync(script, scenarios.get.lua({ key: KEY, users: USERS }));
  spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, '-d3s', '-s', script, `http://127.0.0.1:${port}`]);
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => open(port)));
  const burst = () => Promise.all(sockets.map((socket, i) => ask(socket, 1 + ((i * 197) % USERS))));
  await burst();
  for (const gap of GAPS) {
    for (let round = 1; round <= BURSTS; round++) {
      await sleep(gap);
      const before = schedstat(pid);
      const latencies = (await burst()).sort((a, b) => a - b);
      const after = schedstat(pid);
      process.stdout.write(
        `${name}: gap ${String(gap).padStart(5)} ms, burst ${round}: ${CONNECTIONS} GETs answered in ${latencies.at(-1).toFixed(1)} ms ` +
          `(median ${latencies[latencies.length >> 1].toFixed(1)}); main thread on-CPU ${((after[0] - before[0]) / 1e6).toFixed(1)} ms, ` +
          `waiting to run ${((after[1] - before[1]) / 1e6).toFixed(1)} ms\n`,
      );
    }
  }
  for (const socket of sockets) socket.destroy();
}

try {
  await bursts('server', server.pid, serverPort);
  if (args.baseline) {
    const baselinePort = await freePort();
    const baseline = await startProcess('baseline', process.execPath, [join(ROOT, 'bench/baseline-server.mjs'), String(baselinePort)], {});
    try {
      await bursts('baseline', baseline.pid, baselinePort);
    } finally {
      await baseline.stop();
    }
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
log('done');
