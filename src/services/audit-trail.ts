/**
 * Builds audit events. Changes list old and new values of the fields that
 * changed; secrets (passwords, keys, tokens) are never passed in.
 */
import type { AuditEvent, NewAuditEvent } from '../domain/types.js';
import type { RequestContext, SystemContext } from './context.js';
import { nowIso } from './context.js';

export type Changes = AuditEvent['changes'];

/** The fields of `after` whose values differ from `before`, as { old, new }. */
export function diff<T extends object>(before: T | null, after: T, fields: ReadonlyArray<keyof T>): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    const old = before === null ? null : before[field];
    const now = after[field];
    if (old !== now) changes[field as string] = { old, new: now };
  }
  return changes;
}

interface Target {
  type: AuditEvent['targetType'];
  id: number;
  networkId: number;
  mailboxId: number;
}

export function auditEvent(
  context: RequestContext | SystemContext,
  action: string,
  target: Target,
  changes: Changes,
): NewAuditEvent {
  return {
    at: nowIso(),
    actorUserId: 'principal' in context ? context.principal.userId : context.actorUserId,
    action,
    targetType: target.type,
    targetId: target.id,
    targetNetworkId: target.networkId,
    targetMailboxId: target.mailboxId,
    changes,
    requestId: context.requestId,
    clientIp: context.clientIp,
  };
}

export function userTarget(user: { userId: number; networkId: number; mailboxId: number }): Target {
  return { type: 'user', id: user.userId, networkId: user.networkId, mailboxId: user.mailboxId };
}
