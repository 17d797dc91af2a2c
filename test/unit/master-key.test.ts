/**
 * The master key and the sealing of primary keys (security/master-key.ts,
 * key-vault.ts): the key file's 0600 mode, its one-time creation, AES-256-GCM
 * bound to the owning user.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, loadOrCreateKeyFile, MasterKeyError, parseMasterKey } from '../../src/security/master-key.js';
import { KeyVault } from '../../src/security/key-vault.js';
import { runProcess } from '../support/process.js';

/** The built module (npm test builds first): child processes load it without a TypeScript loader. */
const MASTER_KEY_MODULE = new URL('../../dist/security/master-key.js', import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-master-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the key file', () => {
  it('is created once, with mode 0600, holding 32 random bytes in hex; later loads read the same key', () => {
    const path = join(dir, 'nested', 'data', 'master.key');
    const key = loadOrCreateKeyFile(path);
    expect(key).toHaveLength(32);
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(loadOrCreateKeyFile(path).equals(key)).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(join(dir, 'nested', 'data'))).toEqual(['master.key']);
  });

  it('is 0600 whatever the umask', () => {
    const previous = process.umask(0o000);
    try {
      const path = join(dir, 'open-umask', 'master.key');
      loadOrCreateKeyFile(path);
      expect(modeOf(path)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('an existing key file readable by others is narrowed to 0600 and kept', () => {
    const path = join(dir, 'loose.key');
    const hex = randomBytes(32).toString('hex');
    writeFileSync(path, hex);
    chmodSync(path, 0o644);
    expect(loadOrCreateKeyFile(path).toString('hex')).toBe(hex);
    expect(modeOf(path)).toBe(0o600);
  });

  it('processes starting at once on a missing file all read the one key that was created', async () => {
    const path = join(dir, 'race', 'master.key');
    const script = `import(${JSON.stringify(MASTER_KEY_MODULE)}).then((m) => process.stdout.write(m.loadOrCreateKeyFile(${JSON.stringify(path)}).toString('hex')))`;
    const results = await Promise.all(Array.from({ length: 6 }, () => runProcess(process.execPath, ['-e', script])));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(0));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(results[0]!.stdout).toBe(readFileSync(path, 'utf8').trim());
    expect(readdirSync(join(dir, 'race'))).toEqual(['master.key']);
  });

  it('a malformed key file is refused', () => {
    const path = join(dir, 'bad.key');
    writeFileSync(path, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(path)).toThrow(MasterKeyError);
  });
});

describe('ECGRID_MASTER_KEY values', () => {
  it('takes 64 hex characters or base64 of 32 bytes, nothing else', () => {
    const raw = randomBytes(32);
    expect(parseMasterKey(raw.toString('hex')).equals(raw)).toBe(true);
    expect(parseMasterKey(` ${raw.toString('base64')}\n`).equals(raw)).toBe(true);
    expect(() => parseMasterKey('abc')).toThrow(MasterKeyError);
    expect(() => parseMasterKey(randomBytes(16).toString('hex'))).toThrow(MasterKeyError);
  });
});

describe('sealing', () => {
  const key = randomBytes(32);

  it('AES-256-GCM: a fresh IV each time, opens with the same key and context only', () => {
    const secret = '2a081aa9-5dc9-4d41-ab32-0d1132f0ac79';
    const a = encryptSecret(key, secret, 'user:7');
    const b = encryptSecret(key, secret, 'user:7');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain(secret);
    expect(decryptSecret(key, a, 'user:7')).toBe(secret);
    expect(() => decryptSecret(key, a, 'user:8')).toThrow(MasterKeyError);
    expect(() => decryptSecret(randomBytes(32), a, 'user:7')).toThrow(MasterKeyError);
    const [v, iv, tag, body] = a.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptSecret(key, [v, iv, tag, flipped.toString('base64url')].join('.'), 'user:7')).toThrow(MasterKeyError);
  });

  it('the vault binds each sealed key to its user', () => {
    const vault = new KeyVault(key);
    const sealed = vault.seal(12345, 'the-key');
    expect(vault.open(12345, sealed)).toBe('the-key');
    expect(() => vault.open(12346, sealed)).toThrow(MasterKeyError);
  });
});
