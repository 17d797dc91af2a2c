/**
 * The last project of `npm test` (vitest.config.ts: defined only when
 * scripts/test.mjs records the run, and run after every other project): no
 * password, API key or token used anywhere in the suite appears in any log
 * line of any test server or child process, nor in any audit event of any
 * test database (test/support/secret-scan.ts says what is looked for).
 */
import { describe, expect, it } from 'vitest';
import { scanRun } from '../support/secret-scan.js';
import { RUN_DIR } from '../support/test-run.js';

/** Far below what the whole suite produces: fewer means the recording broke and the check would prove nothing. */
const AT_LEAST = { secrets: 1000, logLines: 10_000, auditEvents: 2000 };

describe('secrets', () => {
  it('no secret used by the suite appears in its logs or audit events', () => {
    if (!RUN_DIR) throw new Error('ECGRID_TEST_RUN_DIR is not set: this check runs as part of `npm test`');
    const report = scanRun(RUN_DIR);
    console.log(
      `secrets: ${report.secrets} distinct secrets (of ${report.recordedValues} recorded values), ` +
        `${report.logLines} log lines in ${report.logFiles} files, ${report.auditEvents} audit events in ${report.auditFiles} databases scanned, ` +
        `${report.leaks.length} leaks (${report.announced} in the one-time Root key announcement)`,
    );
    expect(report.dumpErrors, 'audit dumps that could not be read').toEqual([]);
    const leaks = report.leaks.map((leak) => `${leak.file}:${leak.line}: ${leak.secret} from ${leak.source}`);
    expect(leaks.length, `leaks (the first 50):\n${leaks.slice(0, 50).join('\n')}`).toBe(0);
    // End to end, the one sure hit: serve.test.ts reads the generated Root key from that announcement and calls with it.
    expect(report.announced, 'hits in the one-time Root key announcement: recording, capture and search work together').toBeGreaterThanOrEqual(1);
    expect(report.secrets, 'secrets recorded (run the whole suite)').toBeGreaterThanOrEqual(AT_LEAST.secrets);
    expect(report.logLines, 'log lines recorded (run the whole suite)').toBeGreaterThanOrEqual(AT_LEAST.logLines);
    expect(report.auditEvents, 'audit events recorded (run the whole suite)').toBeGreaterThanOrEqual(AT_LEAST.auditEvents);
  });
});
