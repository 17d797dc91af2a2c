/** The audit log (extension, not part of ECGrid): POST /v2/audit/list. */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { Formatted, Id, IdOrZero, PageCounts, PageNo, RecordsPerPage, Timestamp } from './common.js';

export const AUDIT_TARGET_TYPES = ['user', 'key', 'network', 'mailbox', 'session'] as const;

export const AuditEventInfo = Type.Object({
  eventId: Type.Integer(),
  at: Timestamp,
  actorUserId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the user who acted; 0 = the operator CLI; null = no one signed in (bootstrap, demo data, a failed login)',
  }),
  action: Type.String({ description: 'e.g. user.update, key.create, key.read, mailbox.terminate' }),
  targetType: Type.Enum([...AUDIT_TARGET_TYPES]),
  targetId: Type.Integer(),
  targetNetworkId: Type.Integer(),
  targetMailboxId: Type.Integer(),
  changes: Type.Record(Type.String(), Type.Object({ old: Type.Unknown(), new: Type.Unknown() }), {
    description: 'changed fields with old and new values; never a password or key',
  }),
  requestId: Type.String(),
  clientIp: Type.String(),
});
export type AuditEventInfo = Static<typeof AuditEventInfo>;

export const ListAuditBody = Type.Object({
  targetType: Type.Optional(Type.Enum([...AUDIT_TARGET_TYPES])),
  targetId: Type.Optional(Id()),
  actorUserId: Type.Optional(IdOrZero('0 = the operator CLI')),
  from: Type.Optional(Formatted('ecgrid-timestamp', 40)),
  to: Type.Optional(Formatted('ecgrid-timestamp', 40)),
  afterEventId: Type.Optional(IdOrZero('only events with a greater eventId (polling)')),
  pageNo: Type.Optional(PageNo),
  recordsPerPage: Type.Optional(RecordsPerPage),
});
export type ListAuditBody = Static<typeof ListAuditBody>;

/** Newest first, like a log read from its end. */
export const AuditEventList = Type.Object({
  ...PageCounts,
  events: Type.Array(AuditEventInfo),
});
export type AuditEventList = Static<typeof AuditEventList>;
