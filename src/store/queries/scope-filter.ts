/**
 * The one place a Scope (domain/scopes.ts) becomes SQL. A store contract test
 * checks these filters against the pure `userInScope` / `mailboxInScope`.
 */
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { Database } from '../schema.js';

export function usersInScope(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'users'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'system':
        return sql<boolean>`1 = 1`;
      case 'network':
        return eb.or([eb('users.network_id', '=', scope.networkId), eb('users.user_id', '=', scope.userId)]);
      case 'mailbox':
        return eb.or([
          eb.and([
            eb('users.network_id', '=', scope.networkId),
            eb('users.mailbox_id', '=', scope.mailboxId),
            eb('users.mailbox_id', '>', 0),
          ]),
          eb('users.user_id', '=', scope.userId),
        ]);
      case 'self':
        return eb('users.user_id', '=', scope.userId);
    }
  };
}

export function networksInScope(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'networks'>): Expression<SqlBool> =>
    scope.kind === 'system' ? sql<boolean>`1 = 1` : eb('networks.network_id', '=', scope.networkId);
}

export function mailboxesInScope(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'mailboxes'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'system':
        return sql<boolean>`1 = 1`;
      case 'network':
        return eb('mailboxes.network_id', '=', scope.networkId);
      case 'mailbox':
      case 'self':
        return eb.and([eb('mailboxes.network_id', '=', scope.networkId), eb('mailboxes.mailbox_id', '=', scope.mailboxId)]);
    }
  };
}

/** Audit events whose target is in scope: the target's placement is recorded with each event. */
export function auditInScope(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'audit_events'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'system':
        return sql<boolean>`1 = 1`;
      case 'network':
        return eb('audit_events.target_network_id', '=', scope.networkId);
      case 'mailbox':
      case 'self':
        return eb.and([
          eb('audit_events.target_network_id', '=', scope.networkId),
          eb('audit_events.target_mailbox_id', '=', scope.mailboxId),
        ]);
    }
  };
}

/**
 * A user scope split in two, for lists and counts that an index can serve:
 * the placement it covers (everyone, a network, a mailbox — or nobody), and
 * the caller itself when it lies outside that placement. usersInScope is
 * exactly "in the placement, or the caller"; as one OR it cannot use an index
 * (a NetworkAdmin's list on a million users walked every row in userId order
 * until its page was full: ~12 ms).
 */
export function placementOf(table: 'users' | 'user_counts', scope: Scope): RawBuilder<SqlBool> {
  const network = sql.ref(`${table}.network_id`);
  const mailbox = sql.ref(`${table}.mailbox_id`);
  switch (scope.kind) {
    case 'system':
      return sql<SqlBool>`1 = 1`;
    case 'network':
      return sql<SqlBool>`${network} = ${scope.networkId}`;
    case 'mailbox':
      // "mailbox 0 covers no one" tested on the argument, not the column: SQLite planned `mailbox_id > ?`
      // as a range over the whole network (and a sort) instead of the equality on (network, mailbox).
      return sql<SqlBool>`(${network} = ${scope.networkId} and ${mailbox} = ${scope.mailboxId} and ${scope.mailboxId} > 0)`;
    case 'self':
      return sql<SqlBool>`1 = 0`;
  }
}

/** The caller's own row when it is in scope only as itself (outside placementOf); no row otherwise (never for `system`). */
export function callerOutsidePlacement(scope: Scope): RawBuilder<SqlBool> {
  return scope.kind === 'system'
    ? sql<SqlBool>`1 = 0`
    : sql<SqlBool>`(${sql.ref('users.user_id')} = ${scope.userId} and not (${placementOf('users', scope)}))`;
}

/**
 * Whether equality filters rule out every user of the scope's placement (a
 * NetworkAdmin filtering on another network): then only the caller can match,
 * and the placement is not searched at all — with its filters it would be a
 * walk over the other network's users that finds none. A filter of 0 is no
 * filter (as in the list's shape).
 */
export function filterExcludesPlacement(scope: Scope, filter: { networkId?: number; mailboxId?: number }): boolean {
  switch (scope.kind) {
    case 'system':
      return false;
    case 'network':
      return !!filter.networkId && filter.networkId !== scope.networkId;
    case 'mailbox':
      return (
        scope.mailboxId <= 0 ||
        (!!filter.networkId && filter.networkId !== scope.networkId) ||
        (!!filter.mailboxId && filter.mailboxId !== scope.mailboxId)
      );
    case 'self':
      return true;
  }
}

/**
 * A LIKE pattern matching `text` literally anywhere in a value (the value and
 * `text` compared in lower case by the caller); a backslash escapes the wildcards.
 */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
