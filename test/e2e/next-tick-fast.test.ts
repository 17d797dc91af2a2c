/**
 * The server keeps `process.nextTick` on V8's fast path (src/http/keep-next-tick-fast.ts):
 * after a full garbage collection at a moment with no tick queued, the inline caches of
 * nextTick's tick-object literal are still monomorphic. Read with V8's own `%DebugPrint`
 * (`--allow-natives-syntax`) in the built server, after requests, a forced collection and
 * more ticks. The control runs the same sequence in a bare Node process, where nothing holds
 * a tick object: the cache turns megamorphic there (Node 20, 22 and 24 alike), so the check can fail.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { heldTickObject, keepNextTickFast } from '../../src/http/keep-next-tick-fast.js';
import { CLI, freePort } from '../support/child-server.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { recordProcessSecrets } from '../support/secret-record.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-next-tick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** On SIGUSR2 (main thread): a full collection with no tick queued, three ticks, then nextTick's feedback and a marker on stdout. */
const probe = join(dir, 'probe.cjs');
writeFileSync(
  probe,
  `if (require('node:worker_threads').isMainThread) {
  process.on('SIGUSR2', () => setTimeout(() => {
    gc();
    setTimeout(() => {
      for (let i = 0; i < 3; i++) process.nextTick(() => {});
      setTimeout(() => { %DebugPrint(process.nextTick); require('node:fs').writeSync(1, 'probe done\\n'); }, 10);
    }, 10);
  }, 10));
}
`,
);
const NODE_FLAGS = ['--allow-natives-syntax', '--expose-gc', '--require', probe];

/** The states of the tick literal's property-definition caches in a %DebugPrint of nextTick. */
function literalCaches(debugPrint: string): string[] {
  return [...debugPrint.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
}

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

/**
 * `node <NODE_FLAGS> ...args` with its standard output into a file: V8 prints through C's
 * buffered stdout, which loses what it cannot write at once into a pipe its reader drains late.
 */
function runProbed(args: string[], env: Record<string, string>) {
  const outFile = join(dir, `stdout-${args.length}-${Date.now()}.txt`);
  const fd = openSync(outFile, 'w');
  recordProcessSecrets(env, args);
  const child = spawn(process.execPath, [...NODE_FLAGS, ...args], { env, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, exited, stderr: () => stderr, stdout: () => readFileSync(outFile, 'utf8') };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('nextTick stays fast', () => {
  it('holds one tick object, taken once', () => {
    keepNextTickFast();
    const held = heldTickObject();
    expect(held).not.toBeNull();
    expect(Object.getOwnPropertySymbols(held!).map((symbol) => symbol.description)).toEqual(expect.arrayContaining(['async_id_symbol', 'trigger_async_id_symbol']));
    keepNextTickFast();
    expect(heldTickObject()).toBe(held);
  });

  it('in the server, the tick literal caches stay monomorphic across a full collection', async () => {
    database = await freshDatabase();
    const port = await freePort();
    const server = runProbed([CLI, 'serve', '--port', String(port)], {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...database.env,
      ECGRID_MASTER_KEY: randomBytes(32).toString('hex'),
      ECGRID_RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
    });
    try {
      await until(() => server.stderr().includes('listening on'), `the server to listen:\n${server.stderr()}`);
      const url = `http://127.0.0.1:${port}/v2/auth/version`;
      for (let i = 0; i < 50; i++) expect((await fetch(url)).status).toBe(200);
      server.child.kill('SIGUSR2');
      await until(() => server.stdout().includes('probe done'), 'the probe');
      expect((await fetch(url)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    const caches = literalCaches(server.stdout());
    expect(caches.length, server.stdout().slice(-4000)).toBeGreaterThanOrEqual(4);
    expect(caches.every((state) => state === 'MONOMORPHIC'), caches.join(' ')).toBe(true);
  });

  it('control: in a bare Node process (nothing held) the same sequence loses the cache', async () => {
    const script = join(dir, 'bare.cjs');
    writeFileSync(script, `for (let i = 0; i < 100; i++) process.nextTick(() => {});\nsetTimeout(() => process.kill(process.pid, 'SIGUSR2'), 20);\nsetTimeout(() => {}, 500);\n`);
    const run = runProbed([script], { PATH: process.env.PATH ?? '' });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('probe done');
    const caches = literalCaches(run.stdout());
    expect(caches.length).toBeGreaterThanOrEqual(4);
    expect(caches, `V8 ${process.versions.v8}`).toContain('MEGAMORPHIC');
  });
});
