/**
 * No API key is ever stored in clear: after keys are made, read, listed and
 * deleted through the API, the SQLite file and its WAL (byte scan), or every
 * column of every PostgreSQL table (SQL dump), hold none of them. The scan is
 * shown to see the data by finding each key's hash. Also: the master key file
 * is created beside the SQLite database with mode 0600.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../support/http.js';
import { createWorld, startTestServer, type TestServer } from '../support/server.js';
import { dumpAllText, rawQuery } from '../support/raw-query.js';
import { DIALECT } from '../support/test-db.js';
import { hashApiKey } from '../../src/security/api-keys.js';
import { MasterKeyError } from '../../src/security/master-key.js';
import type { KeyInfo } from '../../src/contract/keys.js';

let server: TestServer;
const keys = new Set<string>();

/** The forms a leaked key could take. */
function spellings(key: string): string[] {
  return [key, key.toUpperCase(), key.replace(/-/g, ''), Buffer.from(key).toString('base64')];
}

/** Everything the database holds, as text: file bytes (SQLite) or every stored value (PostgreSQL). */
async function storedText(target: TestServer): Promise<string> {
  if (target.database.databaseUrl) return (await dumpAllText(target.database)).join('\n');
  const file = target.config.sqliteFile;
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts).toString('latin1');
}

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  const world = await createWorld(server);
  const api = server.api;
  keys.add(server.rootKey);
  for (const member of Object.values(world)) if (typeof member === 'object' && 'key' in member) keys.add(member.key);

  for (const visibility of ['Private', 'Shared', 'Public', 'Session']) {
    keys.add(expectOk(await api.post<KeyInfo>('/v2/keys/create', { userId: 12345, visibility })).key);
    keys.add(expectOk(await api.as(world.mbUserA1.key).post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA1.user.userId, visibility })).key);
  }
  keys.add(expectOk(await api.post<KeyInfo>('/v2/keys/get-key', { userId: 12345 })).key);
  for (let i = 0; i < 3; i++) keys.add(expectOk(await api.post<string>(`/v2/users/key-generate/${world.mbUserA2.user.userId}`)));
  keys.add(expectOk(await api.get<string>(`/v2/users/key/${world.mbUserA2.user.userId}`)));
  for (const listed of expectOk(await api.post<KeyInfo[]>('/v2/keys/list', { userId: 12345 }))) if (listed.isPrimary) keys.add(listed.key);
  const doomed = expectOk(await api.post<KeyInfo>('/v2/keys/create', { userId: 12345, visibility: 'Shared' }));
  keys.add(doomed.key);
  expectOk(await api.delete('/v2/keys', { keyId: doomed.keyId }));
});
afterAll(() => server?.close());

describe('key secrecy', () => {
  it(`no plaintext key in the stored data (${DIALECT === 'postgres' ? 'dump of every column of every table' : 'database file and WAL bytes'})`, async () => {
    expect(keys.size).toBeGreaterThan(20);
    const text = await storedText(server);
    for (const key of keys) {
      for (const form of spellings(key)) expect(text.includes(form), `key ${key.slice(0, 4)}… stored as ${form === key ? 'is' : 'a variant'}`).toBe(false);
      // The scan does see the data: each key is there as its SHA-256.
      expect(text.includes(hashApiKey(key)), `hash of ${key.slice(0, 4)}…`).toBe(true);
    }
  });

  it('only primary keys have ciphertext; revoked keys lose theirs; every hash is 64 hex characters', async () => {
    const rows = await rawQuery(server.database, 'select key_id, user_id, is_primary, key_hash, key_ciphertext, revoked_at from api_keys order by key_id');
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      const shouldHaveCiphertext = Number(row.is_primary) === 1 && row.revoked_at === null;
      expect(row.key_ciphertext === null, `key ${String(row.key_id)}`).toBe(!shouldHaveCiphertext);
    }
    // A sealed primary opens for its own user only.
    const sealed = rows.find((row) => row.key_ciphertext !== null)!;
    expect(server.services.vault.open(Number(sealed.user_id), String(sealed.key_ciphertext))).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => server.services.vault.open(Number(sealed.user_id) + 1, String(sealed.key_ciphertext))).toThrow(MasterKeyError);
  });
});

describe('the master key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrid-master-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without ECGRID_MASTER_KEY, a key file is made with mode 0600 (beside the SQLite database by default) and used across restarts', async () => {
    const env: Record<string, string> =
      DIALECT === 'postgres'
        ? { ECGRID_MASTER_KEY: '', ECGRID_MASTER_KEY_FILE: join(dir, 'secrets', 'master.key') }
        : { ECGRID_MASTER_KEY: '', ECGRID_DB: join(dir, 'ecgrid.db') };
    const first = await startTestServer(env);
    let key: string;
    try {
      const path = DIALECT === 'postgres' ? env.ECGRID_MASTER_KEY_FILE! : join(dirname(first.config.sqliteFile), 'master.key');
      expect(first.config.masterKeyFile).toBe(path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
      const me = expectOk(await first.api.get<{ userId: number }>('/v2/users/me'));
      key = expectOk(await first.api.post<string>(`/v2/users/key-generate/${me.userId}`));
      expect(expectOk(await first.api.as(key).get<string>(`/v2/users/key/${me.userId}`))).toBe(key);
    } finally {
      await first.stop();
    }
    // Same database and key file, new process state: the sealed key still opens.
    const again = await startTestServer({ ...env, ...(DIALECT === 'postgres' ? { DATABASE_URL: first.database.databaseUrl! } : {}) });
    try {
      const me = expectOk(await again.api.as(key).get<{ userId: number }>('/v2/users/me'));
      expect(expectOk(await again.api.as(key).get<string>(`/v2/users/key/${me.userId}`))).toBe(key);
    } finally {
      await again.stop();
      await again.database.drop();
      await first.database.drop();
    }
  });

  it('a sealed key does not open under another master key', async () => {
    const other = await startTestServer({ ECGRID_MASTER_KEY: randomBytes(32).toString('hex') });
    try {
      const [row] = await rawQuery(server.database, 'select user_id, key_ciphertext from api_keys where key_ciphertext is not null limit 1');
      expect(() => other.services.vault.open(Number(row!.user_id), String(row!.key_ciphertext))).toThrow(MasterKeyError);
      expect(server.services.vault.open(Number(row!.user_id), String(row!.key_ciphertext))).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await other.close();
    }
  });
});
