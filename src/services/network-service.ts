/**
 * Networks (API.md §6): read and update over the API; create (operator CLI, and
 * the Extension POST /v2/networks/create) and terminate (Extension DELETE
 * /v2/networks/{id}), which ECGrid v2.6 has no REST call for. Each mutation is
 * one transaction: load (locking), authorize, check, write, audit.
 */
import { ApiError } from '../contract/errors.js';
import type { CreateNetworkBody, ListNetworksBody, UpdateNetworkBody } from '../contract/tenancy.js';
import { canCreateNetwork, canReadNetwork, canTerminateNetwork, canUpdateNetwork } from '../domain/permissions.js';
import { mailboxInScope, scopeOf } from '../domain/scopes.js';
import type { Network } from '../domain/types.js';
import { StoreConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { enforce } from './access.js';
import { auditEvent, diff } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import { AUDITED_TENANT_FIELDS, creationChanges, refuseTerminatedTenant, tenantPatch, withStatusChange } from './tenant-fields.js';

export const networkNotFound = (id: number) => () => ApiError.notFound('Network', id);

export interface Page<T> {
  items: T[];
  totalRecords: number;
  pageNo: number;
  recordsPerPage: number;
}

export function networkTarget(network: Pick<Network, 'networkId'>) {
  return { type: 'network' as const, id: network.networkId, networkId: network.networkId, mailboxId: 0 };
}

const BLANK_NETWORK: Network = {
  networkId: 0, uniqueId: '', companyName: '', status: 'Active', address1: '', address2: '', city: '', state: '', zip: '',
  phone: '', website: '', created: '', modified: '',
};

export class NetworkService {
  constructor(private readonly store: Store) {}

  /** GET /v2/networks/{id} */
  async get(context: RequestContext, networkId: number): Promise<Network> {
    const network = await this.store.read((r) => r.networks.findById(networkId));
    if (!network) throw networkNotFound(networkId)();
    enforce(canReadNetwork(context.principal, networkId), networkNotFound(networkId));
    return network;
  }

  /**
   * POST /v2/networks/list: one page of the networks in scope. A `mailboxId`
   * filter keeps the network holding that mailbox; a mailbox outside the
   * caller's scope matches nothing (an empty list, like any filter outside it).
   */
  async list(context: RequestContext, body: ListNetworksBody): Promise<Page<Network>> {
    const scope = scopeOf(context.principal);
    const pageNo = body.pageNo ?? 1;
    const recordsPerPage = body.recordsPerPage ?? 25;
    return this.store.read(async (r) => {
      if (body.mailboxId) {
        const mailbox = await r.mailboxes.findById(body.mailboxId);
        if (!mailbox || !mailboxInScope(scope, mailbox)) return { items: [], totalRecords: 0, pageNo, recordsPerPage };
      }
      const { networks, total } = await r.networks.list(
        scope,
        { networkId: body.networkId || undefined, mailboxId: body.mailboxId || undefined, status: body.status },
        { pageNo, recordsPerPage },
      );
      return { items: networks, totalRecords: total, pageNo, recordsPerPage };
    });
  }

  /** PUT /v2/networks: the fields given (absent = unchanged, "" clears; `status` Extension); the row as stored. */
  async update(context: RequestContext, body: UpdateNetworkBody): Promise<Network> {
    return this.store.transaction(async (tx) => {
      const before = await tx.networks.findByIdForUpdate(body.networkId);
      if (!before) throw networkNotFound(body.networkId)();
      enforce(canUpdateNetwork(context.principal, body.networkId), networkNotFound(body.networkId));
      refuseTerminatedTenant(before, 'network', body.networkId, 'networkId');
      const patch = withStatusChange(before, tenantPatch(before, body), body.status, `DELETE /v2/networks/${body.networkId}`);
      if (Object.keys(patch).length === 0) return before;
      const after = await tx.networks.updateHeld(before, patch, nowIso());
      await tx.audit.insert(auditEvent(context, 'network.update', networkTarget(after), diff(before, after, AUDITED_TENANT_FIELDS)));
      return after;
    });
  }

  /**
   * Extension DELETE /v2/networks/{id}: status Terminated, for good. Refused
   * (400) while mailboxes or users that are not Terminated remain in it, as
   * DELETE /v2/mailboxes/{id} is; nothing else is touched. Locks the network row
   * only and counts without locking (store.ts lock order).
   */
  async terminate(context: RequestContext, networkId: number): Promise<void> {
    await this.store.transaction(async (tx) => {
      const before = await tx.networks.findByIdForUpdate(networkId);
      if (!before) throw networkNotFound(networkId)();
      enforce(canTerminateNetwork(context.principal, networkId), networkNotFound(networkId));
      if (before.status === 'Terminated') throw ApiError.invalid('id', `network ${networkId} is already Terminated`);
      const mailboxes = await tx.mailboxes.countLiveInNetwork(networkId);
      const users = await tx.users.countLiveInNetwork(networkId);
      if (mailboxes > 0 || users > 0) {
        throw ApiError.invalid(
          'id',
          `network ${networkId} still has ${mailboxes} mailbox(es) and ${users} user(s) that are not Terminated; terminate them first`,
        );
      }
      const after = await tx.networks.updateHeld(before, { status: 'Terminated' }, nowIso());
      await tx.audit.insert(auditEvent(context, 'network.terminate', networkTarget(after), diff(before, after, ['status'])));
    });
  }

  /** Operator CLI `network create` and Extension POST /v2/networks/create: a new network (status Active unless given); DuplicateObject on a taken uniqueId. */
  async create(context: RequestContext, body: CreateNetworkBody): Promise<Network> {
    enforce(canCreateNetwork(context.principal), () => ApiError.forbidden());
    try {
      return await this.store.transaction(async (tx) => {
        const network = await tx.networks.insert({
          ...tenantPatch(BLANK_NETWORK, body),
          uniqueId: body.uniqueId,
          companyName: body.companyName,
          status: body.status ?? 'Active',
          created: nowIso(),
        });
        await tx.audit.insert(auditEvent(context, 'network.create', networkTarget(network), creationChanges(network)));
        return network;
      });
    } catch (error) {
      if (error instanceof StoreConflict && error.constraint === 'networks_unique_id_unique') {
        throw ApiError.duplicate('uniqueId', `"${body.uniqueId}" already exists`);
      }
      throw error;
    }
  }
}
