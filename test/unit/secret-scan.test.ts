/**
 * The secrets check itself (test/support/secret-scan.ts) on run directories
 * made up here: it finds a planted secret in a log or an audit dump, in the
 * forms a log would give it, says where without printing it, and counts its
 * material; its one-pass matcher finds exactly what a plain search finds.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSecretWorthScanning, scanRun, SecretMatcher } from '../support/secret-scan.js';

const KEY = '3f2a9c1e-7b4d-4e8a-9c2f-1d5e6a7b8c9d';
const PASSWORD = 'Pa"ss\\w0rd/é';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A run directory with the given files (area/name → content). */
function makeRun(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'ecgrid-scan-test-'));
  for (const area of ['logs', 'audit', 'secrets']) mkdirSync(join(dir, area));
  const secrets = [
    { source: 'X-API-Key /v2/users/me', value: KEY },
    { source: 'request /v2/auth/login password', value: PASSWORD },
    { source: 'answer /v2/auth/login token', value: TOKEN },
    { source: 'X-API-Key /v2/users/me', value: 'not-a-key' },
    { source: 'request /v2/auth/login password', value: 'short' },
  ];
  writeFileSync(join(dir, 'secrets', 'a.jsonl'), secrets.map((s) => `${JSON.stringify(s)}\n`).join(''));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}

const logLine = (fields: object) => `${JSON.stringify({ level: 30, time: 1, msg: 'request completed', ...fields })}\n`;
const auditRow = (changes: object) => `${JSON.stringify({ event_id: 1, action: 'user.update', changes: JSON.stringify(changes), request_id: 'r1' })}\n`;

describe('scanRun', () => {
  it('passes a clean run and counts its material; trivial values are not looked for', () => {
    const report = scanRun(
      makeRun({
        'logs/server-1.log': logLine({ req: { url: '/v2/users/me' } }) + logLine({ msg: 'not-a-key short' }),
        'audit/sqlite-t1.jsonl': auditRow({ email: { old: 'a@example.com', new: 'b@example.com' } }) + auditRow({}),
      }),
    );
    expect(report).toMatchObject({ recordedValues: 5, secrets: 3, logFiles: 1, logLines: 2, auditFiles: 1, auditEvents: 2, announced: 0, leaks: [], dumpErrors: [] });
  });

  it('reports a key in a log line, with file, line and source, never the secret', () => {
    const report = scanRun(makeRun({ 'logs/server-1.log': logLine({}) + logLine({ req: { url: `/v2/users/me?key=${KEY}` } }) }));
    expect(report.leaks).toEqual([{ file: join(dir, 'logs', 'server-1.log'), line: 2, source: 'X-API-Key /v2/users/me', secret: '3f2a… (36 chars)' }]);
    expect(JSON.stringify(report)).not.toContain(KEY);
  });

  it('finds a secret JSON-escaped in a log, twice escaped in an audit change, URL-encoded, and as logged bytes', () => {
    const report = scanRun(
      makeRun({
        'logs/server-1.log': logLine({ err: { message: `bad password ${PASSWORD}` } }),
        'logs/process-node.stderr-2.log': `GET /v2/auth/session?t=${encodeURIComponent(PASSWORD)}\n`,
        'logs/server-3.log': logLine({ err: { rawPacket: Buffer.from(`X-API-Key: ${KEY}\r\n`) } }),
        'audit/postgres-t2.jsonl': auditRow({ password: { old: null, new: PASSWORD } }) + auditRow({ token: { old: null, new: TOKEN } }),
      }),
    );
    expect(report.leaks.map((leak) => [leak.file.slice(dir.length + 1), leak.line, leak.secret])).toEqual([
      ['logs/process-node.stderr-2.log', 1, 'Pa"s… (12 chars)'],
      ['logs/server-1.log', 1, 'Pa"s… (12 chars)'],
      ['logs/server-3.log', 1, '3f2a… (36 chars)'],
      ['audit/postgres-t2.jsonl', 1, 'Pa"s… (12 chars)'],
      ['audit/postgres-t2.jsonl', 2, 'eyJh… (49 chars)'],
    ]);
  });

  it('counts the one-time Root key announcement apart; the same key anywhere else is a leak', () => {
    const report = scanRun(
      makeRun({
        'logs/child-server.stderr-1.log': `No Root user existed, so user "root" was created. Its API key is ${KEY} — store it now: it is printed only this once.\necgrid-identity listening on http://127.0.0.1:1\n`,
        'logs/child-server.stdout-2.log': logLine({ msg: `key ${KEY}` }),
      }),
    );
    expect(report.announced).toBe(1);
    expect(report.leaks.map((leak) => leak.file)).toEqual([join(dir, 'logs', 'child-server.stdout-2.log')]);
  });

  it('reports audit dumps that could not be read', () => {
    const report = scanRun(makeRun({ 'audit/postgres-t3.jsonl': `${JSON.stringify({ dumpError: 'postgres-t3: connection refused' })}\n` }));
    expect(report.dumpErrors).toEqual(['postgres-t3: connection refused']);
    expect(report.auditEvents).toBe(0);
  });
});

describe('isSecretWorthScanning', () => {
  it('leaves out values under 8 characters and plain lower-case words', () => {
    expect(['short', 'not-a-key', 'wrong password', 'abcdefgh'].map(isSecretWorthScanning)).toEqual([false, false, false, false]);
    expect(['Test-Passw0rd!', KEY, TOKEN, 'abcdefg1', '12345678'].map(isSecretWorthScanning)).toEqual([true, true, true, true, true]);
  });
});

describe('SecretMatcher', () => {
  it('finds exactly the occurrences a plain search finds (2000 random texts)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '-', '"', 'é', '\n');
    const secretsAndText = fc.uniqueArray(fc.string({ unit: alphabet, minLength: 8, maxLength: 14 }), { minLength: 1, maxLength: 6 }).chain((secrets) =>
      fc.tuple(fc.constant(secrets), fc.array(fc.oneof(fc.constantFrom(...secrets), fc.string({ unit: alphabet, maxLength: 6 })), { maxLength: 30 })),
    );
    let hits = 0;
    fc.assert(
      fc.property(secretsAndText, ([secrets, pieces]) => {
        const text = pieces.join('');
        const expected: string[] = [];
        for (const value of secrets) for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) expected.push(`${i}:${value}`);
        const found = new SecretMatcher(secrets.map((value) => ({ source: 'test', value }))).find(text).map((hit) => `${hit.index}:${hit.secret.value}`);
        hits += expected.length;
        // Each form (as is, escaped, encoded) of a value matches on its own; the alphabet has no `\` or `%`, so here only the raw one can.
        expect(found.sort()).toEqual(expected.sort());
      }),
      { numRuns: 2000 },
    );
    expect(hits).toBeGreaterThan(1000);
  });
});
