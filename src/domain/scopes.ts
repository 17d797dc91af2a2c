/**
 * What a caller can see (PERMISSIONS.md "In scope"). A Scope is a value so that
 * the same rule can be checked in memory (`*InScope`) and turned into SQL by
 * the store (store/queries/scope-filter.ts); a contract test proves both agree.
 */
import { scopeKindOf } from './levels.js';
import type { Placement } from './types.js';

export type Scope =
  | { kind: 'system' }
  | { kind: 'network'; networkId: number; userId: number }
  | { kind: 'mailbox'; networkId: number; mailboxId: number; userId: number }
  | { kind: 'self'; userId: number; networkId: number; mailboxId: number };

export function scopeOf(caller: Placement): Scope {
  switch (scopeKindOf(caller.authLevel)) {
    case 'system':
      return { kind: 'system' };
    case 'network':
      return { kind: 'network', networkId: caller.networkId, userId: caller.userId };
    case 'mailbox':
      return { kind: 'mailbox', networkId: caller.networkId, mailboxId: caller.mailboxId, userId: caller.userId };
    case 'self':
      return { kind: 'self', userId: caller.userId, networkId: caller.networkId, mailboxId: caller.mailboxId };
  }
}

export function userInScope(scope: Scope, user: Pick<Placement, 'userId' | 'networkId' | 'mailboxId'>): boolean {
  switch (scope.kind) {
    case 'system':
      return true;
    case 'network':
      return user.networkId === scope.networkId || user.userId === scope.userId;
    case 'mailbox':
      return (
        (scope.mailboxId > 0 && user.mailboxId === scope.mailboxId && user.networkId === scope.networkId) ||
        user.userId === scope.userId
      );
    case 'self':
      return user.userId === scope.userId;
  }
}

export function networkInScope(scope: Scope, networkId: number): boolean {
  if (scope.kind === 'system') return true;
  return networkId > 0 && networkId === scope.networkId;
}

/** A mailbox-scoped caller's scope is its one mailbox; mailbox 0 of its network is outside it. */
export function mailboxInScope(scope: Scope, mailbox: { mailboxId: number; networkId: number }): boolean {
  switch (scope.kind) {
    case 'system':
      return true;
    case 'network':
      return mailbox.networkId === scope.networkId;
    case 'mailbox':
    case 'self':
      return mailbox.mailboxId > 0 && mailbox.mailboxId === scope.mailboxId && mailbox.networkId === scope.networkId;
  }
}

/**
 * Whether a placement (network + mailbox, mailbox 0 = network level) is one the
 * caller may put a user into: the destination of create, set-role and
 * set-network-mailbox.
 */
export function placementInScope(scope: Scope, networkId: number, mailboxId: number): boolean {
  switch (scope.kind) {
    case 'system':
      return true;
    case 'network':
      return networkId === scope.networkId;
    case 'mailbox':
    case 'self':
      return networkId === scope.networkId && mailboxId > 0 && mailboxId === scope.mailboxId;
  }
}
