/**
 * The typed client against a live server: every operation once with success
 * (checked against stored state where it changes something) and once with
 * a typed error; retries with backoff (a real 429 with Retry-After, 5xx and
 * lost connections through a wrapped fetch); no runtime dependency but fetch.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClient, EcgridError, OPERATION_ROUTES, type EcgridClient, type OperationId } from '../../src/client/index.js';
import { DEMO_LOGIN_PASSWORD } from '../../src/services/demo-data.js';
import { createUser, TEST_PASSWORD, startTestServer, type TestServer } from '../support/server.js';
import { useWorldServer, type World } from '../support/world-server.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const root = () => createClient({ baseUrl: server.url, apiKey: server.rootKey });
const as = (key: string) => createClient({ baseUrl: server.url, apiKey: key });

/** Runs `call`, expecting an EcgridError; returns it. */
async function failure(call: Promise<unknown>): Promise<EcgridError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(EcgridError);
    return error as EcgridError;
  }
  throw new Error('expected the call to fail');
}

function expectFailure(error: EcgridError, status: number, errorCode: string, field?: string) {
  expect({ status: error.status, errorCode: error.errorCode }).toEqual({ status, errorCode });
  if (field) expect(error.message.startsWith(`${field}:`), error.message).toBe(true);
  expect(error.requestId).toMatch(/./);
}

const exercised = new Set<OperationId>();
function covers(...ids: OperationId[]) {
  for (const id of ids) exercised.add(id);
}

describe('auth', () => {
  it('version, login, session, refresh, logout; typed errors', async () => {
    covers('getVersion', 'login', 'getSession', 'refreshToken', 'logout');
    expect(await createClient({ baseUrl: server.url }).auth.version()).toEqual({ version: '2.6' });
    expectFailure(await failure(createClient({ baseUrl: `${server.url}/nowhere` }).auth.version()), 404, 'ObjectNotFound');

    const anonymous = createClient({ baseUrl: server.url });
    const tokens = await anonymous.auth.login({ login: 'jsmith@example.com', password: DEMO_LOGIN_PASSWORD });
    expect(tokens.userId).toBe(4821);
    expectFailure(await failure(anonymous.auth.login({ login: 'jsmith@example.com', password: 'Wrong!Passw0rd' })), 401, 'InvalidSession');

    const bearer = anonymous.withCredentials({ token: tokens.token });
    expect(await bearer.auth.session()).toMatchObject({ userId: 4821, authLevel: 'MailboxAdmin' });
    expectFailure(await failure(anonymous.auth.session()), 401, 'InvalidAPIKey');

    const renewed = await anonymous.auth.refresh({ token: tokens.refreshToken });
    expect(renewed.userId).toBe(4821);
    expectFailure(await failure(bearer.auth.session()), 401, 'InvalidSession');
    const after = anonymous.withCredentials({ token: renewed.token });
    expect(await after.auth.logout()).toBeNull();
    expectFailure(await failure(after.auth.logout()), 401, 'InvalidSession');
    expectFailure(await failure(anonymous.auth.refresh({ token: renewed.refreshToken })), 401, 'InvalidSession');
  });

  it('changePassword: own password, then login with the new one; wrong current password is a 400 naming it', async () => {
    covers('changePassword');
    const owner = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expect(await as(owner.key).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'Brand!New2pass' })).toBeNull();
    const tokens = await createClient({ baseUrl: server.url }).auth.login({ login: owner.user.login, password: 'Brand!New2pass' });
    expect(tokens.userId).toBe(owner.user.userId);
    expectFailure(await failure(as(owner.key).auth.changePassword({ currentPassword: 'Not!ThePassw0rd', newPassword: 'Other!New2pass' })), 400, 'InvalidParameter', 'currentPassword');
  });
});

describe('users', () => {
  it('update (the seed), get, me, list, byName', async () => {
    covers('updateUser', 'getUser', 'getCurrentUser', 'listUsers', 'getUsersByName');
    const api = root();
    const updated = await api.users.update({ userId: 1042, email: 'john.smith@example.com', firstName: 'John', lastName: 'Smith' });
    expect(updated).toMatchObject({ userId: 1042, login: 'jsmith', email: 'john.smith@example.com', authLevel: 'MailboxAdmin', created: '2024-03-15T10:22:00Z' });
    expect((await server.store.users.findById(1042))?.email).toBe('john.smith@example.com');
    expectFailure(await failure(api.users.update({ userId: 1042, email: 'not-an-address' })), 400, 'InvalidParameter', 'email');

    expect((await api.users.get({ id: 1043 })).login).toBe('ajones');
    expectFailure(await failure(as(world.netAdminB.key).users.get({ id: 1043 })), 404, 'ObjectNotFound');
    expect((await as(world.mbUserA1.key).users.me()).userId).toBe(world.mbUserA1.user.userId);
    expectFailure(await failure(createClient({ baseUrl: server.url, apiKey: 'nope' }).users.me()), 401, 'InvalidAPIKey');

    const listed = await api.users.list({ networkId: world.netA.networkId, authLevel: 'MailboxUser', recordsPerPage: 2 });
    expect(listed).toHaveLength(2);
    expect(listed.every((u) => u.networkId === world.netA.networkId && u.authLevel === 'MailboxUser')).toBe(true);
    expect((await api.users.list()).length).toBeGreaterThan(2);
    expectFailure(await failure(api.users.list({ recordsPerPage: 501 })), 400, 'InvalidParameter', 'recordsPerPage');
    expect((await api.users.byName({ login: 'JSMITH' })).map((u) => u.userId)).toEqual([1042]);
    expectFailure(await failure(api.users.byName({ login: '' })), 400, 'InvalidParameter', 'login');
  });

  it('create, generateKey, getKey, terminate', async () => {
    covers('createUser', 'generateUserKey', 'getUserKey', 'terminateUser');
    const api = as(world.mbAdminA1.key);
    const created = await api.users.create({ login: 'clientmade', password: 'Cl1ent!Made', email: 'clientmade@example.com' });
    expect(created).toMatchObject({ login: 'clientmade', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId, status: 'Active' });
    expectFailure(await failure(api.users.create({ login: 'ClientMade', password: 'Cl1ent!Made', email: 'x@example.com' })), 400, 'DuplicateObject', 'login');

    const key = await api.users.generateKey({ id: created.userId });
    expect((await as(key).users.me()).userId).toBe(created.userId);
    expect(await as(key).users.getKey({ id: created.userId })).toBe(key);
    expectFailure(await failure(api.users.getKey({ id: created.userId })), 403, 'AccessDenied');
    expectFailure(await failure(api.users.generateKey({ id: world.mbUserB1.user.userId })), 404, 'ObjectNotFound');

    expect(await api.users.terminate({ id: created.userId })).toBe(true);
    expect((await server.store.users.findById(created.userId))?.status).toBe('Terminated');
    expectFailure(await failure(api.users.terminate({ id: created.userId })), 400, 'InvalidParameter', 'id');
  });

  it('setPassword, generatePassword, setRole, setNetworkMailbox, updateConfig, sendSms, resetSessions', async () => {
    covers('setUserPassword', 'generatePassword', 'setUserRole', 'setUserNetworkMailbox', 'updateUserConfig', 'sendUserSms', 'resetUserSessions');
    const target = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const admin = as(world.netAdminA.key);

    expect(await admin.users.setPassword({ userId: target.user.userId, newPassword: 'Set!ByAdmin9' })).toBe(true);
    expectFailure(await failure(admin.users.setPassword({ userId: target.user.userId, newPassword: 'weak' })), 400, 'InvalidParameter', 'newPassword');

    const generated = await admin.users.generatePassword({ length: 20 });
    expect(generated).toHaveLength(20);
    expect(await admin.users.generatePassword()).toHaveLength(12);
    expectFailure(await failure(admin.users.generatePassword({ length: 7 })), 400, 'InvalidParameter', 'length');

    expect((await admin.users.setRole({ userId: target.user.userId, authLevel: 'MailboxAdmin' })).authLevel).toBe('MailboxAdmin');
    expectFailure(await failure(admin.users.setRole({ userId: target.user.userId, authLevel: 'Root' })), 403, 'AccessDenied');

    const moved = await admin.users.setNetworkMailbox({ userId: target.user.userId, networkId: world.netA.networkId, mailboxId: world.mbA2.mailboxId });
    expect(moved.mailboxId).toBe(world.mbA2.mailboxId);
    expectFailure(
      await failure(admin.users.setNetworkMailbox({ userId: target.user.userId, networkId: world.netB.networkId, mailboxId: world.mbB1.mailboxId })),
      400, 'InvalidParameter',
    );

    expect(await admin.users.updateConfig({ userId: target.user.userId, cellPhone: '312-555-0199', cellCarrier: 'TMobile', timeZoneOffset: -5 })).toBe(true);
    expect(await server.store.users.findById(target.user.userId)).toMatchObject({ cellPhone: '312-555-0199', cellCarrier: 'TMobile', timeZoneOffset: -5 });
    expectFailure(await failure(admin.users.updateConfig({ userId: target.user.userId, timeZoneOffset: 20 })), 400, 'InvalidParameter', 'timeZoneOffset');

    expect(await admin.users.sendSms({ userId: target.user.userId, message: 'Hello from the client' })).toBe(true);
    const outbox = await server.store.outbox.listOfUser(target.user.userId);
    expect(outbox.at(-1)).toMatchObject({ recipient: '3125550199@tmomail.net' });
    expectFailure(await failure(admin.users.sendSms({ userId: target.user.userId, message: '' })), 400, 'InvalidParameter', 'message');

    expect(await admin.users.resetSessions({ id: target.user.userId })).toBe(true);
    expectFailure(await failure(admin.users.resetSessions({ id: world.mbUserB1.user.userId })), 404, 'ObjectNotFound');
  });
});

describe('keys', () => {
  it('create, getPrimary, list, delete', async () => {
    covers('createKey', 'getPrimaryKey', 'listKeys', 'deleteKey');
    const owner = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    const api = as(owner.key);
    const created = await api.keys.create({ userId: owner.user.userId, visibility: 'Shared' });
    expect((await as(created.key).users.me()).userId).toBe(owner.user.userId);
    expectFailure(await failure(api.keys.create({ userId: owner.user.userId, visibility: 'Secret' as 'Shared' })), 400, 'InvalidParameter', 'visibility');

    expect((await api.keys.getPrimary({ userId: owner.user.userId })).key).toBe(owner.key);
    expectFailure(await failure(api.keys.getPrimary({ userId: world.mbUserA1b.user.userId })), 403, 'AccessDenied');

    const listed = await api.keys.list({ userId: owner.user.userId });
    expect(listed.map((k) => k.keyId)).toContain(created.keyId);
    expectFailure(await failure(api.keys.list({ userId: world.mbUserB1.user.userId })), 404, 'ObjectNotFound');

    expect(await api.keys.delete({ keyId: created.keyId })).toBe(true);
    expectFailure(await failure(as(created.key).users.me()), 401, 'InvalidAPIKey');
    expectFailure(await failure(api.keys.delete({ keyId: created.keyId })), 404, 'ObjectNotFound');
  });
});

describe('networks, mailboxes and audit', () => {
  it('networks: get, list, update', async () => {
    covers('getNetwork', 'listNetworks', 'updateNetwork');
    const api = as(world.netAdminA.key);
    expect((await api.networks.get({ id: world.netA.networkId })).networkId).toBe(world.netA.networkId);
    expectFailure(await failure(api.networks.get({ id: world.netB.networkId })), 404, 'ObjectNotFound');
    const list = await api.networks.list();
    expect(list.networks.map((n) => n.networkId)).toEqual([world.netA.networkId]);
    expect(list.totalRecords).toBe(1);
    expect((await api.networks.update({ networkId: world.netA.networkId, city: 'Chicago', state: 'il' })).state).toBe('IL');
    expectFailure(await failure(api.networks.update({ networkId: world.netA.networkId, website: 'not a url' })), 400, 'InvalidParameter', 'website');
  });

  it('networks (extensions): create, terminate, status in update', async () => {
    covers('createNetwork', 'terminateNetwork');
    const api = as(world.techOps.key);
    const network = await api.networks.create({ uniqueId: 'CLIENTNET', companyName: 'Client Net', state: 'ny' });
    expect(network).toMatchObject({ uniqueId: 'CLIENTNET', status: 'Active', state: 'NY' });
    expectFailure(await failure(api.networks.create({ uniqueId: 'clientnet', companyName: 'Again' })), 400, 'DuplicateObject', 'uniqueId');
    expectFailure(await failure(as(world.netAdminA.key).networks.create({ uniqueId: 'CLIENTNET2', companyName: 'No' })), 403, 'AccessDenied');
    expect((await api.networks.update({ networkId: network.networkId, status: 'Suspended' })).status).toBe('Suspended');
    expectFailure(await failure(api.networks.update({ networkId: network.networkId, status: 'Terminated' })), 400, 'InvalidParameter', 'status');
    expect(await api.networks.terminate({ id: network.networkId })).toBeNull();
    expectFailure(await failure(api.networks.terminate({ id: world.netA.networkId })), 400, 'InvalidParameter', 'id');
  });

  it('mailboxes: create, get, list, update, terminate', async () => {
    covers('createMailbox', 'getMailbox', 'listMailboxes', 'updateMailbox', 'terminateMailbox');
    const api = as(world.netAdminA.key);
    const mailbox = await api.mailboxes.create({ networkId: world.netA.networkId, uniqueId: 'CLIENTBOX', companyName: 'Client Box' });
    expectFailure(await failure(api.mailboxes.create({ networkId: world.netA.networkId, uniqueId: 'clientbox', companyName: 'Again' })), 400, 'DuplicateObject', 'uniqueId');
    expect((await api.mailboxes.get({ id: mailbox.mailboxId })).uniqueId).toBe('CLIENTBOX');
    expectFailure(await failure(api.mailboxes.get({ id: world.mbB1.mailboxId })), 404, 'ObjectNotFound');
    expect((await api.mailboxes.list({ networkId: world.netA.networkId })).mailboxes.map((m) => m.mailboxId)).toContain(mailbox.mailboxId);
    expect((await api.mailboxes.update({ mailboxId: mailbox.mailboxId, companyName: 'Renamed Box' })).companyName).toBe('Renamed Box');
    expectFailure(await failure(api.mailboxes.update({ mailboxId: mailbox.mailboxId, state: 'Illinois' })), 400, 'InvalidParameter', 'state');
    expect(await api.mailboxes.terminate({ id: mailbox.mailboxId })).toBeNull();
    expectFailure(await failure(api.mailboxes.terminate({ id: world.mbA1.mailboxId })), 400, 'InvalidParameter');
  });

  it('audit: list', async () => {
    covers('listAuditEvents');
    const page = await as(world.netAdminA.key).audit.list({ targetType: 'mailbox', recordsPerPage: 5 });
    expect(page.events.length).toBeGreaterThan(0);
    expect(page.events.every((e) => e.targetType === 'mailbox')).toBe(true);
    expectFailure(await failure(as(world.netUserA.key).audit.list()), 403, 'AccessDenied');
  });

  it('every operation of the table was exercised by this file', () => {
    expect([...exercised].sort()).toEqual(Object.keys(OPERATION_ROUTES).sort());
  });
});

describe('retries', () => {
  it('an idempotent call waits out a real 429 (Retry-After) and succeeds; a non-idempotent one throws it at once', async () => {
    const limited = await startTestServer({ ECGRID_DEMO: '1', ECGRID_RATE_LIMIT: 'on', ECGRID_RATE_CREDENTIAL: '1' });
    try {
      const client = createClient({ baseUrl: limited.url, apiKey: limited.rootKey, retries: 3 });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 4 }, () => client.users.get({ id: 1042 })));
      expect(results.every((u) => u.userId === 1042)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      await Promise.all([client.users.me(), client.users.me()]).catch(() => undefined);
      const error = await failure(client.users.create({ login: 'limited', password: 'L1mited!Pass', email: 'l@example.com', networkId: 1, mailboxId: 101 }));
      expectFailure(error, 429, 'RateLimitExceeded');
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('5xx and lost connections are retried with backoff for idempotent calls only', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('socket hang up');
      if (calls === 2) return new Response('{"success":false,"data":null,"errorCode":"InternalError","message":"busy"}', { status: 503 });
      return fetch(input, init);
    };
    const client = createClient({ baseUrl: server.url, apiKey: server.rootKey, fetch: flaky, backoffMs: 10 });
    expect((await client.users.get({ id: 1042 })).userId).toBe(1042);
    expect(calls).toBe(3);

    calls = 0;
    const error = await failure(client.users.sendSms({ userId: 1042, message: 'once' }));
    expectFailure({ ...error, requestId: 'none' } as EcgridError, 0, 'NetworkError');
    expect(calls).toBe(1);
  });
});

describe('package', () => {
  it('the built client imports nothing but its own files (no runtime dependency beyond fetch)', () => {
    const dist = resolve(fileURLToPath(new URL('../../dist/client/index.js', import.meta.url)));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        expect(specifier!.startsWith('.'), `${file} imports ${specifier}`).toBe(true);
        visit(join(dirname(file), specifier!));
      }
    };
    visit(dist);
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('the typed surface has one method per operation', () => {
    const client = root() as unknown as Record<string, Record<string, unknown>>;
    for (const route of Object.values(OPERATION_ROUTES)) {
      const [namespace, method] = route.client.split('.') as [string, string];
      expect(typeof client[namespace]?.[method], route.client).toBe('function');
    }
    const typed: EcgridClient = root();
    expect(typeof typed.users.update).toBe('function');
  });
});
