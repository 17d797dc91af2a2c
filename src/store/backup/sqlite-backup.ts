/**
 * An online, consistent copy of a live SQLite database, while the server
 * keeps serving — SQLite's backup API through better-sqlite3's `backup()`.
 *
 * Consistency under a write load: the backup API restarts from page 1
 * whenever another connection writes to the source between two steps, so a
 * stepwise copy of a busy database may never finish (measured: a 200k-page
 * database under a steady writer restarted 1,086 times and finished only when
 * the writer stopped). So the copy runs inside one read transaction opened
 * first on the source connection: every step reads that same WAL snapshot, no
 * write of another connection touches it, and the copy is the database as of
 * that instant (same database: 0 restarts, 3.8 s). In WAL mode a reader never
 * blocks the server's writer; the WAL just cannot be checkpointed past the
 * snapshot until the copy ends. Every write the server acknowledged before the
 * snapshot is in the copy: it acknowledges only after COMMIT.
 *
 * The copy is written to a private temporary file (mode 0600: it holds hashes
 * and sealed keys) beside the target, switched to rollback-journal mode so it
 * is one self-contained file, verified like a restore verifies it
 * (sqlite-file.ts), flushed, and only then linked into place — so the target
 * is complete or absent, and an existing file is never overwritten. Its
 * SHA-256 goes beside it (checksum-file.ts).
 */
import { existsSync, linkSync, mkdirSync, realpathSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { checksumFileOf, sha256OfFile, writeChecksumFile } from './checksum-file.js';
import { BackupFileError, fsyncPath, removeCompanionFiles, temporaryBeside, verifyDatabaseFile, type VerifiedDatabase } from './sqlite-file.js';

export interface BackupOptions {
  /** Called after each step with pages copied so far and the total (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Pages per step (default 1024: a few MiB, so progress moves smoothly without costing time). */
  pagesPerStep?: number;
  /** Aborting stops the copy at the next step (or before the file is put in place) and leaves nothing behind. */
  signal?: AbortSignal;
}

export interface BackupResult {
  source: string;
  target: string;
  /** When the snapshot was taken: the copy holds every commit before this instant and none after. */
  snapshotAt: Date;
  durationMs: number;
  /** Of durationMs: copying the pages, and checking the copy (integrity_check reads every page and index). */
  copyMs: number;
  verifyMs: number;
  database: VerifiedDatabase;
  /** `target.sha256`, checked by `restore` (checksum-file.ts). */
  checksumFile: string;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

export async function backupSqliteDatabase(sourceFile: string, targetFile: string, options: BackupOptions = {}): Promise<BackupResult> {
  const source = resolve(sourceFile);
  const target = resolve(targetFile);
  if (!existsSync(source)) throw new BackupFileError(`no SQLite database at ${source}`);
  if (existsSync(target)) {
    throw new BackupFileError(sameFile(source, target) ? `${target} is the database itself` : `${target} already exists: a backup never overwrites a file; choose a new name`);
  }
  if (existsSync(checksumFileOf(target))) throw new BackupFileError(`${checksumFileOf(target)} already exists: a backup never overwrites a file; choose a new name`);
  mkdirSync(dirname(target), { recursive: true });
  const started = performance.now();
  const temporary = temporaryBeside(target, 'partial');
  writeFileSync(temporary, '', { mode: 0o600, flag: 'wx' });
  try {
    const snapshotAt = await copyAtSnapshot(source, temporary, options);
    const copied = performance.now();
    const copy = new BetterSqlite3(temporary, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const database = verifyDatabaseFile(temporary, `the copy of ${source}`);
    const sha256 = sha256OfFile(temporary);
    const verified = performance.now();
    fsyncPath(temporary);
    throwIfAborted(options.signal);
    placeWithoutOverwriting(temporary, target);
    const checksumFile = writeChecksumFile(target, sha256);
    fsyncPath(dirname(target));
    return { source, target, snapshotAt, durationMs: performance.now() - started, copyMs: copied - started, verifyMs: verified - copied, database, checksumFile };
  } catch (error) {
    rmSync(temporary, { force: true });
    removeCompanionFiles(temporary);
    throw error;
  }
}

/** Copies every page of `source` as of one read snapshot into `destination`; returns when the snapshot was taken. */
async function copyAtSnapshot(source: string, destination: string, options: BackupOptions): Promise<Date> {
  let db: BetterSqlite3.Database;
  try {
    // Read-write, though it only reads: when the server is stopped, closing the last connection removes the -wal and -shm it made.
    db = new BetterSqlite3(source, { fileMustExist: true });
  } catch (error) {
    throw new BackupFileError(`cannot open the database at ${source}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma('busy_timeout = 5000');
    let snapshotAt: Date;
    try {
      // BEGIN alone takes no snapshot; the first read does, and the backup's steps then all read inside it.
      db.exec('BEGIN');
      db.prepare('select count(*) from sqlite_schema').get();
      snapshotAt = new Date();
    } catch (error) {
      throw new BackupFileError(`cannot read the database at ${source}: ${(error as Error).message}`, { cause: error });
    }
    const pagesPerStep = options.pagesPerStep ?? 1024;
    const { totalPages } = await db.backup(destination, {
      progress: ({ totalPages: total, remainingPages }) => {
        options.onProgress?.(total - remainingPages, total);
        throwIfAborted(options.signal);
        return pagesPerStep;
      },
    });
    options.onProgress?.(totalPages, totalPages);
    db.exec('COMMIT');
    return snapshotAt;
  } finally {
    db.close();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackupFileError('backup interrupted: no backup file was written');
}

/**
 * Gives `temporary` the name `target` unless `target` appeared meanwhile: a
 * hard link fails rather than replace an existing file. Where the file system
 * has no hard links, a rename after a last look does.
 */
function placeWithoutOverwriting(temporary: string, target: string): void {
  try {
    linkSync(temporary, target);
    unlinkSync(temporary);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BackupFileError(`${target} appeared during the backup: a backup never overwrites a file; choose a new name`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  }
  if (existsSync(target)) throw new BackupFileError(`${target} appeared during the backup: a backup never overwrites a file; choose a new name`);
  renameSync(temporary, target);
}
