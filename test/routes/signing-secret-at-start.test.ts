/**
 * The JWT signing secret is stored when the server starts (found by the
 * fuzzer, test/fuzz/endpoints.test.ts): made on first use, it was written by
 * whichever request came first, even a refused one — and a refusal must
 * leave the database unchanged.
 */
import { describe, expect, it } from 'vitest';
import { JWT_SECRET_SETTING } from '../../src/services/signing-key.js';
import { rawQuery } from '../support/raw-query.js';
import { startTestServer } from '../support/server.js';

describe('the JWT signing secret', () => {
  it('is stored when the server starts, so a refused request (forged token, failed login) stores nothing', async () => {
    const fresh = await startTestServer();
    try {
      const settings = () => rawQuery(fresh.database, 'select name, value from settings order by name');
      const atStart = await settings();
      expect(atStart.map((row) => row.name)).toContain(JWT_SECRET_SETTING);
      const forged = await fetch(`${fresh.url}/v2/users/me`, { headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln' } });
      expect(forged.status).toBe(401);
      const failed = await fetch(`${fresh.url}/v2/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"login":"nobody","password":"Wrong-Passw0rd!"}' });
      expect(failed.status).toBe(401);
      expect(await settings()).toEqual(atStart);
    } finally {
      await fresh.close();
    }
  });
});
