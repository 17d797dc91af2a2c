/**
 * POST /v2/users/list, Extension filters `name` (a part of the login or
 * e-mail address) and `lockedOut` — the queries the MCP list-users tool needed,
 * added once to the store and service and offered to REST clients too:
 * paged, counted in X-Total-Count, within the caller's scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, type Api } from '../support/http.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let as4821: Api;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  as4821 = server.api.as(expectOk(await server.api.post<string>('/v2/users/key-generate/4821')));
});
afterAll(() => server?.close());

const ids = (users: Array<{ userId: number }>) => users.map((u) => u.userId);

describe('POST /v2/users/list with name and lockedOut (extension)', () => {
  it('matches a part of the login or e-mail address, any case, literally; counts the matches', async () => {
    const reply = await server.api.post<Array<{ userId: number }>>('/v2/users/list', { name: 'SMITH' });
    expect(ids(expectOk(reply))).toEqual([1042, 4821]);
    expect(reply.headers.get('x-total-count')).toBe('2');
    expect(ids(expectOk(await server.api.post<Array<{ userId: number }>>('/v2/users/list', { name: '%' })))).toEqual([]);
    expect(ids(expectOk(await server.api.post<Array<{ userId: number }>>('/v2/users/list', { name: 'smith', authLevel: 'MailboxAdmin', networkId: 1 })))).toEqual([1042, 4821]);
  });

  it('stays within the caller\'s scope', async () => {
    expect(expectOk(await as4821.post('/v2/users/list', { name: 'keyowner' }))).toEqual([]);
    expect(ids(expectOk(await as4821.post<Array<{ userId: number }>>('/v2/users/list', { name: 'example.com' })))).toEqual([1042, 1043, 4821]);
  });

  it('pages like the plain list, the total counting every match', async () => {
    const page = await server.api.post<Array<{ userId: number }>>('/v2/users/list', { name: 'example.com', recordsPerPage: 2, pageNo: 2 });
    const all = ids(expectOk(await server.api.post<Array<{ userId: number }>>('/v2/users/list', { name: 'example.com', recordsPerPage: 500 })));
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(ids(expectOk(page))).toEqual(all.slice(2, 4));
    expect(page.headers.get('x-total-count')).toBe(String(all.length));
  });

  it('lockedOut: true keeps users locked now; false is no filter', async () => {
    const locked = await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 });
    await server.store.transaction((tx) => tx.users.update(locked.user.userId, { lockedUntil: new Date(Date.now() + 600_000).toISOString(), failedLogins: 5 }, new Date().toISOString()));
    const reply = await as4821.post<Array<{ userId: number; lockedOut: boolean }>>('/v2/users/list', { lockedOut: true });
    expect(expectOk(reply).map((u) => [u.userId, u.lockedOut])).toEqual([[locked.user.userId, true]]);
    expect(reply.headers.get('x-total-count')).toBe('1');
    expect(expectOk(await as4821.post<unknown[]>('/v2/users/list', { lockedOut: false })).length).toBeGreaterThan(1);
  });

  it('refuses an empty or over-long name and a lockedOut that is not a boolean, naming the field', async () => {
    expectError(await server.api.post('/v2/users/list', { name: '  ' }), 400, 'InvalidParameter', 'name');
    expectError(await server.api.post('/v2/users/list', { name: 'x'.repeat(41) }), 400, 'InvalidParameter', 'name');
    expectError(await server.api.post('/v2/users/list', { lockedOut: 'yes' }), 400, 'InvalidParameter', 'lockedOut');
    // PostgreSQL refuses NUL in text: refused as a bad value, not sent to the database.
    expectError(await server.api.post('/v2/users/list', { name: 'a\u0000b' }), 400, 'InvalidParameter', 'name');
    expectError(await server.api.post('/v2/users/list', { name: 'a\u001fb' }), 400, 'InvalidParameter', 'name');
  });
});
