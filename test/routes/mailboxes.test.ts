/**
 * Mailboxes (API.md §6) over HTTP: create, get, list, update, terminate; the
 * reference's mailboxes 5001/5002 of network 1001; uniqueness, scope,
 * permission rows, the "no live users" rule, audit.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { createMailbox, createNetwork, createUser, TEST_PASSWORD, type TestServer } from '../support/server.js';
import type { MailboxList, MailboxIDInfo } from '../../src/contract/tenancy.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;

async function mailboxEvents(mailboxId: number) {
  return (await server.store.audit.list({ kind: 'system' }, { targetType: 'mailbox', targetId: mailboxId }, { pageNo: 1, recordsPerPage: 50 })).events;
}

let serial = 0;
const uniqueId = () => `MB${process.pid % 10000}T${++serial}`.slice(0, 12);

describe('POST /v2/mailboxes/create', () => {
  it('the reference example: a new mailbox in network 1001, Active, audited', async () => {
    const created = expectOk(await api().post<MailboxIDInfo>('/v2/mailboxes/create', { networkId: 1001, uniqueId: 'ACMEMBOX03', companyName: 'Acme Corporation' }));
    expect(created).toMatchObject({ networkId: 1001, uniqueId: 'ACMEMBOX03', companyName: 'Acme Corporation', status: 'Active' });
    expect(Object.keys(created).slice(0, 7)).toEqual(['mailboxId', 'networkId', 'uniqueId', 'companyName', 'status', 'created', 'modified']);
    expect(created.mailboxId).toBeGreaterThan(5002);
    expect(await server.store.mailboxes.findById(created.mailboxId)).toMatchObject({ networkId: 1001, uniqueId: 'ACMEMBOX03', status: 'Active' });
    const [event] = await mailboxEvents(created.mailboxId);
    expect(event).toMatchObject({
      action: 'mailbox.create',
      actorUserId: 1,
      targetNetworkId: 1001,
      targetMailboxId: created.mailboxId,
      changes: { networkId: { old: null, new: 1001 }, uniqueId: { old: null, new: 'ACMEMBOX03' }, status: { old: null, new: 'Active' } },
    });
  });

  it('a uniqueId taken in the network (any case) is DuplicateObject and nothing is written; in another network it is free', async () => {
    const before = (await server.store.mailboxes.list({ kind: 'system' }, { networkId: 1001 }, { pageNo: 1, recordsPerPage: 500 })).total;
    for (const taken of ['ACMEMBOX01', 'acmembox01']) {
      const reply = await api().post('/v2/mailboxes/create', { networkId: 1001, uniqueId: taken, companyName: 'Again' });
      expectError(reply, 400, 'DuplicateObject', 'uniqueId');
    }
    expect((await server.store.mailboxes.list({ kind: 'system' }, { networkId: 1001 }, { pageNo: 1, recordsPerPage: 500 })).total).toBe(before);
    expectOk(await api().post('/v2/mailboxes/create', { networkId: 1, uniqueId: 'ACMEMBOX01', companyName: 'Elsewhere' }));
  });

  it('a network that is missing, Terminated or outside the scope is 400 naming networkId, with the same words', async () => {
    const terminated = await createNetwork(server, { status: 'Terminated' });
    const missing = await api().post('/v2/mailboxes/create', { networkId: 777777, uniqueId: uniqueId(), companyName: 'X' });
    const dead = await api().post('/v2/mailboxes/create', { networkId: terminated.networkId, uniqueId: uniqueId(), companyName: 'X' });
    const outOfScope = await api().as(world.netAdminA.key).post('/v2/mailboxes/create', { networkId: world.netB.networkId, uniqueId: uniqueId(), companyName: 'X' });
    for (const reply of [missing, dead, outOfScope]) expectError(reply, 400, 'InvalidParameter', 'networkId');
    expect(new Set([missing, dead, outOfScope].map((r) => r.body.message)).size).toBe(1);
  });

  it('permission rows: NetworkAdmin of the network and NetOps and above may; other members 403', async () => {
    const byNetAdmin = expectOk(await api().as(world.netAdminA.key).post<MailboxIDInfo>('/v2/mailboxes/create', { networkId: world.netA.networkId, uniqueId: uniqueId(), companyName: 'By admin' }));
    expect(byNetAdmin.networkId).toBe(world.netA.networkId);
    expect((await mailboxEvents(byNetAdmin.mailboxId))[0]?.actorUserId).toBe(world.netAdminA.user.userId);
    expectOk(await api().as(world.techOps.key).post('/v2/mailboxes/create', { networkId: world.netB.networkId, uniqueId: uniqueId(), companyName: 'By TechOps' }));
    for (const member of [world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      const reply = await api().as(member.key).post('/v2/mailboxes/create', { networkId: world.netA.networkId, uniqueId: uniqueId(), companyName: 'Nope' });
      expectError(reply, 403, 'AccessDenied');
    }
  });

  it.each([
    ['networkId', { networkId: undefined }],
    ['networkId', { networkId: 0 }],
    ['uniqueId', { uniqueId: undefined }],
    ['uniqueId', { uniqueId: 'THIRTEENCHARS' }],
    ['uniqueId', { uniqueId: 'has space' }],
    ['uniqueId', { uniqueId: 'dash-ed' }],
    ['uniqueId', { uniqueId: '' }],
    ['companyName', { companyName: undefined }],
    ['companyName', { companyName: '   ' }],
  ])('rejects a bad %s with 400 naming it', async (field, over) => {
    const body = { networkId: 1001, uniqueId: 'VALID1', companyName: 'Valid', ...over };
    expectError(await api().post('/v2/mailboxes/create', body), 400, 'InvalidParameter', field);
  });
});

describe('GET /v2/mailboxes/{id}', () => {
  it('the reference example: mailbox 5001 of network 1001', async () => {
    const mailbox = expectOk(await api().get<MailboxIDInfo>('/v2/mailboxes/5001'));
    expect(mailbox).toMatchObject({ mailboxId: 5001, networkId: 1001, uniqueId: 'ACMEMBOX01', companyName: 'Acme Corporation', status: 'Active', created: '2020-03-15T08:00:00Z' });
  });

  it('scope: a mailbox member sees its mailbox only; the network sees all of its mailboxes; others 404 like missing', async () => {
    expectOk(await api().as(world.mbUserA1.key).get(`/v2/mailboxes/${world.mbA1.mailboxId}`));
    expectOk(await api().as(world.netUserA.key).get(`/v2/mailboxes/${world.mbA2.mailboxId}`));
    const sibling = await api().as(world.mbUserA1.key).get(`/v2/mailboxes/${world.mbA2.mailboxId}`);
    expectError(sibling, 404, 'ObjectNotFound');
    expect(sibling.body.message).toBe(`Mailbox ${world.mbA2.mailboxId} not found.`);
    const otherNetwork = await api().as(world.netAdminA.key).get(`/v2/mailboxes/${world.mbB1.mailboxId}`);
    expect(otherNetwork.body.message).toBe(`Mailbox ${world.mbB1.mailboxId} not found.`);
    const missing = await api().get('/v2/mailboxes/777777');
    expectError(missing, 404, 'ObjectNotFound');
    expect(missing.body.message).toBe('Mailbox 777777 not found.');
    expectError(await api().get('/v2/mailboxes/x'), 400, 'InvalidParameter', 'id');
  });
});

describe('POST /v2/mailboxes/list', () => {
  it('the reference example: the mailboxes of network 1001, by mailboxId, with the paging envelope', async () => {
    const list = expectOk(await api().post<MailboxList>('/v2/mailboxes/list', { networkId: 1001, pageNo: 1, recordsPerPage: 25 }));
    expect(Object.keys(list)).toEqual(['totalRecords', 'pageNo', 'recordsPerPage', 'mailboxes']);
    const ids = list.mailboxes.map((m) => m.mailboxId);
    expect(ids.slice(0, 2)).toEqual([5001, 5002]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(list.mailboxes.every((m) => m.networkId === 1001)).toBe(true);
    expect(list.totalRecords).toBe(ids.length);
  });

  it('in scope only: a network sees its mailboxes, a mailbox member its own; a filter outside is empty', async () => {
    const ofA = expectOk(await api().as(world.netUserA.key).post<MailboxList>('/v2/mailboxes/list', {}));
    expect(ofA.mailboxes.every((m) => m.networkId === world.netA.networkId)).toBe(true);
    expect(ofA.mailboxes.map((m) => m.mailboxId)).toEqual(expect.arrayContaining([world.mbA1.mailboxId, world.mbA2.mailboxId]));
    const own = expectOk(await api().as(world.mbUserA1.key).post<MailboxList>('/v2/mailboxes/list', { networkId: 0 }));
    expect(own.mailboxes.map((m) => m.mailboxId)).toEqual([world.mbA1.mailboxId]);
    const outside = expectOk(await api().as(world.netAdminA.key).post<MailboxList>('/v2/mailboxes/list', { networkId: world.netB.networkId }));
    expect(outside).toEqual({ totalRecords: 0, pageNo: 1, recordsPerPage: 25, mailboxes: [] });
  });

  it('filters by status and pages', async () => {
    const network = await createNetwork(server);
    const live = await createMailbox(server, network.networkId);
    const suspended = await createMailbox(server, network.networkId, { status: 'Suspended' });
    const bySuspended = expectOk(await api().post<MailboxList>('/v2/mailboxes/list', { networkId: network.networkId, status: 'SUSPENDED' }));
    expect(bySuspended.mailboxes.map((m) => m.mailboxId)).toEqual([suspended.mailboxId]);
    const page2 = expectOk(await api().post<MailboxList>('/v2/mailboxes/list', { networkId: network.networkId, recordsPerPage: 1, pageNo: 2 }));
    expect(page2).toMatchObject({ totalRecords: 2, pageNo: 2, recordsPerPage: 1 });
    expect(page2.mailboxes.map((m) => m.mailboxId)).toEqual([suspended.mailboxId]);
    expect(live.mailboxId).toBeLessThan(suspended.mailboxId);
  });

  it.each([
    ['recordsPerPage', { recordsPerPage: 501 }],
    ['pageNo', { pageNo: -1 }],
    ['status', { status: 'Gone' }],
    ['networkId', { networkId: 'one' }],
  ])('rejects a bad %s with 400 naming it', async (field, body) => {
    expectError(await api().post('/v2/mailboxes/list', body), 400, 'InvalidParameter', field);
  });
});

describe('POST /v2/mailboxes/update', () => {
  it('the reference example: renames mailbox 5002 and sets its address; the row as stored; audited', async () => {
    const body = { mailboxId: 5002, companyName: 'Acme Corp EDI', address1: '1 Dock Road', city: 'Chicago', state: 'il', zip: '60602', website: 'https://edi.acme.example.com' };
    const updated = expectOk(await api().post<MailboxIDInfo>('/v2/mailboxes/update', body));
    expect(updated).toMatchObject({ ...body, state: 'IL', networkId: 1001, uniqueId: 'ACMEMBOX02' });
    expect(await server.store.mailboxes.findById(5002)).toMatchObject({ companyName: 'Acme Corp EDI', state: 'IL' });
    const [event] = await mailboxEvents(5002);
    expect(event).toMatchObject({ action: 'mailbox.update', changes: { companyName: { old: 'Acme Corporation', new: 'Acme Corp EDI' }, state: { old: '', new: 'IL' } } });
  });

  it('an update that changes nothing writes nothing', async () => {
    const before = await server.store.mailboxes.findById(world.mbA1.mailboxId);
    const count = (await mailboxEvents(world.mbA1.mailboxId)).length;
    expectOk(await api().post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, companyName: before!.companyName }));
    expect(await server.store.mailboxes.findById(world.mbA1.mailboxId)).toEqual(before);
    expect(await mailboxEvents(world.mbA1.mailboxId)).toHaveLength(count);
  });

  it('permission rows: its MailboxAdmin, its NetworkAdmin, NetOps and above; members 403; another mailbox 404', async () => {
    expectOk(await api().as(world.mbAdminA1.key).post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, city: 'By mailbox admin' }));
    expectOk(await api().as(world.netAdminA.key).post('/v2/mailboxes/update', { mailboxId: world.mbA2.mailboxId, city: 'By network admin' }));
    expectOk(await api().as(world.techOps.key).post('/v2/mailboxes/update', { mailboxId: world.mbB1.mailboxId, city: 'By TechOps' }));
    for (const member of [world.mbUserA1, world.netUserA]) {
      expectError(await api().as(member.key).post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, city: 'Nope' }), 403, 'AccessDenied');
    }
    const sibling = await api().as(world.mbAdminA1.key).post('/v2/mailboxes/update', { mailboxId: world.mbA2.mailboxId, city: 'Nope' });
    expectError(sibling, 404, 'ObjectNotFound');
    expect(sibling.body.message).toBe(`Mailbox ${world.mbA2.mailboxId} not found.`);
    expectError(await api().as(world.netAdminB.key).post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, city: 'Nope' }), 404, 'ObjectNotFound');
    expect((await server.store.mailboxes.findById(world.mbA1.mailboxId))?.city).toBe('By mailbox admin');
    expect((await server.store.mailboxes.findById(world.mbA2.mailboxId))?.city).toBe('By network admin');
  });

  it.each([
    ['mailboxId', { mailboxId: undefined }],
    ['state', { state: 'Illinois' }],
    ['website', { website: 'javascript:alert(1)' }],
    ['companyName', { companyName: '' }],
    ['city', { city: 'c'.repeat(65) }],
  ])('rejects a bad %s with 400 naming it', async (field, over) => {
    expectError(await api().post('/v2/mailboxes/update', { mailboxId: 5001, ...over }), 400, 'InvalidParameter', field);
  });
});

describe('DELETE /v2/mailboxes/{id}', () => {
  it('is refused while users that are not Terminated remain; nothing is lost; then terminates', async () => {
    const mailbox = await createMailbox(server, world.netA.networkId);
    const active = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: mailbox.mailboxId });
    const suspended = await createUser(server, { authLevel: 'MailboxUser', networkId: world.netA.networkId, mailboxId: mailbox.mailboxId, status: 'Suspended' });

    const refused = await api().as(world.netAdminA.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`);
    expectError(refused, 400, 'InvalidParameter', 'id');
    expect(refused.body.message).toContain('2 user');
    expect((await server.store.mailboxes.findById(mailbox.mailboxId))?.status).toBe('Active');
    expect((await server.store.users.findById(active.user.userId))?.status).toBe('Active');
    expectOk(await api().as(active.key).get('/v2/users/me'));

    expectOk(await api().delete(`/v2/users/${active.user.userId}`));
    expectError(await api().as(world.netAdminA.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`), 400, 'InvalidParameter', 'id');
    expectOk(await api().delete(`/v2/users/${suspended.user.userId}`));

    const done = await api().as(world.netAdminA.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ success: true, data: null, errorCode: '', message: 'Mailbox terminated.' });
    expect((await server.store.mailboxes.findById(mailbox.mailboxId))?.status).toBe('Terminated');
    const [event] = await mailboxEvents(mailbox.mailboxId);
    expect(event).toMatchObject({ action: 'mailbox.terminate', actorUserId: world.netAdminA.user.userId, changes: { status: { old: 'Active', new: 'Terminated' } } });

    // For good: no second termination, no update, no new users in it.
    expectError(await api().delete(`/v2/mailboxes/${mailbox.mailboxId}`), 400, 'InvalidParameter', 'id');
    expectError(await api().post('/v2/mailboxes/update', { mailboxId: mailbox.mailboxId, city: 'x' }), 400, 'InvalidParameter', 'mailboxId');
    const newUser = { login: 'intodeadbox', password: TEST_PASSWORD, email: 'dead@example.com', networkId: world.netA.networkId, mailboxId: mailbox.mailboxId };
    expectError(await api().post('/v2/users', newUser), 400, 'InvalidParameter', 'mailboxId');
  });

  it('the reference example: terminating the empty mailbox 5002', async () => {
    const reply = await api().delete('/v2/mailboxes/5002');
    expect(reply.body).toEqual({ success: true, data: null, errorCode: '', message: 'Mailbox terminated.' });
    // 5001 holds user 12345.
    expectError(await api().delete('/v2/mailboxes/5001'), 400, 'InvalidParameter', 'id');
    expect((await server.store.mailboxes.findById(5001))?.status).toBe('Active');
  });

  it('permission rows: NetworkAdmin of its network and NetOps and above; its MailboxAdmin 403; out of scope 404 like missing', async () => {
    const mailbox = await createMailbox(server, world.netA.networkId);
    const admin = await createUser(server, { authLevel: 'MailboxAdmin', networkId: world.netA.networkId, mailboxId: mailbox.mailboxId });
    expectError(await api().as(admin.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`), 403, 'AccessDenied');
    expectError(await api().as(world.netUserA.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`), 403, 'AccessDenied');
    const outOfScope = await api().as(world.netAdminB.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`);
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`Mailbox ${mailbox.mailboxId} not found.`);
    expect((await api().delete('/v2/mailboxes/777777')).body.message).toBe('Mailbox 777777 not found.');
    expectOk(await api().delete(`/v2/users/${admin.user.userId}`));
    const empty = await createMailbox(server, world.netB.networkId);
    expectOk(await api().as(world.techOps.key).delete(`/v2/mailboxes/${empty.mailboxId}`));
    expectOk(await api().as(world.netAdminA.key).delete(`/v2/mailboxes/${mailbox.mailboxId}`));
  });
});
