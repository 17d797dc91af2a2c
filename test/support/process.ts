/** Child processes for tests that run programs against an in-process server (never spawnSync: it would block the server). */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { recordProcessSecrets } from './secret-record.js';
import { captureOutput } from './test-run.js';

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runProcess(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<ProcessResult> {
  const env = options.env ?? process.env;
  recordProcessSecrets(env, args, options.input);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    // Standard output is the program's answer (it may rightly print a key it was asked for); standard error is its log.
    const log = captureOutput(child.stderr, `process-${basename(command)}.stderr`, (chunk) => (stderr += chunk));
    child.on('close', () => void log?.close());
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
