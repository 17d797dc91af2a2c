/**
 * Restores a backup into a stopped server's database path, all or nothing:
 *
 * 1. the backup is copied to a private temporary file beside the target (so
 *    what is checked is exactly what will be put in place, and the operator's
 *    backup file is only read);
 * 2. the copy is verified in full (its SHA-256 against `backup.sha256` when
 *    that is there, checksum-file.ts; sqlite-file.ts: header and size,
 *    integrity_check, an ecgrid-identity migration history not newer than this
 *    build) and flushed — a bad file stops here, the target untouched;
 * 3. the target is claimed: refused if any process has it open, else
 *    checkpointed and closed;
 * 4. its stale -wal/-shm/-journal are removed (SQLite would replay an old WAL
 *    into the new file), and the copy is renamed over it — one atomic step —
 *    and the directory flushed.
 *
 * Interrupted before step 4, the old database is as it was (checkpointed);
 * after it, the new one is in place. A leftover `.<name>.restore-…` file
 * beside the target is only ever an unused copy.
 */
import { copyFileSync, chmodSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  BackupFileError, checkSqliteHeader, claimStoppedDatabase, fsyncPath, removeCompanionFiles, temporaryBeside, verifyDatabaseFile, type VerifiedDatabase,
} from './sqlite-file.js';
import { checkAgainstChecksumFile } from './checksum-file.js';

export interface RestoreResult {
  backup: string;
  target: string;
  durationMs: number;
  /** Of durationMs: checking the copy (integrity_check reads every page and index). */
  verifyMs: number;
  database: VerifiedDatabase;
  /** Whether `backup.sha256` was there (and matched: a mismatch is refused). */
  checksumChecked: boolean;
}

export function restoreSqliteDatabase(backupFile: string, targetFile: string): RestoreResult {
  const backup = resolve(backupFile);
  const target = resolve(targetFile);
  if (backup === target) throw new BackupFileError(`${backup} is the database itself`);
  const started = performance.now();
  // Cheap refusals first (missing, not SQLite, truncated; a server running on the target), before copying anything.
  // The in-use check is repeated just before the rename: that one decides.
  checkSqliteHeader(backup);
  claimStoppedDatabase(target);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = temporaryBeside(target, 'restore');
  try {
    copyFileSync(backup, temporary);
    chmodSync(temporary, 0o600);
    const copied = performance.now();
    const checksumChecked = checkAgainstChecksumFile(backup, temporary);
    const database = verifyDatabaseFile(temporary, backup);
    const verifyMs = performance.now() - copied;
    // A backup made from a WAL database by other means than `backup` keeps WAL mode in its header;
    // rollback-journal mode makes the file whole by itself until the server switches it to WAL on start.
    const copy = new BetterSqlite3(temporary, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncPath(temporary);
    claimStoppedDatabase(target);
    removeCompanionFiles(target);
    renameSync(temporary, target);
    fsyncPath(dirname(target));
    return { backup, target, durationMs: performance.now() - started, verifyMs, database, checksumChecked };
  } catch (error) {
    rmSync(temporary, { force: true });
    removeCompanionFiles(temporary);
    throw error;
  }
}
