/**
 * POST /v2/audit/list (extension) over HTTP: NetworkAdmin and above, events
 * whose target is in scope, filters, paging, newest first, no secrets.
 */
import { describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/http.js';
import { useWorldServer, type World } from '../support/world-server.js';
import { type TestServer } from '../support/server.js';
import { operatorContext } from '../../src/services/operator.js';
import type { AuditEventList as AuditList } from '../../src/contract/audit.js';
import type { KeyInfo } from '../../src/contract/keys.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

const api = () => server.api;

describe('POST /v2/audit/list', () => {
  it('lists events newest first with the paging envelope; each event names actor, action, target and changes', async () => {
    expectOk(await api().put('/v2/users', { userId: 1043, firstName: 'Alicia' }));
    const list = expectOk(await api().post<AuditList>('/v2/audit/list', { recordsPerPage: 5 }));
    expect(Object.keys(list)).toEqual(['totalRecords', 'pageNo', 'recordsPerPage', 'events']);
    expect(list).toMatchObject({ pageNo: 1, recordsPerPage: 5 });
    expect(list.events).toHaveLength(5);
    expect(list.totalRecords).toBeGreaterThan(5);
    const ids = list.events.map((e) => e.eventId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(list.events[0]).toEqual({
      eventId: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      actorUserId: 1,
      action: 'user.update',
      targetType: 'user',
      targetId: 1043,
      targetNetworkId: 1,
      targetMailboxId: 101,
      changes: { firstName: { old: 'Alice', new: 'Alicia' } },
      requestId: expect.any(String),
      clientIp: '127.0.0.1',
    });
    const page2 = expectOk(await api().post<AuditList>('/v2/audit/list', { recordsPerPage: 2, pageNo: 2 }));
    expect(page2.events.map((e) => e.eventId)).toEqual(ids.slice(2, 4));
  });

  it('filters by target, actor and time range (from inclusive, to exclusive)', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    expectOk(await api().as(world.netAdminA.key).post('/v2/mailboxes/update', { mailboxId: world.mbA2.mailboxId, city: 'Filtered' }));
    const after = new Date(Date.now() + 1000).toISOString();

    const byTarget = expectOk(await api().post<AuditList>('/v2/audit/list', { targetType: 'mailbox', targetId: world.mbA2.mailboxId }));
    expect(byTarget.events[0]).toMatchObject({ action: 'mailbox.update', targetId: world.mbA2.mailboxId, changes: { city: { old: '', new: 'Filtered' } } });
    expect(byTarget.events.every((e) => e.targetType === 'mailbox' && e.targetId === world.mbA2.mailboxId)).toBe(true);

    const byActor = expectOk(await api().post<AuditList>('/v2/audit/list', { actorUserId: world.netAdminA.user.userId }));
    expect(byActor.events.length).toBeGreaterThan(0);
    expect(byActor.events.every((e) => e.actorUserId === world.netAdminA.user.userId)).toBe(true);

    const inRange = expectOk(await api().post<AuditList>('/v2/audit/list', { targetId: world.mbA2.mailboxId, targetType: 'mailbox', from: before, to: after }));
    expect(inRange.events.map((e) => e.action)).toEqual(['mailbox.update']);
    const beforeRange = expectOk(await api().post<AuditList>('/v2/audit/list', { targetId: world.mbA2.mailboxId, targetType: 'mailbox', to: before }));
    expect(beforeRange.events).toEqual([]);
    const afterRange = expectOk(await api().post<AuditList>('/v2/audit/list', { from: after }));
    expect(afterRange).toMatchObject({ totalRecords: 0, events: [] });
    // A plain date is midnight UTC; a zone offset is honoured.
    expect(expectOk(await api().post<AuditList>('/v2/audit/list', { from: '2000-01-01', recordsPerPage: 1 })).totalRecords).toBeGreaterThan(0);
    const offset = expectOk(await api().post<AuditList>('/v2/audit/list', { targetId: world.mbA2.mailboxId, targetType: 'mailbox', to: after.replace('Z', '+00:00') }));
    expect(offset.events.length).toBe(1);
  });

  it('actorUserId 0 is the operator CLI; afterEventId keeps later events only', async () => {
    const network = await server.services.networks.create(operatorContext(), { uniqueId: 'OPSNET', companyName: 'Made by the operator' });
    const byOperator = expectOk(await api().post<AuditList>('/v2/audit/list', { actorUserId: 0 }));
    expect(byOperator.events.map((e) => [e.action, e.targetId])).toEqual([['network.create', network.networkId]]);
    expect(byOperator.events[0]!.requestId).toMatch(/^cli-/);
    const latest = byOperator.events[0]!.eventId;
    expectOk(await api().put('/v2/networks', { networkId: network.networkId, city: 'Later' }));
    const later = expectOk(await api().post<AuditList>('/v2/audit/list', { afterEventId: latest }));
    expect(later.events.map((e) => e.action)).toEqual(['network.update']);
  });

  it('NetworkAdmin and above only: lower levels get 403', async () => {
    for (const reader of [world.techOps, world.netAdminA]) expectOk(await api().as(reader.key).post('/v2/audit/list', {}));
    for (const lower of [world.netUserA, world.mbAdminA1, world.mbUserA1]) {
      expectError(await api().as(lower.key).post('/v2/audit/list', {}), 403, 'AccessDenied');
    }
  });

  it('a NetworkAdmin sees only events whose target is in its network', async () => {
    expectOk(await api().as(world.techOps.key).post('/v2/mailboxes/update', { mailboxId: world.mbB1.mailboxId, city: 'Elsewhere' }));
    const seen = expectOk(await api().as(world.netAdminA.key).post<AuditList>('/v2/audit/list', { recordsPerPage: 500 }));
    expect(seen.events.length).toBeGreaterThan(0);
    expect(seen.events.every((e) => e.targetNetworkId === world.netA.networkId)).toBe(true);
    expect(seen.totalRecords).toBe(seen.events.length);
    const outside = expectOk(await api().as(world.netAdminA.key).post<AuditList>('/v2/audit/list', { targetType: 'mailbox', targetId: world.mbB1.mailboxId }));
    expect(outside).toMatchObject({ totalRecords: 0, events: [] });
    const all = expectOk(await api().as(world.techOps.key).post<AuditList>('/v2/audit/list', { targetType: 'mailbox', targetId: world.mbB1.mailboxId }));
    expect(all.events[0]).toMatchObject({ action: 'mailbox.update', actorUserId: world.techOps.user.userId });
  });

  it('never carries a key or a password', async () => {
    const created = expectOk(await api().post<KeyInfo>('/v2/keys/create', { userId: world.mbUserA1.user.userId, visibility: 'Shared' }));
    const read = expectOk(await api().post<KeyInfo>('/v2/keys/get-key', { userId: world.mbUserA1.user.userId }));
    expectOk(await api().post('/v2/users', { login: 'audited', password: 'Secr3t!Word', email: 'audited@example.com', networkId: world.netA.networkId, mailboxId: world.mbA1.mailboxId }));
    const list = expectOk(await api().post<AuditList>('/v2/audit/list', { recordsPerPage: 500 }));
    const text = JSON.stringify(list);
    expect(text).toContain('key.create');
    expect(text).toContain('key.read');
    for (const secret of [created.key, read.key, 'Secr3t!Word']) expect(text).not.toContain(secret);
  });

  it.each([
    ['targetType', { targetType: 'widget' }],
    ['targetId', { targetId: 0 }],
    ['actorUserId', { actorUserId: -1 }],
    ['from', { from: 'yesterday' }],
    ['from', { from: '2024-13-45T00:00:00Z' }],
    ['to', { to: '2024-03-15 10:22' }],
    ['recordsPerPage', { recordsPerPage: 501 }],
    ['pageNo', { pageNo: 0 }],
    ['afterEventId', { afterEventId: 'last' }],
  ])('rejects a bad %s with 400 naming it', async (field, body) => {
    expectError(await api().post('/v2/audit/list', body), 400, 'InvalidParameter', field);
  });
});
