/**
 * What backup and restore need to know about an SQLite file before trusting
 * it or replacing it: is it a whole SQLite database (header, size,
 * `PRAGMA integrity_check`), is it ours and not newer than this build (the
 * migration history), and is anybody using it (SQLite's own file locks).
 * Failures are BackupFileError with a message fit for the operator.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATION_NAMES } from '../migrations/index.js';

/** A file refused, or a database found in use: nothing was written to the target. */
export class BackupFileError extends Error {
  override name = 'BackupFileError';
}

/** Kysely's migration history table: present in every ecgrid-identity database from the first start. */
const MIGRATION_TABLE = 'kysely_migration';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

export interface VerifiedDatabase {
  pages: number;
  pageSize: number;
  bytes: number;
  /** Applied migrations, oldest first. */
  migrations: string[];
  users: number;
}

/**
 * Reads the 100-byte header: the magic string, the page size and the page
 * count. A file shorter than its header's page count was cut off (a copy
 * interrupted, a disk full): SQLite would read the missing pages as absent
 * and might not notice, so it is refused here by its size alone.
 */
export function checkSqliteHeader(file: string, name = file): { pageSize: number; pages: number; bytes: number } {
  if (!existsSync(file)) throw new BackupFileError(`${name}: no such file`);
  const bytes = statSync(file).size;
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (read < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new BackupFileError(`${name} is not an SQLite database (${bytes} bytes, no SQLite header)`);
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  // The in-header page count is valid only when "version-valid-for" matches the change counter (file format §1.3.8).
  const headerPages = header.readUInt32BE(92) === header.readUInt32BE(24) ? header.readUInt32BE(28) : 0;
  const expected = headerPages * pageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new BackupFileError(`${name} is corrupt: its header gives an impossible page size (${pageSize})`);
  if (bytes < expected || bytes % pageSize !== 0) {
    throw new BackupFileError(
      `${name} is truncated: its header says ${headerPages} pages of ${pageSize} bytes (${expected} bytes), the file has ${bytes} bytes`,
    );
  }
  return { pageSize, pages: bytes / pageSize, bytes };
}

/**
 * Checks a database file in full: header and size, `PRAGMA integrity_check`
 * (every page, b-tree and index), and the migration history (an
 * ecgrid-identity database, made by this build or an older one — an older one
 * is migrated by `serve` on start). Opens the file read-write: callers pass
 * their own private copy, never the operator's backup or a live database;
 * `name` is the file the operator knows, for messages.
 */
export function verifyDatabaseFile(file: string, name = file): VerifiedDatabase {
  const { pageSize, pages, bytes } = checkSqliteHeader(file, name);
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true });
  } catch (error) {
    throw new BackupFileError(`${name} cannot be opened as an SQLite database: ${(error as Error).message}`, { cause: error });
  }
  try {
    let report: string[];
    try {
      report = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
    } catch (error) {
      throw new BackupFileError(`${name} is corrupt: ${(error as Error).message}`, { cause: error });
    }
    if (report.length !== 1 || report[0] !== 'ok') {
      // A report row may hold several lines; one problem a line, the "*** in database main ***" heading left out.
      const problems = report.flatMap((row) => row.split('\n')).filter((line) => line.trim() !== '' && !line.startsWith('***'));
      const shown = problems.slice(0, 3).join('; ');
      throw new BackupFileError(`${name} is corrupt: PRAGMA integrity_check found ${problems.length} problem(s): ${shown}${problems.length > 3 ? '; …' : ''}`);
    }
    const migrations = readMigrations(db, name);
    const users = (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    return { pages, pageSize, bytes, migrations, users };
  } finally {
    db.close();
  }
}

function readMigrations(db: BetterSqlite3.Database, file: string): string[] {
  const table = db.prepare("select 1 from sqlite_schema where type = 'table' and name = ?").get(MIGRATION_TABLE);
  if (!table) throw new BackupFileError(`${file} is an SQLite database but not an ecgrid-identity one (it has no ${MIGRATION_TABLE} table)`);
  const migrations = (db.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as Array<{ name: string }>).map((row) => row.name);
  const unknown = migrations.filter((name) => !MIGRATION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new BackupFileError(
      `${file} was written by a newer ecgrid-identity: migration(s) ${unknown.join(', ')} unknown to this build ` +
        `(its latest is ${MIGRATION_NAMES[MIGRATION_NAMES.length - 1]}); use that version or newer`,
    );
  }
  if (migrations.length === 0 || !db.prepare("select 1 from sqlite_schema where type = 'table' and name = 'users'").get()) {
    throw new BackupFileError(`${file} has an empty migration history: not an ecgrid-identity database`);
  }
  return migrations;
}

/**
 * Refuses a database that any process has open, then leaves it checkpointed
 * and closed, ready to be replaced.
 *
 * The mechanism is SQLite's own locking, so it is as real as the server's:
 * every connection to a WAL database (the server's writer, reader and
 * checkpointer) holds a SHARED lock on the database file for as long as it is
 * open, and the kernel drops it when the process dies — so a server killed
 * with SIGKILL is not "in use", a running one always is, and there is no
 * pid file to go stale. We ask for an EXCLUSIVE lock without waiting
 * (busy_timeout 0, locking_mode EXCLUSIVE, BEGIN EXCLUSIVE): SQLITE_BUSY means
 * someone has it open. Holding the lock we checkpoint the WAL into the file,
 * so that if the replacement is interrupted the old database is whole without
 * its -wal. A server started in the instant between this check and the
 * rename would open the old file; the README says to restore with the server
 * stopped, and this check catches every server that was already running.
 */
export function claimStoppedDatabase(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true });
  } catch (error) {
    throw new BackupFileError(`cannot open the database at ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BackupFileError(`the database at ${file} is in use (a process — a running server? — has it open): stop it first; nothing was changed`);
    }
    throw new BackupFileError(
      `the file at ${file} is not a readable SQLite database (${(error as Error).message}); move it aside first if it is to be replaced; nothing was changed`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}

/** A temporary name beside `target` (same file system, so a rename is atomic), hidden, unique to this process and call. */
export function temporaryBeside(target: string, purpose: string): string {
  return join(dirname(target), `.${basename(target)}.${purpose}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * One sealed value of each kind, for checking that a master key opens them:
 * the JWT signing secret (when the server generated it) and a primary API key.
 * Opens the file read-only.
 */
export function readSealedSamples(file: string, settingName: string): { setting: string | null; primaryKey: { userId: number; sealed: string } | null } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const setting = db.prepare('select value from settings where name = ?').get(settingName) as { value: string } | undefined;
    const key = db.prepare('select user_id, key_ciphertext from api_keys where key_ciphertext is not null order by key_id limit 1').get() as
      | { user_id: number; key_ciphertext: string }
      | undefined;
    return { setting: setting?.value ?? null, primaryKey: key ? { userId: key.user_id, sealed: key.key_ciphertext } : null };
  } finally {
    db.close();
  }
}

/** SQLite's companions of a database file: a stale one beside a replaced database would be replayed into it. */
export function removeCompanionFiles(file: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Flushes a file, or a directory's entries (after a rename), to disk. */
export function fsyncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}
