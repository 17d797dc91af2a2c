/**
 * Reading the audit log (extension): NetworkAdmin and above, only events whose
 * target is in the caller's scope (the target's network and mailbox are
 * recorded with every event, so scope is decided in SQL by `auditInScope`).
 */
import { ApiError } from '../contract/errors.js';
import type { ListAuditBody } from '../contract/audit.js';
import { canReadAudit } from '../domain/permissions.js';
import { scopeOf } from '../domain/scopes.js';
import type { AuditEvent } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { enforce } from './access.js';
import type { RequestContext } from './context.js';
import type { Page } from './network-service.js';

/** Time filters compare as stored: ISO-8601 UTC with milliseconds. */
function storedTime(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

export class AuditService {
  constructor(private readonly store: Store) {}

  /**
   * POST /v2/audit/list: newest first. `from` is inclusive, `to` exclusive;
   * `afterEventId` keeps only later events (for polling, e.g. `audit tail --follow`).
   */
  async list(context: RequestContext, body: ListAuditBody): Promise<Page<AuditEvent>> {
    enforce(canReadAudit(context.principal), () => ApiError.forbidden());
    const pageNo = body.pageNo ?? 1;
    const recordsPerPage = body.recordsPerPage ?? 25;
    const { events, total } = await this.store.read((r) =>
      r.audit.list(
        scopeOf(context.principal),
        {
          targetType: body.targetType,
          targetId: body.targetId,
          actorUserId: body.actorUserId,
          from: storedTime(body.from),
          to: storedTime(body.to),
          afterEventId: body.afterEventId,
        },
        { pageNo, recordsPerPage },
      ),
    );
    return { items: events, totalRecords: total, pageNo, recordsPerPage };
  }
}
