/**
 * Mailboxes (API.md §6). Each mutation is one transaction: load (locking),
 * authorize, check business rules, write, audit. A unique-uniqueId violation
 * comes out of the transaction as StoreConflict and becomes DuplicateObject
 * outside it.
 */
import { ApiError } from '../contract/errors.js';
import type { CreateMailboxBody, ListMailboxesBody, UpdateMailboxBody } from '../contract/tenancy.js';
import { canCreateMailbox, canReadMailbox, canTerminateMailbox, canUpdateMailbox } from '../domain/permissions.js';
import { networkInScope, scopeOf } from '../domain/scopes.js';
import type { Mailbox } from '../domain/types.js';
import { StoreConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { enforce } from './access.js';
import { auditEvent, diff } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import type { Page } from './network-service.js';
import { AUDITED_TENANT_FIELDS, creationChanges, refuseTerminatedTenant, tenantPatch, withStatusChange } from './tenant-fields.js';

export const mailboxNotFound = (id: number) => () => ApiError.notFound('Mailbox', id);

function mailboxTarget(mailbox: Pick<Mailbox, 'mailboxId' | 'networkId'>) {
  return { type: 'mailbox' as const, id: mailbox.mailboxId, networkId: mailbox.networkId, mailboxId: mailbox.mailboxId };
}

export class MailboxService {
  constructor(private readonly store: Store) {}

  /**
   * POST /v2/mailboxes/create. A network that is missing, Terminated or outside
   * the caller's scope is 400 naming networkId, with the same words for all
   * three; in scope but not allowed is 403.
   */
  async create(context: RequestContext, body: CreateMailboxBody): Promise<Mailbox> {
    try {
      return await this.store.transaction(async (tx) => {
        // FOR SHARE (store.ts lock order, step 2): a concurrent DELETE /v2/networks/{id}
        // either waits for this mailbox and counts it, or terminates first and is seen here.
        const network = await tx.networks.findByIdForShare(body.networkId);
        if (!network || network.status === 'Terminated' || !networkInScope(scopeOf(context.principal), body.networkId)) {
          throw ApiError.invalid('networkId', 'no such network');
        }
        enforce(canCreateMailbox(context.principal, body.networkId), () => ApiError.forbidden());
        const mailbox = await tx.mailboxes.insert({
          networkId: body.networkId,
          uniqueId: body.uniqueId,
          companyName: body.companyName,
          status: 'Active',
          created: nowIso(),
        });
        await tx.audit.insert(auditEvent(context, 'mailbox.create', mailboxTarget(mailbox), creationChanges(mailbox, ['networkId'])));
        return mailbox;
      });
    } catch (error) {
      if (error instanceof StoreConflict && error.constraint === 'mailboxes_unique_id_unique') {
        throw ApiError.duplicate('uniqueId', `"${body.uniqueId}" already exists in network ${body.networkId}`);
      }
      throw error;
    }
  }

  /** GET /v2/mailboxes/{id} */
  async get(context: RequestContext, mailboxId: number): Promise<Mailbox> {
    const mailbox = await this.store.read((r) => r.mailboxes.findById(mailboxId));
    if (!mailbox) throw mailboxNotFound(mailboxId)();
    enforce(canReadMailbox(context.principal, mailbox), mailboxNotFound(mailboxId));
    return mailbox;
  }

  /** POST /v2/mailboxes/list: one page of the mailboxes in scope (a network outside it yields an empty list). */
  async list(context: RequestContext, body: ListMailboxesBody): Promise<Page<Mailbox>> {
    const pageNo = body.pageNo ?? 1;
    const recordsPerPage = body.recordsPerPage ?? 25;
    const { mailboxes, total } = await this.store.read((r) =>
      r.mailboxes.list(scopeOf(context.principal), { networkId: body.networkId || undefined, status: body.status }, { pageNo, recordsPerPage }),
    );
    return { items: mailboxes, totalRecords: total, pageNo, recordsPerPage };
  }

  /**
   * Mailboxes in scope (all statuses), by id: at most `limit`, and whether more
   * matched (MCP list-mailboxes, get-mailbox-by-name). `networkId` absent: every
   * network in scope; `uniqueIdContains`: a case-insensitive literal part of the uniqueId.
   */
  async search(
    context: RequestContext,
    filter: { networkId?: number; uniqueIdContains?: string },
    limit: number,
  ): Promise<{ mailboxes: Mailbox[]; truncated: boolean }> {
    const { mailboxes, total } = await this.store.read((r) =>
      r.mailboxes.list(scopeOf(context.principal), filter, { pageNo: 1, recordsPerPage: limit }),
    );
    return { mailboxes, truncated: total > mailboxes.length };
  }

  /** POST /v2/mailboxes/update: the fields given (absent = unchanged, "" clears; `status` Extension); the row as stored. */
  async update(context: RequestContext, body: UpdateMailboxBody): Promise<Mailbox> {
    return this.store.transaction(async (tx) => {
      const before = await tx.mailboxes.findByIdForUpdate(body.mailboxId);
      if (!before) throw mailboxNotFound(body.mailboxId)();
      enforce(canUpdateMailbox(context.principal, before), mailboxNotFound(body.mailboxId));
      refuseTerminatedTenant(before, 'mailbox', body.mailboxId, 'mailboxId');
      const patch = withStatusChange(before, tenantPatch(before, body), body.status, `DELETE /v2/mailboxes/${body.mailboxId}`);
      if (Object.keys(patch).length === 0) return before;
      const after = await tx.mailboxes.updateHeld(before, patch, nowIso());
      await tx.audit.insert(auditEvent(context, 'mailbox.update', mailboxTarget(after), diff(before, after, AUDITED_TENANT_FIELDS)));
      return after;
    });
  }

  /**
   * DELETE /v2/mailboxes/{id}: status Terminated, for good. Refused (400) while
   * users that are not Terminated remain in it, so that nobody is left in a
   * dead mailbox; nothing else is touched.
   */
  async terminate(context: RequestContext, mailboxId: number): Promise<void> {
    await this.store.transaction(async (tx) => {
      const before = await tx.mailboxes.findByIdForUpdate(mailboxId);
      if (!before) throw mailboxNotFound(mailboxId)();
      enforce(canTerminateMailbox(context.principal, before), mailboxNotFound(mailboxId));
      if (before.status === 'Terminated') throw ApiError.invalid('id', `mailbox ${mailboxId} is already Terminated`);
      const live = await tx.users.countLiveInMailbox(mailboxId);
      if (live > 0) {
        throw ApiError.invalid('id', `mailbox ${mailboxId} still has ${live} user(s) that are not Terminated; terminate or move them first`);
      }
      const after = await tx.mailboxes.updateHeld(before, { status: 'Terminated' }, nowIso());
      await tx.audit.insert(auditEvent(context, 'mailbox.terminate', mailboxTarget(after), diff(before, after, ['status'])));
    });
  }
}
