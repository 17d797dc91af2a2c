/**
 * The evidence a failed run leaves behind, read the same way by `npm test`
 * and the stress script: the test servers' error-level log lines (with the
 * error and its stack) and PostgreSQL's own reports (errors with their DETAIL
 * and STATEMENT lines, deadlock reports, lock waits longer than
 * deadlock_timeout). Tests that provoke failures on purpose add lines too;
 * these are clues, not verdicts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Error-level lines (pino 50/60) of every log under RUN_DIR/logs, less what tests provoke on purpose. */
export function serverErrorLines(runDir) {
  const lines = [];
  const logs = join(runDir, 'logs');
  for (const file of existsSync(logs) ? readdirSync(logs, { withFileTypes: true }).filter((f) => f.isFile()) : []) {
    for (const line of readFileSync(join(logs, file.name), 'utf8').split('\n')) {
      // Left out: a database or SMS relay made unreachable, a failure injected by a trigger.
      if (/^\{.*"level":(50|60)[,}]/.test(line) && !/"type":"(StoreUnavailable|SmsRelayUnavailable)"|injected failure/.test(line)) lines.push(line);
    }
  }
  return lines;
}

const SEVERITY = /^\S+ \S+ \S+ \[\d+\] [^:]*: (LOG|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|WARNING):  /;
/** What tests provoke on purpose: unique violations, killed connections, injected failures, and the lock-order test's control deadlocks (its connections are named `provoked-deadlock`). */
const PROVOKED = /duplicate key|terminating connection|injected failure|\] provoked-deadlock: /;

/**
 * PostgreSQL's reports of one log (lines of postgres.log): each ERROR/FATAL/PANIC
 * entry and each lock-wait or deadlock LOG entry, with the DETAIL/CONTEXT/STATEMENT
 * lines that follow it. Unique violations and killed connections (provoked by tests) left out.
 * @returns {{ entries: string[][], deadlocks: number, lockWaits: number }}
 */
export function postgresReports(logLines) {
  const entries = [];
  let current = null;
  let deadlocks = 0;
  let lockWaits = 0;
  for (const line of logLines) {
    const severity = SEVERITY.exec(line)?.[1];
    if (severity === 'DETAIL' || severity === 'HINT' || severity === 'CONTEXT' || severity === 'STATEMENT') {
      current?.push(line);
      continue;
    }
    if (severity === undefined) {
      // A continuation of a multi-line message (deadlock reports span lines).
      if (current && line.startsWith('\t')) current.push(line);
      continue;
    }
    current = null;
    const lockWait = severity === 'LOG' && /still waiting for|acquired \S+ on .* after/.test(line);
    if (PROVOKED.test(line)) continue;
    if (/deadlock detected/.test(line)) deadlocks++;
    if (/still waiting for/.test(line)) lockWaits++;
    if ((severity !== 'LOG' && severity !== 'WARNING') || lockWait) {
      current = [line];
      entries.push(current);
    }
  }
  return { entries, deadlocks, lockWaits };
}

/** Prints the last `last` items of a list under a heading (nothing when empty). */
export function printTail(write, items, what, last = 15) {
  if (items.length === 0) return;
  write(`${what}: ${items.length}; the last ${Math.min(last, items.length)}:\n`);
  for (const item of items.slice(-last)) {
    for (const line of [item].flat()) write(`  ${line.slice(0, 2000)}\n`);
  }
}
