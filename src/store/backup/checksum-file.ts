/**
 * The SHA-256 of a backup, kept beside it as `FILE.sha256` in the format of
 * `sha256sum` (so `sha256sum -c FILE.sha256` checks it too). integrity_check
 * finds a broken b-tree but not a flipped byte inside a record (an e-mail
 * address, a hash): the checksum does, so a backup that changed after it was
 * made is refused whole.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BackupFileError, temporaryBeside } from './sqlite-file.js';

const CHUNK = 1 << 20;

export function checksumFileOf(file: string): string {
  return `${file}.sha256`;
}

export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(CHUNK);
  const fd = openSync(file, 'r');
  try {
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Writes `backup.sha256` (through a temporary file and a rename: whole or absent); returns its path. */
export function writeChecksumFile(backup: string, sha256: string): string {
  const path = checksumFileOf(backup);
  const temporary = temporaryBeside(path, 'partial');
  writeFileSync(temporary, `${sha256}  ${basename(backup)}\n`, { flag: 'wx' });
  renameSync(temporary, path);
  return path;
}

/**
 * Compares `copy` (the private copy about to be restored) with the checksum
 * file beside `backup`, when there is one. Returns whether one was checked;
 * throws when it does not match or cannot be read.
 */
export function checkAgainstChecksumFile(backup: string, copy: string): boolean {
  const path = checksumFileOf(backup);
  if (!existsSync(path)) return false;
  const expected = /^([0-9a-f]{64})\b/i.exec(readFileSync(path, 'utf8'))?.[1]?.toLowerCase();
  if (!expected) throw new BackupFileError(`${path} is not a SHA-256 checksum file (expected "<64 hex digits>  ${basename(backup)}")`);
  const actual = sha256OfFile(copy);
  if (actual !== expected) {
    throw new BackupFileError(`${backup} does not match its checksum file ${path} (SHA-256 ${actual}, expected ${expected}): it changed after the backup was made`);
  }
  return true;
}
