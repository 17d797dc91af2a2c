/**
 * The record of one `npm test` run. scripts/test.mjs sets ECGRID_TEST_RUN_DIR;
 * the suite then keeps there every test server's log and child process's
 * output (logs/), every audit event of every test database (audit/) and every
 * secret used (secrets/), for the final check test/secrets/no-secrets.test.ts.
 * Without the variable (one file run directly) nothing is recorded.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export const RUN_DIR = process.env.ECGRID_TEST_RUN_DIR || null;

export type RunArea = 'logs' | 'audit' | 'secrets';

/** Log level of the test servers while a run is recorded: the most verbose, so that a log statement at any level is checked. */
export const RECORDED_LOG_LEVEL = 'trace';

let counter = 0;

/** A new file name in an area of the run directory, unique across the run's processes; null when nothing is recorded. */
export function runFile(area: RunArea, name: string): string | null {
  if (!RUN_DIR) return null;
  const dir = join(RUN_DIR, area);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${process.pid}-${++counter}${area === 'logs' ? '.log' : '.jsonl'}`);
}

export interface RunLog {
  stream: WriteStream;
  /** Ends the file once everything written has reached it. */
  close(): Promise<void>;
}

/** A log file of the run (null when nothing is recorded). */
export function openRunLog(name: string): RunLog | null {
  const file = runFile('logs', name);
  if (!file) return null;
  const stream = createWriteStream(file, { flags: 'a' });
  let closed: Promise<void> | undefined;
  return {
    stream,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
      return closed;
    },
  };
}

/** Hands a child's output to `receive` and, during a recorded run, copies it to a log file of the run (for the caller to close once the output ends). */
export function captureOutput(output: NodeJS.ReadableStream, name: string, receive: (chunk: string) => void): RunLog | null {
  const log = openRunLog(name);
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    receive(chunk);
    log?.stream.write(chunk);
  });
  return log;
}
