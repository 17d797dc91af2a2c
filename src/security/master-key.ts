/**
 * The master key that encrypts each user's retrievable primary API key with
 * AES-256-GCM. From ECGRID_MASTER_KEY (64 hex chars or base64 of 32 bytes), or
 * from a key file created once with mode 0600 beside the SQLite database.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32) return decoded;
  throw new MasterKeyError('the master key must be 32 bytes written as 64 hex characters or base64');
}

/**
 * Reads the key file, creating it when it does not exist: written to a private
 * temporary file (mode 0600) and then linked into place, so the file appears
 * complete or not at all, and of two processes starting at once exactly one
 * creates it and both read the same key. A key file readable by group or
 * others is narrowed to 0600.
 */
export function loadOrCreateKeyFile(path: string): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parseMasterKey(readFileSync(path, 'utf8'));
}

const VERSION = 'v1';

/** Encrypts a secret: `v1.<iv>.<tag>.<ciphertext>` in base64url; the user id is bound as associated data. */
export function encryptSecret(masterKey: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Decrypts what encryptSecret produced with the same key and context; throws MasterKeyError otherwise. */
export function decryptSecret(masterKey: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new MasterKeyError('unknown ciphertext format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new MasterKeyError('cannot decrypt: wrong master key or tampered ciphertext');
  }
}
