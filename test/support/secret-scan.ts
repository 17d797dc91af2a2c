/**
 * The secrets check of a recorded run (test-run.ts): every secret recorded in
 * secrets/ is looked for in every file of logs/ and audit/.
 *
 * Which recorded values count as secrets: all but the trivial ones — shorter
 * than 8 characters, or made of lower-case words only (`not-a-key`,
 * `wrong password`): such values are what tests send as obviously wrong
 * credentials, and as words they turn up in any text.
 *
 * Each secret is looked for as sent and in the forms a log or a JSON dump
 * would give it (JSON-escaped once or twice, URL-encoded, as a logged Buffer's
 * bytes). The search is one pass per file
 * over a rolling hash of the last 8 characters of every form, so thousands of
 * secrets cost about as much as one.
 *
 * One disclosure is by design and not a leak: on an empty database without
 * ECGRID_ROOT_API_KEY, `serve` prints the generated Root key once to stderr
 * (the operator must learn it). Hits inside that announcement are counted
 * apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_SECRET_LENGTH = 8;
const WORDS_ONLY = /^[a-z]+(?:[ -][a-z]+)*$/;
const ROOT_KEY_ANNOUNCEMENT = /^No Root user existed, so user "root" was created\. Its API key is \S+ — store it now/;

export interface RecordedSecret {
  source: string;
  value: string;
}

export interface Leak {
  file: string;
  line: number;
  source: string;
  /** The first 4 characters and the length: enough to find it, never the secret itself. */
  secret: string;
}

export interface ScanReport {
  recordedValues: number;
  secrets: number;
  logFiles: number;
  logLines: number;
  auditFiles: number;
  auditEvents: number;
  /** Hits inside the one-time Root key announcement (see above). */
  announced: number;
  leaks: Leak[];
  /** Audit dumps that could not be read (audit-dump.ts). */
  dumpErrors: string[];
}

/** Whether a recorded value is worth looking for (the rule above). */
export function isSecretWorthScanning(value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH && !WORDS_ONLY.test(value);
}

/** What a secret looks like once printed: shown by its first 4 characters and its length only. */
export function describeSecret(value: string): string {
  return `${value.slice(0, 4)}… (${value.length} chars)`;
}

const BASE = 257;
let power = 1;
for (let i = 1; i < MIN_SECRET_LENGTH; i++) power = Math.imul(power, BASE);
const OUTGOING_WEIGHT = power;

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

interface Form {
  text: string;
  secret: RecordedSecret;
}

/** Finds many secrets in a text in one pass: candidates by the hash of their last 8 characters, then compared in full. */
export class SecretMatcher {
  private readonly byTail = new Map<number, Form[]>();

  constructor(secrets: Iterable<RecordedSecret>) {
    for (const secret of secrets) {
      const escaped = JSON.stringify(secret.value).slice(1, -1);
      // As is; in a JSON log line; in a JSON text stored in a JSON dump (audit `changes`); in a URL;
      // as the bytes of a Buffer logged as JSON (`{"type":"Buffer","data":[…]}`).
      const forms = new Set([secret.value, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(secret.value), Buffer.from(secret.value).join(',')]);
      for (const text of forms) {
        const tail = hashOf(text.slice(-MIN_SECRET_LENGTH));
        const list = this.byTail.get(tail);
        if (list) list.push({ text, secret });
        else this.byTail.set(tail, [{ text, secret }]);
      }
    }
  }

  /** Every occurrence: the index where it starts and the secret. */
  find(text: string): Array<{ index: number; secret: RecordedSecret }> {
    const hits: Array<{ index: number; secret: RecordedSecret }> = [];
    let hash = 0;
    for (let i = 0; i < text.length; i++) {
      if (i >= MIN_SECRET_LENGTH) hash = (hash - Math.imul(text.charCodeAt(i - MIN_SECRET_LENGTH), OUTGOING_WEIGHT)) | 0;
      hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
      if (i + 1 < MIN_SECRET_LENGTH) continue;
      const candidates = this.byTail.get(hash);
      if (!candidates) continue;
      for (const form of candidates) {
        const start = i + 1 - form.text.length;
        if (start >= 0 && text.startsWith(form.text, start)) hits.push({ index: start, secret: form.secret });
      }
    }
    return hits;
  }
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

function lineAt(text: string, index: number): { number: number; text: string } {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return { number: countLines(text.slice(0, start)) + 1, text: text.slice(start, end < 0 ? text.length : end) };
}

/** The recorded secrets of a run directory, distinct values, trivial ones left out. */
export function loadSecrets(runDir: string): { recordedValues: number; secrets: RecordedSecret[] } {
  const byValue = new Map<string, RecordedSecret>();
  for (const file of filesIn(join(runDir, 'secrets'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const secret = JSON.parse(line) as RecordedSecret;
      if (!byValue.has(secret.value)) byValue.set(secret.value, secret);
    }
  }
  return { recordedValues: byValue.size, secrets: [...byValue.values()].filter((s) => isSecretWorthScanning(s.value)) };
}

/** Scans a run directory: every log and audit dump for every recorded secret. */
export function scanRun(runDir: string): ScanReport {
  const { recordedValues, secrets } = loadSecrets(runDir);
  const matcher = new SecretMatcher(secrets);
  const report: ScanReport = { recordedValues, secrets: secrets.length, logFiles: 0, logLines: 0, auditFiles: 0, auditEvents: 0, announced: 0, leaks: [], dumpErrors: [] };
  const scan = (file: string, text: string) => {
    for (const hit of matcher.find(text)) {
      const line = lineAt(text, hit.index);
      if (ROOT_KEY_ANNOUNCEMENT.test(line.text)) report.announced++;
      else report.leaks.push({ file, line: line.number, source: hit.secret.source, secret: describeSecret(hit.secret.value) });
    }
  };
  for (const file of filesIn(join(runDir, 'logs'))) {
    const text = readFileSync(file, 'utf8');
    report.logFiles++;
    report.logLines += countLines(text);
    scan(file, text);
  }
  for (const file of filesIn(join(runDir, 'audit'))) {
    const text = readFileSync(file, 'utf8');
    report.auditFiles++;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as { dumpError?: string };
      if (row.dumpError) report.dumpErrors.push(row.dumpError);
      else report.auditEvents++;
    }
    scan(file, text);
  }
  return report;
}
