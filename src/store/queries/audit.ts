/** The audit log: append-only. */
import type { Kysely } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { AuditEvent, NewAuditEvent } from '../../domain/types.js';
import type { Database } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';
import { auditInScope } from './scope-filter.js';
import { prepare } from '../prepared.js';

// Every change writes one: compiled once (see prepared.ts). Nothing reads its result: UNTIL_COMMIT.
const INSERT = prepare((db, _dialect, ...values: [
  at: string, actorUserId: number | null, action: string, targetType: string, targetId: number,
  targetNetworkId: number, targetMailboxId: number, changes: string, requestId: string, clientIp: string,
]) => {
  const [at, actorUserId, action, targetType, targetId, targetNetworkId, targetMailboxId, changes, requestId, clientIp] = values;
  return db.insertInto('audit_events').values({
    at,
    actor_user_id: actorUserId,
    action,
    target_type: targetType,
    target_id: targetId,
    target_network_id: targetNetworkId,
    target_mailbox_id: targetMailboxId,
    changes,
    request_id: requestId,
    client_ip: clientIp,
  }).modifyEnd(untilCommit);
});

export interface AuditFilter {
  targetType?: AuditEvent['targetType'];
  targetId?: number;
  actorUserId?: number;
  /** Inclusive, ISO-8601 UTC as stored. */
  from?: string;
  /** Exclusive. */
  to?: string;
  /** Only events with a greater id. */
  afterEventId?: number;
}

export class AuditQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await INSERT.rows(this.db, this.dialect, [
      event.at, event.actorUserId, event.action, event.targetType, event.targetId,
      event.targetNetworkId, event.targetMailboxId, JSON.stringify(event.changes), event.requestId, event.clientIp,
    ]);
  }

  /** Appends many events in multi-row statements (bulk work such as an import: one event per user). */
  async insertMany(events: NewAuditEvent[], chunkSize = 500): Promise<void> {
    for (let start = 0; start < events.length; start += chunkSize) {
      await this.db
        .insertInto('audit_events')
        .values(
          events.slice(start, start + chunkSize).map((event) => ({
            at: event.at,
            actor_user_id: event.actorUserId,
            action: event.action,
            target_type: event.targetType,
            target_id: event.targetId,
            target_network_id: event.targetNetworkId,
            target_mailbox_id: event.targetMailboxId,
            changes: JSON.stringify(event.changes),
            request_id: event.requestId,
            client_ip: event.clientIp,
          })),
        )
        .execute();
    }
  }

  /** Events whose target is in scope, newest first, with the total count. */
  async list(scope: Scope, filter: AuditFilter, page: { pageNo: number; recordsPerPage: number }): Promise<{ events: AuditEvent[]; total: number }> {
    let query = this.db.selectFrom('audit_events').where(auditInScope(scope));
    if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
    // 0 is a real actor (the operator CLI), so only an absent filter means "any".
    if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<', filter.to);
    if (filter.afterEventId) query = query.where('event_id', '>', filter.afterEventId);
    const rows = await query
      .selectAll()
      .orderBy('event_id', 'desc')
      .limit(page.recordsPerPage)
      .offset((page.pageNo - 1) * page.recordsPerPage)
      .execute();
    const count = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return {
      events: rows.map((row) => ({
        eventId: Number(row.event_id),
        at: this.dialect.readTime(row.at),
        actorUserId: row.actor_user_id,
        action: row.action,
        targetType: row.target_type as AuditEvent['targetType'],
        targetId: row.target_id,
        targetNetworkId: row.target_network_id,
        targetMailboxId: row.target_mailbox_id,
        changes: JSON.parse(row.changes) as AuditEvent['changes'],
        requestId: row.request_id,
        clientIp: row.client_ip,
      })),
      total: this.dialect.readCount(count.total),
    };
  }
}
