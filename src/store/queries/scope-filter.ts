/**
 * The one place a Scope (domain/scopes.ts) becomes SQL. A store contract test
 * checks these filters against the pure `userInScope` / `mailboxInScope`.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
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
 * A user scope split in two, for counting from `user_counts` (migration 0002):
 * the placement it covers (everyone, a network, a mailbox — or nobody), and
 * the caller itself when it lies outside that placement. usersInScope is
 * exactly "in the placement, or the caller".
 */
export function userCountsInPlacement(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'user_counts'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'system':
        return sql<boolean>`1 = 1`;
      case 'network':
        return eb('user_counts.network_id', '=', scope.networkId);
      case 'mailbox':
        return eb.and([
          eb('user_counts.network_id', '=', scope.networkId),
          eb('user_counts.mailbox_id', '=', scope.mailboxId),
          eb('user_counts.mailbox_id', '>', 0),
        ]);
      case 'self':
        return sql<boolean>`1 = 0`;
    }
  };
}

/** The caller's own row when it is in scope only as itself (see userCountsInPlacement); no row otherwise. */
export function callerOutsidePlacement(scope: Scope) {
  return (eb: ExpressionBuilder<Database, 'users'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'system':
        return sql<boolean>`1 = 0`;
      case 'network':
        return eb.and([eb('users.user_id', '=', scope.userId), eb('users.network_id', '!=', scope.networkId)]);
      case 'mailbox':
        return eb.and([
          eb('users.user_id', '=', scope.userId),
          eb.not(
            eb.and([
              eb('users.network_id', '=', scope.networkId),
              eb('users.mailbox_id', '=', scope.mailboxId),
              eb('users.mailbox_id', '>', 0),
            ]),
          ),
        ]);
      case 'self':
        return eb('users.user_id', '=', scope.userId);
    }
  };
}
