/**
 * Networks (API.md §6) over HTTP: get, list, update; the reference's network
 * 1001, scope (404 like missing), permission rows, validation, audit.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { createMailbox, createNetwork, createUser, type TestServer } from '../support/server.js';
import type { NetworkList, NetworkIDInfo } from '../../src/contract/tenancy.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;

async function networkEvents(networkId: number) {
  return (await server.store.audit.list({ kind: 'system' }, { targetType: 'network', targetId: networkId }, { pageNo: 1, recordsPerPage: 50 })).events;
}

describe('GET /v2/networks/{id}', () => {
  it('the reference example: network 1001 MYNETWORK, Acme Corporation', async () => {
    const network = expectOk(await api().get<NetworkIDInfo>('/v2/networks/1001'));
    expect(network).toMatchObject({ networkId: 1001, uniqueId: 'MYNETWORK', companyName: 'Acme Corporation', status: 'Active', created: '2020-03-15T08:00:00Z' });
    expect(Object.keys(network).slice(0, 6)).toEqual(['networkId', 'uniqueId', 'companyName', 'status', 'created', 'modified']);
    expect(Object.keys(network).slice(6)).toEqual(['address1', 'address2', 'city', 'state', 'zip', 'phone', 'website']);
  });

  it('in scope for every member of the network, whatever its level', async () => {
    for (const member of [world.netAdminA, world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      expect(expectOk(await api().as(member.key).get<NetworkIDInfo>(`/v2/networks/${world.netA.networkId}`)).networkId).toBe(world.netA.networkId);
    }
    const tp = await createUser(server, { authLevel: 'TPUser', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId });
    expectOk(await api().as(tp.key).get(`/v2/networks/${world.netA.networkId}`));
    expectOk(await api().as(world.techOps.key).get(`/v2/networks/${world.netB.networkId}`));
  });

  it('another network is 404 with the same words as a missing one', async () => {
    const outOfScope = await api().as(world.netAdminA.key).get(`/v2/networks/${world.netB.networkId}`);
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`Network ${world.netB.networkId} not found.`);
    const missing = await api().get('/v2/networks/777777');
    expectError(missing, 404, 'ObjectNotFound');
    expect(missing.body.message).toBe('Network 777777 not found.');
  });

  it('validates the id', async () => {
    expectError(await api().get('/v2/networks/abc'), 400, 'InvalidParameter', 'id');
    expectError(await api().get('/v2/networks/0'), 400, 'InvalidParameter', 'id');
  });
});

describe('POST /v2/networks/list', () => {
  it('the reference example: networkId 0 = every network in scope, with the paging envelope', async () => {
    const list = expectOk(await api().post<NetworkList>('/v2/networks/list', { networkId: 0, pageNo: 1, recordsPerPage: 25 }));
    expect(Object.keys(list)).toEqual(['totalRecords', 'pageNo', 'recordsPerPage', 'networks']);
    expect(list).toMatchObject({ pageNo: 1, recordsPerPage: 25 });
    const ids = list.networks.map((n) => n.networkId);
    expect(ids).toEqual(expect.arrayContaining([1, 2, 1001, world.netA.networkId, world.netB.networkId]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(list.totalRecords).toBe(ids.length);
  });

  it('pages by networkId', async () => {
    const all = expectOk(await api().post<NetworkList>('/v2/networks/list', { recordsPerPage: 500 }));
    const page2 = expectOk(await api().post<NetworkList>('/v2/networks/list', { pageNo: 2, recordsPerPage: 2 }));
    expect(page2).toMatchObject({ totalRecords: all.totalRecords, pageNo: 2, recordsPerPage: 2 });
    expect(page2.networks.map((n) => n.networkId)).toEqual(all.networks.slice(2, 4).map((n) => n.networkId));
  });

  it('a network-scoped caller sees its own network only; a filter outside the scope is an empty list', async () => {
    const own = expectOk(await api().as(world.netAdminA.key).post<NetworkList>('/v2/networks/list', {}));
    expect(own.networks.map((n) => n.networkId)).toEqual([world.netA.networkId]);
    expect(own.totalRecords).toBe(1);
    const other = expectOk(await api().as(world.netAdminA.key).post<NetworkList>('/v2/networks/list', { networkId: world.netB.networkId }));
    expect(other).toEqual({ totalRecords: 0, pageNo: 1, recordsPerPage: 25, networks: [] });
    const mine = expectOk(await api().as(world.mbUserA1.key).post<NetworkList>('/v2/networks/list', {}));
    expect(mine.networks.map((n) => n.networkId)).toEqual([world.netA.networkId]);
  });

  it('filters by mailbox (the network holding it, if the mailbox is in scope) and by status', async () => {
    const holding = expectOk(await api().post<NetworkList>('/v2/networks/list', { mailboxId: 5001 }));
    expect(holding.networks.map((n) => n.networkId)).toEqual([1001]);
    expect(expectOk(await api().as(world.netAdminA.key).post<NetworkList>('/v2/networks/list', { mailboxId: world.mbA2.mailboxId })).networks.map((n) => n.networkId)).toEqual([world.netA.networkId]);
    expect(expectOk(await api().as(world.netAdminA.key).post<NetworkList>('/v2/networks/list', { mailboxId: world.mbB1.mailboxId })).totalRecords).toBe(0);
    // A mailbox-scoped caller does not learn about the other mailboxes of its network.
    expect(expectOk(await api().as(world.mbUserA1.key).post<NetworkList>('/v2/networks/list', { mailboxId: world.mbA2.mailboxId })).networks).toEqual([]);
    const suspended = await createNetwork(server, { status: 'Suspended' });
    const bySuspended = expectOk(await api().post<NetworkList>('/v2/networks/list', { status: 'suspended' }));
    expect(bySuspended.networks.map((n) => n.networkId)).toContain(suspended.networkId);
    expect(bySuspended.networks.every((n) => n.status === 'Suspended')).toBe(true);
  });

  it.each([
    ['recordsPerPage', { recordsPerPage: 501 }],
    ['recordsPerPage', { recordsPerPage: 0 }],
    ['pageNo', { pageNo: 0 }],
    ['status', { status: 'Closed' }],
    ['networkId', { networkId: -1 }],
    ['mailboxId', { mailboxId: 'x' }],
  ])('rejects a bad %s with 400 naming it', async (field, body) => {
    expectError(await api().post('/v2/networks/list', body), 400, 'InvalidParameter', field);
  });
});

describe('PUT /v2/networks', () => {
  const ADDRESS = {
    companyName: 'Acme Corporation',
    address1: '100 Main Street',
    address2: 'Suite 200',
    city: 'Chicago',
    state: 'IL',
    zip: '60601',
    phone: '312-555-0100',
    website: 'https://www.acme.example.com',
  };

  it('the reference example: updates network 1001 and returns it as stored; audited with old and new values', async () => {
    const updated = expectOk(await api().put<NetworkIDInfo>('/v2/networks', { networkId: 1001, ...ADDRESS }));
    expect(updated).toMatchObject({ networkId: 1001, uniqueId: 'MYNETWORK', ...ADDRESS, created: '2020-03-15T08:00:00Z' });
    expect(updated.modified).not.toBe('2020-03-15T08:00:00Z');
    const stored = await server.store.networks.findById(1001);
    expect(stored).toMatchObject(ADDRESS);
    const [event] = await networkEvents(1001);
    expect(event).toMatchObject({
      action: 'network.update',
      actorUserId: 1,
      targetNetworkId: 1001,
      changes: { city: { old: '', new: 'Chicago' }, website: { old: '', new: 'https://www.acme.example.com' } },
    });
    expect(event!.changes.companyName).toBeUndefined();
  });

  it('absent and null leave fields alone, "" clears, state is stored in capitals; no change writes nothing', async () => {
    const network = await createNetwork(server);
    expectOk(await api().put('/v2/networks', { networkId: network.networkId, address2: 'Floor 3', city: 'Boston' }));
    const cleared = expectOk(await api().put<NetworkIDInfo>('/v2/networks', { networkId: network.networkId, address2: '', city: null, state: 'ma' }));
    expect(cleared).toMatchObject({ address2: '', city: 'Boston', state: 'MA' });
    const before = await server.store.networks.findById(network.networkId);
    const eventsBefore = (await networkEvents(network.networkId)).length;
    const same = expectOk(await api().put<NetworkIDInfo>('/v2/networks', { NetworkId: String(network.networkId), City: '  Boston  ' }));
    expect(same.city).toBe('Boston');
    expect(await server.store.networks.findById(network.networkId)).toEqual(before);
    expect(await networkEvents(network.networkId)).toHaveLength(eventsBefore);
  });

  it.each([
    ['networkId', {}],
    ['state', { state: 'ILL' }],
    ['state', { state: 'I1' }],
    ['website', { website: 'not a url' }],
    ['website', { website: 'ftp://files.example.com' }],
    ['companyName', { companyName: '' }],
    ['zip', { zip: '1'.repeat(17) }],
    ['phone', { phone: 5551234 }],
  ])('rejects a bad %s with 400 naming it', async (field, over) => {
    const body = field === 'networkId' ? over : { networkId: world.netA.networkId, ...over };
    expectError(await api().put('/v2/networks', body), 400, 'InvalidParameter', field);
  });

  it('permission rows: its NetworkAdmin and NetOps and above may; other members 403; another network 404', async () => {
    expectOk(await api().as(world.netAdminA.key).put('/v2/networks', { networkId: world.netA.networkId, city: 'Springfield' }));
    expectOk(await api().as(world.techOps.key).put('/v2/networks', { networkId: world.netB.networkId, city: 'Shelbyville' }));
    for (const member of [world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      expectError(await api().as(member.key).put('/v2/networks', { networkId: world.netA.networkId, city: 'Nope' }), 403, 'AccessDenied');
    }
    const outOfScope = await api().as(world.netAdminA.key).put('/v2/networks', { networkId: world.netB.networkId, city: 'Nope' });
    expectError(outOfScope, 404, 'ObjectNotFound');
    expect(outOfScope.body.message).toBe(`Network ${world.netB.networkId} not found.`);
    expect((await server.store.networks.findById(world.netA.networkId))?.city).toBe('Springfield');
    expect((await server.store.networks.findById(world.netB.networkId))?.city).toBe('Shelbyville');
    expectError(await api().put('/v2/networks', { networkId: 777777, city: 'x' }), 404, 'ObjectNotFound');
  });

  it('a Terminated network cannot be changed', async () => {
    const network = await createNetwork(server, { status: 'Terminated' });
    await createMailbox(server, network.networkId);
    expectError(await api().put('/v2/networks', { networkId: network.networkId, city: 'x' }), 400, 'InvalidParameter', 'networkId');
  });
});
