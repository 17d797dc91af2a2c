/**
 * API.md §1 wire conventions, over a real port: envelope on every answer,
 * error statuses and codes, the lenient ECGrid reading rules, and the order
 * in which checks answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1', ECGRID_BODY_LIMIT: '2048' });
});
afterAll(() => server?.close());

describe('envelope on every answer', () => {
  it('unknown route: 404 ObjectNotFound, no credential needed', async () => {
    const reply = await server.api.get('/v2/nope', { key: null });
    expectError(reply, 404, 'ObjectNotFound');
    expectError(await server.api.get('/v2/users/1042/extra', { key: null }), 404, 'ObjectNotFound');
    expectError(await server.api.get('/V2/USERS/me'), 404, 'ObjectNotFound');
  });

  it('known path, wrong method: 405 InvalidParameter with Allow, before authentication', async () => {
    const reply = await server.api.request('PATCH', '/v2/users', { userId: 1 }, { key: null });
    expectError(reply, 405, 'InvalidParameter', 'method');
    expect(reply.headers.get('allow')).toBe('POST, PUT');
    const byId = await server.api.request('PUT', '/v2/users/1042', undefined, { key: null });
    expectError(byId, 405, 'InvalidParameter');
    expect(byId.headers.get('allow')).toBe('DELETE, GET, HEAD');
  });

  it('body over the limit: 413 InvalidParameter (after authentication)', async () => {
    const big = { userId: 1042, firstName: 'x'.repeat(4000) };
    expectError(await server.api.put('/v2/users', big), 413, 'InvalidParameter', 'body');
    expectError(await server.api.put('/v2/users', big, { key: null }), 401, 'InvalidAPIKey');
  });

  it('non-JSON content type: 415 InvalidParameter (after authentication)', async () => {
    const form = { raw: 'userId=1042', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
    expectError(await server.api.put('/v2/users', undefined, form), 415, 'InvalidParameter', 'Content-Type');
    expectError(await server.api.put('/v2/users', undefined, { ...form, key: null }), 401, 'InvalidAPIKey');
    expectError(await server.api.put('/v2/users', undefined, { raw: '{"userId":1042}', headers: { 'Content-Type': 'text/plain' } }), 415, 'InvalidParameter');
  });

  it('malformed JSON: 400 InvalidParameter naming the body', async () => {
    for (const raw of ['{', '{"userId": 1042,}', "{'userId': 1042}", 'nul', '{"a":1}{"b":2}']) {
      expectError(await server.api.put('/v2/users', undefined, { raw }), 400, 'InvalidParameter', 'body');
    }
  });

  it('a JSON body that is not an object: 400 naming the body', async () => {
    const reply = await server.api.put('/v2/users', [1042]);
    expectError(reply, 400, 'InvalidParameter', 'body');
    expect(reply.body.message).toBe('body: must be a JSON object');
    expectError(await server.api.put('/v2/users', 'text'), 400, 'InvalidParameter', 'body');
  });

  it('success answers carry errorCode and message as empty strings', async () => {
    const reply = await server.api.get('/v2/auth/version', { key: null });
    expect(reply.body).toEqual({ success: true, data: { version: '2.6' }, errorCode: '', message: '' });
  });
});

describe('reading request bodies like the reference server', () => {
  it('property names match case-insensitively', async () => {
    const data = expectOk(await server.api.put<UserIDInfo>('/v2/users', { USERID: 1043, FirstName: 'Upper', lastname: 'lower' }));
    expect(data).toMatchObject({ userId: 1043, firstName: 'Upper', lastName: 'lower' });
  });

  it('integer fields accept a JSON string holding an integer', async () => {
    expect(expectOk(await server.api.put<UserIDInfo>('/v2/users', { userId: '1043' })).userId).toBe(1043);
    expect(expectOk(await server.api.get<UserIDInfo>('/v2/users/1043')).userId).toBe(1043);
    expectError(await server.api.put('/v2/users', { userId: '10.5' }), 400, 'InvalidParameter', 'userId');
    expectError(await server.api.put('/v2/users', { userId: '' }), 400, 'InvalidParameter', 'userId');
  });

  it('null is the same as absent', async () => {
    const before = await server.store.users.findById(1043);
    const data = expectOk(await server.api.put<UserIDInfo>('/v2/users', { userId: 1043, email: null, firstName: null, lastName: null, status: null }));
    expect(data).toMatchObject({ email: before!.email, firstName: before!.firstName, lastName: before!.lastName });
    const required = await server.api.put('/v2/users', { userId: null });
    expectError(required, 400, 'InvalidParameter', 'userId');
    expect(required.body.message).toBe('userId: is required');
  });

  it('unknown properties are ignored', async () => {
    expectOk(await server.api.put('/v2/users', { userId: 1043, favouriteColour: 'blue', nested: { deep: [1, 2] } }));
  });

  it('a property given twice (same name or any case) is a 400', async () => {
    const exact = await server.api.put('/v2/users', undefined, { raw: '{"userId":1043,"firstName":"a","firstName":"b"}' });
    expectError(exact, 400, 'InvalidParameter', 'firstName');
    const cased = await server.api.put('/v2/users', undefined, { raw: '{"userId":1043,"FIRSTNAME":"a","firstName":"b"}' });
    expectError(cased, 400, 'InvalidParameter');
    const escaped = await server.api.put('/v2/users', undefined, { raw: '{"userId":1043,"\\u0066irstName":"a","firstName":"b"}' });
    expectError(escaped, 400, 'InvalidParameter');
    expect((await server.store.users.findById(1043))!.firstName).not.toBe('a');
  });

  it('enum names match case-insensitively on input and are written exactly on output', async () => {
    const reply = await server.api.post<UserIDInfo[]>('/v2/users/list', { networkId: 1, authLevel: 'mailboxadmin', status: 'ACTIVE' });
    const users = expectOk(reply);
    expect(users.length).toBeGreaterThan(0);
    expect(new Set(users.map((u) => u.authLevel))).toEqual(new Set(['MailboxAdmin']));
  });

  it('a number for an enum is rejected', async () => {
    const reply = await server.api.post('/v2/users/list', { authLevel: 3 });
    expectError(reply, 400, 'InvalidParameter', 'authLevel');
    expectError(await server.api.post('/v2/users/list', { status: 'Sleeping' }), 400, 'InvalidParameter', 'status');
  });

  it('prototype-pollution keys are inert', async () => {
    const raw = '{"userId":1043,"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}';
    expectOk(await server.api.put('/v2/users', undefined, { raw }));
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a string holding U+0000 is a 400 naming the field on both stores, before credentials or queries (PostgreSQL text cannot hold it: login answered 500)', async () => {
    const login = await server.api.post('/v2/auth/login', { login: 'a\u0000b', password: 'Test-Passw0rd!' }, { key: null });
    expectError(login, 400, 'InvalidParameter', 'login');
    expect(login.body.message).toBe('login: must not contain the character U+0000');
    expectError(await server.api.post('/v2/auth/login', { login: 'root', password: '\u0000' }, { key: null }), 400, 'InvalidParameter', 'password');
    expectError(await server.api.post('/v2/auth/refresh', { token: 'x\u0000y' }, { key: null }), 400, 'InvalidParameter', 'token');
    const before = await server.store.users.findById(1043);
    expectError(await server.api.put('/v2/users', { userId: 1043, firstName: 'A\u0000' }), 400, 'InvalidParameter', 'firstName');
    expect(await server.store.users.findById(1043)).toEqual(before);
    expectOk(await server.api.put('/v2/users', { userId: 1043, firstName: 'A\u0001' }));
  });

  it('an empty body where every field is optional means defaults', async () => {
    const reply = await server.api.request('POST', '/v2/users/list');
    expect(expectOk(reply)).toBeInstanceOf(Array);
  });
});

describe('authentication', () => {
  it('header names are case-insensitive; the key value is exact', async () => {
    expectOk(await server.api.get('/v2/users/me', { key: null, headers: { 'x-api-key': server.rootKey } }));
    expectOk(await server.api.get('/v2/users/me', { key: null, headers: { 'X-API-KEY': server.rootKey } }));
    expectError(await server.api.get('/v2/users/me', { key: server.rootKey.toUpperCase() }), 401, 'InvalidAPIKey');
    expectError(await server.api.get('/v2/users/me', { key: ` ${server.rootKey}x` }), 401, 'InvalidAPIKey');
  });

  it('with no credential at all, InvalidAPIKey answers', async () => {
    expectError(await server.api.get('/v2/users/me', { key: null }), 401, 'InvalidAPIKey');
    expectError(await server.api.get('/v2/users/me', { key: '' }), 401, 'InvalidAPIKey');
  });

  it('a malformed Bearer token is InvalidSession; with a valid X-API-Key too, the key is used', async () => {
    expectError(await server.api.get('/v2/users/me', { key: null, token: 'not-a-jwt' }), 401, 'InvalidSession');
    expectOk(await server.api.get('/v2/users/me', { token: 'not-a-jwt' }));
  });

  it('version needs no credential', async () => {
    expectOk(await server.api.get('/v2/auth/version', { key: null }));
  });
});

describe('order of checks', () => {
  it('route before authentication before body before schema before existence', async () => {
    expectError(await server.api.request('PATCH', '/v2/users', undefined, { key: 'bad' }), 405, 'InvalidParameter');
    expectError(await server.api.put('/v2/users', undefined, { key: 'bad', raw: '{' }), 401, 'InvalidAPIKey');
    expectError(await server.api.put('/v2/users', undefined, { raw: '{' }), 400, 'InvalidParameter', 'body');
    expectError(await server.api.put('/v2/users', { userId: 999999, email: 'bad' }), 400, 'InvalidParameter', 'email');
    expectError(await server.api.put('/v2/users', { userId: 999999, email: 'ok@example.com' }), 404, 'ObjectNotFound');
  });

  it('a path id that is not a positive integer is a 400 naming it', async () => {
    expectError(await server.api.get('/v2/users/abc'), 400, 'InvalidParameter', 'id');
    expectError(await server.api.get('/v2/users/0'), 400, 'InvalidParameter', 'id');
    expectError(await server.api.get('/v2/users/99999999999'), 400, 'InvalidParameter', 'id');
    expectError(await server.api.get('/v2/users/1.5'), 400, 'InvalidParameter', 'id');
  });
});
