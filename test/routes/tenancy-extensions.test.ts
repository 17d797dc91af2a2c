/**
 * Extensions of §6 (README "Keys, networks and mailboxes: decisions"):
 * POST /v2/networks/create, DELETE /v2/networks/{id}, and `status` in
 * PUT /v2/networks and POST /v2/mailboxes/update (suspend / reactivate).
 * Over HTTP on the real store: permission rows, 400 naming the field, out of
 * scope read as missing, audit in the same transaction, nothing written on a refusal.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { createMailbox, createNetwork, createUser, type TestServer } from '../support/server.js';
import type { MailboxIDInfo, NetworkIDInfo } from '../../src/contract/tenancy.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;
let counter = 0;
const uniqueId = () => `X${process.pid % 10000}n${++counter}`.slice(0, 12);

async function eventsOf(targetType: 'network' | 'mailbox', targetId: number) {
  return (await server.store.audit.list({ kind: 'system' }, { targetType, targetId }, { pageNo: 1, recordsPerPage: 50 })).events;
}

async function networksNamed(id: string) {
  return (await server.store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 })).networks.filter((n) => n.uniqueId === id);
}

describe('POST /v2/networks/create (extension)', () => {
  it('NetOps and above create a network, Active by default, with its address; the row as stored; audited', async () => {
    const id = uniqueId();
    const netOps = await createUser(server, { authLevel: 'NetOps', networkId: 0, mailboxId: 0 });
    const created = expectOk(await api().as(netOps.key).post<NetworkIDInfo>('/v2/networks/create', { uniqueId: id, companyName: 'Globex', city: 'Cypress Creek', state: 'or' }));
    expect(created).toMatchObject({ uniqueId: id, companyName: 'Globex', status: 'Active', city: 'Cypress Creek', state: 'OR', address1: '' });
    expect(await server.store.networks.findById(created.networkId)).toMatchObject({ uniqueId: id, status: 'Active', state: 'OR' });
    const [event] = await eventsOf('network', created.networkId);
    expect(event).toMatchObject({
      action: 'network.create', actorUserId: netOps.user.userId, targetNetworkId: created.networkId,
      changes: { uniqueId: { old: null, new: id }, status: { old: null, new: 'Active' }, city: { old: null, new: 'Cypress Creek' } },
    });
    const suspended = expectOk(await api().as(world.techOps.key).post<NetworkIDInfo>('/v2/networks/create', { uniqueId: uniqueId(), companyName: 'Initech', status: 'Suspended' }));
    expect(suspended.status).toBe('Suspended');
  });

  it('a taken uniqueId is DuplicateObject naming it; nothing is written', async () => {
    const first = expectOk(await api().post<NetworkIDInfo>('/v2/networks/create', { uniqueId: uniqueId(), companyName: 'One' }));
    const again = await api().post('/v2/networks/create', { uniqueId: first.uniqueId, companyName: 'Two' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ success: false, errorCode: 'DuplicateObject' });
    expect(again.body.message.startsWith('uniqueId:')).toBe(true);
    expect(await networksNamed(first.uniqueId)).toHaveLength(1);
  });

  it.each([
    ['uniqueId', { companyName: 'X' }],
    ['uniqueId', { uniqueId: 'has space', companyName: 'X' }],
    ['uniqueId', { uniqueId: 'A'.repeat(13), companyName: 'X' }],
    ['companyName', { uniqueId: 'OK1' }],
    ['companyName', { uniqueId: 'OK1', companyName: '' }],
    ['status', { uniqueId: 'OK1', companyName: 'X', status: 'Closed' }],
    ['state', { uniqueId: 'OK1', companyName: 'X', state: 'ILL' }],
    ['website', { uniqueId: 'OK1', companyName: 'X', website: 'not a url' }],
  ])('rejects a bad %s with 400 naming it', async (field, body) => {
    expectError(await api().post('/v2/networks/create', body), 400, 'InvalidParameter', field);
    expect(await networksNamed('OK1')).toHaveLength(0);
  });

  it('network- and mailbox-scoped callers, admins included, are 403 and create nothing', async () => {
    for (const member of [world.netAdminA, world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      const id = uniqueId();
      expectError(await api().as(member.key).post('/v2/networks/create', { uniqueId: id, companyName: 'Nope' }), 403, 'AccessDenied');
      expect(await networksNamed(id)).toHaveLength(0);
    }
  });
});

describe('DELETE /v2/networks/{id} (extension)', () => {
  it('refused (400 naming id) while mailboxes or users that are not Terminated remain; then terminates, audited', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const user = await createUser(server, { authLevel: 'NetworkUser', networkId: network.networkId, mailboxId: 0 });
    const path = `/v2/networks/${network.networkId}`;

    const withBoth = await api().delete(path);
    expectError(withBoth, 400, 'InvalidParameter', 'id');
    expect(withBoth.body.message).toContain('1 mailbox(es) and 1 user(s)');
    expect((await server.store.networks.findById(network.networkId))?.status).toBe('Active');
    expect(await eventsOf('network', network.networkId)).toHaveLength(0);

    expectOk(await api().delete(`/v2/mailboxes/${mailbox.mailboxId}`));
    expectError(await api().delete(path), 400, 'InvalidParameter', 'id');
    expectOk(await api().delete(`/v2/users/${user.user.userId}`));

    const done = await api().as(world.techOps.key).delete(path);
    expect(done.body).toEqual({ success: true, data: null, errorCode: '', message: 'Network terminated.' });
    expect((await server.store.networks.findById(network.networkId))?.status).toBe('Terminated');
    const [event] = await eventsOf('network', network.networkId);
    expect(event).toMatchObject({ action: 'network.terminate', actorUserId: world.techOps.user.userId, changes: { status: { old: 'Active', new: 'Terminated' } } });

    // Terminated is for good: again is 400, an update is refused, a mailbox cannot be created in it.
    expectError(await api().delete(path), 400, 'InvalidParameter', 'id');
    expectError(await api().put('/v2/networks', { networkId: network.networkId, status: 'Active' }), 400, 'InvalidParameter', 'networkId');
    expectError(await api().post('/v2/mailboxes/create', { networkId: network.networkId, uniqueId: uniqueId(), companyName: 'X' }), 400, 'InvalidParameter', 'networkId');
  });

  it('a Suspended network with only Terminated mailboxes terminates', async () => {
    const network = await createNetwork(server, { status: 'Suspended' });
    await createMailbox(server, network.networkId, { status: 'Terminated' });
    expectOk(await api().delete(`/v2/networks/${network.networkId}`));
    expect((await server.store.networks.findById(network.networkId))?.status).toBe('Terminated');
  });

  it('permission rows: its NetworkAdmin and other members 403; another network 404 like a missing one; nothing changes', async () => {
    const empty = await createNetwork(server);
    const own = await createUser(server, { authLevel: 'NetworkAdmin', networkId: empty.networkId, mailboxId: 0 });
    // Its own NetworkAdmin is a live user: the 403 comes before the "still has users" 400.
    expectError(await api().as(own.key).delete(`/v2/networks/${empty.networkId}`), 403, 'AccessDenied');
    for (const member of [world.netAdminA, world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      expectError(await api().as(member.key).delete(`/v2/networks/${world.netA.networkId}`), 403, 'AccessDenied');
    }
    const outOfScope = await api().as(world.netAdminA.key).delete(`/v2/networks/${empty.networkId}`);
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`Network ${empty.networkId} not found.`);
    const missing = await api().delete('/v2/networks/777777');
    expectError(missing, 404, 'ObjectNotFound');
    expect(missing.body.message).toBe('Network 777777 not found.');
    expect((await server.store.networks.findById(empty.networkId))?.status).toBe('Active');
    expect(await eventsOf('network', empty.networkId)).toHaveLength(0);
  });

  it('validates the id', async () => {
    expectError(await api().delete('/v2/networks/abc'), 400, 'InvalidParameter', 'id');
    expectError(await api().delete('/v2/networks/0'), 400, 'InvalidParameter', 'id');
  });
});

describe('status in PUT /v2/networks (extension)', () => {
  it('suspends and reactivates, with an address change in the same request; audited with old and new status', async () => {
    const network = await createNetwork(server);
    const suspended = expectOk(await api().put<NetworkIDInfo>('/v2/networks', { networkId: network.networkId, status: 'suspended', city: 'Ogdenville' }));
    expect(suspended).toMatchObject({ status: 'Suspended', city: 'Ogdenville' });
    expect(await server.store.networks.findById(network.networkId)).toMatchObject({ status: 'Suspended', city: 'Ogdenville' });
    const [event] = await eventsOf('network', network.networkId);
    expect(event).toMatchObject({ action: 'network.update', changes: { status: { old: 'Active', new: 'Suspended' }, city: { old: '', new: 'Ogdenville' } } });
    // Its NetworkAdmin may too (the update row); the same status again writes nothing.
    const reactivated = expectOk(await api().as(world.netAdminA.key).put<NetworkIDInfo>('/v2/networks', { networkId: world.netA.networkId, status: 'Active' }));
    expect(reactivated.status).toBe('Active');
    expectOk(await api().put('/v2/networks', { networkId: network.networkId, status: 'Active' }));
    const events = (await eventsOf('network', network.networkId)).length;
    expectOk(await api().put('/v2/networks', { networkId: network.networkId, status: 'Active' }));
    expect(await eventsOf('network', network.networkId)).toHaveLength(events);
  });

  it('Terminated is refused (400 naming status, pointing at DELETE); a bad status is 400; nothing is written', async () => {
    const network = await createNetwork(server);
    const refused = await api().put('/v2/networks', { networkId: network.networkId, status: 'Terminated', city: 'Nope' });
    expectError(refused, 400, 'InvalidParameter', 'status');
    expect(refused.body.message).toContain(`DELETE /v2/networks/${network.networkId}`);
    expectError(await api().put('/v2/networks', { networkId: network.networkId, status: 'Closed' }), 400, 'InvalidParameter', 'status');
    expect(await server.store.networks.findById(network.networkId)).toMatchObject({ status: 'Active', city: '' });
    expect(await eventsOf('network', network.networkId)).toHaveLength(0);
  });

  it('members without the update row are 403, another network 404; nothing changes', async () => {
    for (const member of [world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      expectError(await api().as(member.key).put('/v2/networks', { networkId: world.netA.networkId, status: 'Suspended' }), 403, 'AccessDenied');
    }
    expectError(await api().as(world.netAdminA.key).put('/v2/networks', { networkId: world.netB.networkId, status: 'Suspended' }), 404, 'ObjectNotFound');
    // An out-of-scope Terminated request reads as missing too, not as the status refusal.
    expectError(await api().as(world.netAdminA.key).put('/v2/networks', { networkId: world.netB.networkId, status: 'Terminated' }), 404, 'ObjectNotFound');
    expect((await server.store.networks.findById(world.netA.networkId))?.status).toBe('Active');
    expect((await server.store.networks.findById(world.netB.networkId))?.status).toBe('Active');
  });
});

describe('status in POST /v2/mailboxes/update (extension)', () => {
  it('suspends and reactivates; audited; its MailboxAdmin may (the update row)', async () => {
    const mailbox = await createMailbox(server, world.netA.networkId);
    const suspended = expectOk(await api().as(world.netAdminA.key).post<MailboxIDInfo>('/v2/mailboxes/update', { mailboxId: mailbox.mailboxId, status: 'Suspended' }));
    expect(suspended.status).toBe('Suspended');
    expect((await server.store.mailboxes.findById(mailbox.mailboxId))?.status).toBe('Suspended');
    const [event] = await eventsOf('mailbox', mailbox.mailboxId);
    expect(event).toMatchObject({ action: 'mailbox.update', actorUserId: world.netAdminA.user.userId, changes: { status: { old: 'Active', new: 'Suspended' } } });
    expect(expectOk(await api().post<MailboxIDInfo>('/v2/mailboxes/update', { mailboxId: mailbox.mailboxId, status: 'Active' })).status).toBe('Active');
    const own = expectOk(await api().as(world.mbAdminA1.key).post<MailboxIDInfo>('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, status: 'Preproduction' }));
    expect(own.status).toBe('Preproduction');
    expectOk(await api().post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, status: 'Active' }));
  });

  it('Terminated is refused (400 naming status, pointing at DELETE); nothing is written', async () => {
    const mailbox = await createMailbox(server, world.netA.networkId);
    const refused = await api().post('/v2/mailboxes/update', { mailboxId: mailbox.mailboxId, status: 'Terminated', companyName: 'Nope' });
    expectError(refused, 400, 'InvalidParameter', 'status');
    expect(refused.body.message).toContain(`DELETE /v2/mailboxes/${mailbox.mailboxId}`);
    expect(await server.store.mailboxes.findById(mailbox.mailboxId)).toMatchObject({ status: 'Active', companyName: mailbox.companyName });
    expect(await eventsOf('mailbox', mailbox.mailboxId)).toHaveLength(0);
  });

  it('a MailboxUser is 403, another mailbox out of scope 404; a Terminated mailbox stays Terminated', async () => {
    expectError(await api().as(world.mbUserA1.key).post('/v2/mailboxes/update', { mailboxId: world.mbA1.mailboxId, status: 'Suspended' }), 403, 'AccessDenied');
    expectError(await api().as(world.mbAdminA1.key).post('/v2/mailboxes/update', { mailboxId: world.mbA2.mailboxId, status: 'Suspended' }), 404, 'ObjectNotFound');
    const dead = await createMailbox(server, world.netA.networkId, { status: 'Terminated' });
    expectError(await api().post('/v2/mailboxes/update', { mailboxId: dead.mailboxId, status: 'Active' }), 400, 'InvalidParameter', 'mailboxId');
    expect((await server.store.mailboxes.findById(dead.mailboxId))?.status).toBe('Terminated');
    expect((await server.store.mailboxes.findById(world.mbA2.mailboxId))?.status).toBe('Active');
  });
});
