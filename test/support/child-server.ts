/**
 * The built server (dist/ecgrid-identity.mjs, the bundle `npm start` runs) as a child process on a free port:
 * for start-up behaviour, several instances, crashes and signals.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { recordProcessSecrets } from './secret-record.js';
import { captureOutput, RECORDED_LOG_LEVEL, RUN_DIR } from './test-run.js';

export const CLI = fileURLToPath(new URL('../../dist/ecgrid-identity.mjs', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ChildServer {
  process: ChildProcessWithoutNullStreams;
  url: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `serve` with the given environment and flags; resolves once it
 * listens, rejects with its output if it exits first.
 */
export async function startChildServer(env: Record<string, string>, flags: string[] = [], timeoutMs = 20_000): Promise<ChildServer> {
  const port = await freePort();
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: RUN_DIR ? RECORDED_LOG_LEVEL : 'warn', ECGRID_RATE_LIMIT: 'off', ...env };
  const args = [CLI, 'serve', '--port', String(port), ...flags];
  recordProcessSecrets(childEnv, args);
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  const logs = [captureOutput(child.stderr, 'child-server.stderr', (c) => (stderr += c)), captureOutput(child.stdout, 'child-server.stdout', (c) => (stdout += c))];
  child.on('close', () => logs.forEach((log) => void log?.close()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    const check = setInterval(() => {
      if (stderr.includes('listening on')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}\n${stdout}`));
    });
  });
  return {
    process: child,
    url,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
