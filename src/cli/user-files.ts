/**
 * Files of users for import and export: CSV with a header row (csv-parse,
 * csv-stringify) or JSON Lines, chosen by extension. Reading gives each row
 * with the line it starts on and its fields as text (CSV) or JSON values,
 * an empty CSV cell being an absent field; what is wrong with a row itself
 * (wrong number of fields, text that is not UTF-8, not JSON, an unknown
 * field) is that row's problem; what makes the whole file unreadable (empty,
 * UTF-16, no or a bad header, an unclosed quote) is a UserFileError.
 * Nothing read from a file is ever echoed in a message (a password could be in it).
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ApiError } from '../contract/errors.js';
import { USER_FILE_FIELDS, type UserFileField } from '../contract/users.js';
import { parseJsonBody } from '../http/wire.js';

export type UserFileFormat = 'csv' | 'jsonl';

export class UserFileError extends Error {
  override name = 'UserFileError';
}

/** A row of the file: where it starts, and its fields (raw) or what makes it unreadable. */
export type FileRow = { line: number; raw: Record<string, unknown>; problem?: undefined } | { line: number; problem: string };

/** The fields written by export: all but the password. */
export const EXPORT_FIELDS = USER_FILE_FIELDS.filter((field) => field !== 'password');
export type ExportRecord = Record<Exclude<UserFileField, 'password'>, string | number | null>;

const NOT_UTF8 = 'is not UTF-8 text (save the file as UTF-8)';
/** Field names as a file may spell them (any case; `loginName` is POST /v2/users's alias of `login`). */
const KNOWN = new Map<string, string>([...USER_FILE_FIELDS.map((f) => [f.toLowerCase(), f] as const), ['loginname', 'loginName']]);

/** csv or jsonl by the file's extension (.csv; .jsonl, .ndjson), or null. */
export function formatOf(path: string): UserFileFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  return null;
}

/** Offsets of every line start, for turning byte offsets into line numbers. */
function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) starts.push(at + 1);
  return starts;
}

/** The 1-based line holding byte `offset`. */
function lineAt(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** Lines whose bytes are not valid UTF-8 (none, quickly, for a valid file). */
function linesNotUtf8(bytes: Buffer, starts: number[]): Set<number> {
  const bad = new Set<number>();
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    strict.decode(bytes);
    return bad;
  } catch {
    for (let i = 0; i < starts.length; i++) {
      try {
        strict.decode(bytes.subarray(starts[i], starts[i + 1] ?? bytes.length));
      } catch {
        bad.add(i + 1);
      }
    }
    return bad;
  }
}

/** The file's bytes without a UTF-8 byte order mark; UTF-16 and empty files are refused. */
function contentOf(bytes: Buffer, name: string): Buffer {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new UserFileError(`${name}: is UTF-16 text; save it as UTF-8`);
  }
  const content = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (content.toString('utf8').trim() === '') throw new UserFileError(`${name}: the file is empty${name.endsWith('.csv') ? ' (a CSV file needs a header row)' : ''}`);
  return content;
}

/** The first field holding a character that bad bytes became (U+FFFD), for naming it. */
function fieldWithBadText(raw: Record<string, unknown>): string | undefined {
  return Object.keys(raw).find((key) => typeof raw[key] === 'string' && (raw[key] as string).includes('\uFFFD'));
}

export function readUserFile(bytes: Buffer, name: string, format: UserFileFormat): FileRow[] {
  const content = contentOf(bytes, name);
  return format === 'csv' ? readCsv(content) : readJsonLines(content);
}

function readCsv(bytes: Buffer): FileRow[] {
  const starts = lineStarts(bytes);
  const badLines = linesNotUtf8(bytes, starts);
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(bytes, { info: true, relax_column_count: true, skip_empty_lines: true }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    const reason = String((error as { code?: string }).code ?? 'CSV_INVALID').replace(/^CSV_/, '').toLowerCase().replace(/_/g, ' ');
    throw new UserFileError(`line ${line ?? '?'}: not readable as CSV (${reason}); nothing after it could be read`);
  }
  let end = 0;
  const located = records.map(({ record, info }) => {
    let start = end;
    while (bytes[start] === 10 || bytes[start] === 13) start++;
    end = info.bytes;
    return { record, first: lineAt(starts, start), last: lineAt(starts, Math.max(start, end - 1)) };
  });
  const [header, ...body] = located;
  if (!header) throw new UserFileError('line 1: no header row');
  const columns = header.record.map((title) => title.trim());
  const seen = new Set<string>();
  for (const title of columns) {
    const field = KNOWN.get(title.toLowerCase());
    if (!field) throw new UserFileError(`line ${header.first}: unknown column "${title}"; the columns are ${USER_FILE_FIELDS.join(', ')}`);
    const canonical = field === 'loginName' ? 'login' : field;
    if (seen.has(canonical)) throw new UserFileError(`line ${header.first}: column ${canonical} given more than once`);
    seen.add(canonical);
  }
  for (const required of ['login', 'email']) {
    if (!seen.has(required)) throw new UserFileError(`line ${header.first}: no ${required} column (the header must name it)`);
  }
  return body.map(({ record, first, last }): FileRow => {
    if (record.length !== columns.length) return { line: first, problem: `has ${record.length} fields where the header has ${columns.length}` };
    const raw: Record<string, unknown> = {};
    record.forEach((value, i) => {
      if (value.trim() !== '' || columns[i]!.toLowerCase() === 'password' && value !== '') raw[columns[i]!] = value;
    });
    for (let line = first; line <= last; line++) {
      if (badLines.has(line)) return { line: first, problem: `${fieldWithBadText(raw) ?? 'line'}: ${NOT_UTF8}` };
    }
    return { line: first, raw };
  });
}

function readJsonLines(bytes: Buffer): FileRow[] {
  const starts = lineStarts(bytes);
  const badLines = linesNotUtf8(bytes, starts);
  const rows: FileRow[] = [];
  starts.forEach((start, i) => {
    const line = i + 1;
    const text = bytes.subarray(start, starts[i + 1] ?? bytes.length).toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = parseJsonBody(text);
    } catch (error) {
      // parseJsonBody's malformed-JSON message quotes the text: not here (it could hold a password).
      const duplicate = error instanceof ApiError && !error.message.startsWith('body:');
      rows.push({ line, problem: duplicate ? error.message : 'is not valid JSON' });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rows.push({ line, problem: 'must be a JSON object' });
      return;
    }
    const raw = value as Record<string, unknown>;
    const unknown = Object.keys(raw).find((key) => !KNOWN.has(key.toLowerCase()));
    if (unknown !== undefined) rows.push({ line, problem: `${unknown.slice(0, 64)}: is not a field of a user (fields: ${USER_FILE_FIELDS.join(', ')})` });
    else if (badLines.has(line)) rows.push({ line, problem: `${fieldWithBadText(raw) ?? 'line'}: ${NOT_UTF8}` });
    else rows.push({ line, raw });
  });
  return rows;
}

/**
 * Writes an export: to a temporary file beside `path`, renamed over it once complete
 * (a failed export leaves no half-written file).
 */
export class UserFileWriter {
  readonly #temporary: string;
  readonly #fd: number;
  #first = true;

  constructor(
    private readonly path: string,
    private readonly format: UserFileFormat,
  ) {
    this.#temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.#fd = openSync(this.#temporary, 'w', 0o600);
  }

  write(records: ExportRecord[]): void {
    let text: string;
    if (this.format === 'csv') {
      text = stringify(records, { header: this.#first, columns: [...EXPORT_FIELDS], cast: { number: (n) => String(n) } });
    } else {
      text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    }
    this.#first = false;
    writeSync(this.#fd, text);
  }

  /** Completes the file (a CSV of no users still gets its header). */
  finish(): void {
    if (this.#first && this.format === 'csv') this.write([]);
    closeSync(this.#fd);
    renameSync(this.#temporary, this.path);
  }

  abandon(): void {
    try {
      closeSync(this.#fd);
    } catch {}
    rmSync(this.#temporary, { force: true });
  }
}
