/** The audit log: append-only. */
import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { AuditEvent, NewAuditEvent } from '../../domain/types.js';
import type { Database } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';
import { auditInScope } from './scope-filter.js';
import { prepare } from '../prepared.js';
import { enumLiteral } from './enum-literal.js';
import { insertKey, revokeKeysOfUser, revokePrimaryOfUser, type NewKey } from './keys.js';
import { revokeSessionsOfUser } from './sessions.js';

/** The columns of an event's row; `changes` as given (its JSON text, or SQL that makes it). */
function eventRow<C>(event: Omit<NewAuditEvent, 'changes'>, changes: C) {
  return {
    at: event.at,
    actor_user_id: event.actorUserId,
    action: event.action,
    target_type: event.targetType,
    target_id: event.targetId,
    target_network_id: event.targetNetworkId,
    target_mailbox_id: event.targetMailboxId,
    changes,
    request_id: event.requestId,
    client_ip: event.clientIp,
  };
}

// Every change writes one: compiled once (see prepared.ts). Nothing reads its result: UNTIL_COMMIT.
const INSERT = prepare((db, _dialect, ...values: [
  at: string, actorUserId: number | null, action: string, targetType: string, targetId: number,
  targetNetworkId: number, targetMailboxId: number, changes: string, requestId: string, clientIp: string,
]) => {
  const [at, actorUserId, action, targetType, targetId, targetNetworkId, targetMailboxId, changes, requestId, clientIp] = values;
  const event = { at, actorUserId, action, targetType, targetId, targetNetworkId, targetMailboxId, requestId, clientIp } as Omit<NewAuditEvent, 'changes'>;
  return db.insertInto('audit_events').values(eventRow(event, changes)).modifyEnd(untilCommit);
});

/**
 * Rows a change revokes, counted into its audit event (AuditQueries.insertCounting): a user's live sessions (all but
 * `keep`), or keys; or, for insertIssuingPrimaryKey, the user's live primary key.
 */
export type Revocation =
  | { sessionsOf: number; keep?: string; at: string }
  | { keysOf: number; at: string }
  | { primaryKeyOf: number; at: string };

/** The UPDATE of a revocation, a row returned per row revoked (counted the same way on both stores). */
function revoking(db: QueryCreator<Database>, r: Revocation) {
  const one = sql<number>`1`.as('one');
  if ('sessionsOf' in r) return revokeSessionsOfUser(db, r.sessionsOf, r.at, r.keep).returning(one);
  return ('keysOf' in r ? revokeKeysOfUser(db, r.keysOf, r.at) : revokePrimaryOfUser(db, r.primaryKeyOf, r.at)).returning(one);
}

/** Stands for the count in the event's JSON until the database puts it there: no string of an event can be it (wire.ts refuses U+0000). */
const COUNT_MARK = '\u0000count';

/** Stand for the new key's id and for what is added when a primary key was revoked, until the database puts them there (as COUNT_MARK). */
const KEY_ID_MARK = '\u0000keyId';
const REVOKED_MARK = '\u0000revoked';

/** The audit event of a primary key's issue (insertIssuingPrimaryKey), but for what depends on the new key. */
export interface IssuedKeyEvent {
  /** Its target is the new key: that id is filled in. */
  event: Omit<NewAuditEvent, 'targetId'>;
  /** changes[idField] = { old: null, new: the new key's id }. */
  idField: string;
  /** Added to the changes when the user had a live primary key, now revoked. */
  whenRevoked: NewAuditEvent['changes'];
}

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

  /**
   * Revokes `revocation`'s rows and appends `event` with `changes[field]` =
   * { old: 0, new: how many it revoked }. Where the dialect writes several
   * tables in one statement, both are one (a data-modifying WITH puts the count
   * into the event's JSON), which nobody waits for inside a transaction
   * (UNTIL_COMMIT): a revocation with its count costs no round trip of its own.
   * Elsewhere (SQLite, in-process) the revocation, then the event.
   */
  async insertCounting(event: NewAuditEvent, field: string, revocation: Revocation): Promise<void> {
    if (!this.dialect.writesInOneStatement) {
      const revoked = (await revoking(this.db, revocation).execute()).length;
      return this.insert({ ...event, changes: { ...event.changes, [field]: { old: 0, new: revoked } } });
    }
    const changes = JSON.stringify({ ...event.changes, [field]: { old: 0, new: COUNT_MARK } });
    await this.db
      .with('revoked', (db) => revoking(db, revocation))
      .insertInto('audit_events')
      .values(eventRow(event, sql<string>`replace(${changes}, ${JSON.stringify(COUNT_MARK)}, (select count(*) from revoked)::text)`))
      .modifyEnd(untilCommit)
      .execute();
  }

  /**
   * Issues a primary key: revokes the user's live primary key, inserts `key`
   * and appends `issued`'s event. Where the dialect writes several tables in
   * one statement, the three are one (a data-modifying WITH; the database puts
   * the new key's id and, when one was revoked, `whenRevoked` into the event),
   * which nobody waits for inside a transaction (UNTIL_COMMIT): key-generate
   * then costs the round trips of any mutation (issue 16). Elsewhere (SQLite;
   * and a key with a given id, whose identity is then synchronized), one
   * statement after the other.
   */
  async insertIssuingPrimaryKey(key: NewKey, issued: IssuedKeyEvent): Promise<void> {
    const { event, idField, whenRevoked } = issued;
    const revocation: Revocation = { primaryKeyOf: key.userId, at: key.created };
    if (!this.dialect.writesInOneStatement || key.keyId !== undefined) {
      const revoked = (await revoking(this.db, revocation).execute()).length;
      const { key_id: keyId } = await insertKey(this.db, key).returning('key_id').executeTakeFirstOrThrow();
      if (key.keyId !== undefined) await this.dialect.syncIdentity(this.db, 'api_keys');
      const changes = { ...event.changes, [idField]: { old: null, new: keyId }, ...(revoked > 0 ? whenRevoked : {}) };
      return this.insert({ ...event, targetId: keyId, changes });
    }
    const changes = JSON.stringify({ ...event.changes, [idField]: { old: null, new: KEY_ID_MARK }, [REVOKED_MARK]: 0 });
    // The revoked mark is the last member, after idField's: a comma always precedes it.
    const revokedMember = `,${JSON.stringify(REVOKED_MARK)}:0`;
    const added = Object.keys(whenRevoked).length ? `,${JSON.stringify(whenRevoked).slice(1, -1)}` : '';
    const keyId = sql<number>`(select key_id from inserted)`;
    await this.db
      .with('revoked', (db) => revoking(db, revocation))
      // (A later WITH's creator knows the earlier one's table too; insertKey needs only the schema's.)
      .with('inserted', (db) => insertKey(db as unknown as QueryCreator<Database>, key).returning('key_id'))
      .insertInto('audit_events')
      .values({
        ...eventRow(
          { ...event, targetId: 0 },
          sql<string>`replace(replace(${changes}, ${JSON.stringify(KEY_ID_MARK)}, ${keyId}::text), ${revokedMember}, case when exists (select 1 from revoked) then ${added} else '' end)`,
        ),
        target_id: keyId,
      })
      .modifyEnd(untilCommit)
      .execute();
  }

  /** Appends many events in multi-row statements (bulk work such as an import: one event per user). */
  async insertMany(events: NewAuditEvent[], chunkSize = 500): Promise<void> {
    for (let start = 0; start < events.length; start += chunkSize) {
      await this.db
        .insertInto('audit_events')
        .values(
          events.slice(start, start + chunkSize).map((event) => eventRow(event, JSON.stringify(event.changes))),
        )
        .execute();
    }
  }

  /** Events whose target is in scope, newest first, with the total count. */
  async list(scope: Scope, filter: AuditFilter, page: { pageNo: number; recordsPerPage: number }): Promise<{ events: AuditEvent[]; total: number }> {
    let query = this.db.selectFrom('audit_events').where(auditInScope(scope));
    if (filter.targetType) query = query.where('target_type', '=', enumLiteral(filter.targetType));
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
