/**
 * PERMISSIONS.md as pure functions: (caller, target) → Decision. Every route's
 * access decision is made here and nowhere else. Each function cites its row.
 *
 * Out of scope is `deny('not-found')` so that callers answer exactly as for a
 * missing object; in scope but not allowed is `deny('forbidden')`.
 */
import { isAdminLevel, isAtLeast, isHigher, outranks } from './levels.js';
import { mailboxInScope, networkInScope, scopeOf, userInScope } from './scopes.js';
import type { AuthLevel } from './levels.js';
import type { Placement } from './types.js';

export type Decision =
  | { allow: true }
  | { allow: false; as: 'not-found' | 'forbidden'; rule: string };

const ALLOW: Decision = Object.freeze({ allow: true });

function deny(as: 'not-found' | 'forbidden', rule: string): Decision {
  return { allow: false, as, rule };
}

type Caller = Placement;
type TargetUser = Placement;
type TargetMailbox = { mailboxId: number; networkId: number };

function isSelf(caller: Caller, target: TargetUser): boolean {
  return caller.userId === target.userId;
}

/** Shared shape of "admin level, target in scope, C outranks target". */
function administer(caller: Caller, target: TargetUser, rule: string, opts: { selfAllowed: boolean }): Decision {
  if (!userInScope(scopeOf(caller), target)) return deny('not-found', rule);
  if (isSelf(caller, target)) return opts.selfAllowed ? ALLOW : deny('forbidden', `${rule}: never on self`);
  if (!isAdminLevel(caller.authLevel)) return deny('forbidden', `${rule}: admin level required`);
  if (!outranks(caller.authLevel, target.authLevel)) return deny('forbidden', `${rule}: caller must outrank target`);
  return ALLOW;
}

/** Row: read a user (get, list, by-name, me) — in scope. */
export function canReadUser(caller: Caller, target: TargetUser): Decision {
  return userInScope(scopeOf(caller), target) ? ALLOW : deny('not-found', 'read a user');
}

/**
 * Rows: "update own email/name, own config, generate own API key, create/list/delete
 * own keys, reset own sessions, send SMS to self — any active user" and "update
 * another user's profile or config, send SMS, reset sessions, generate their API
 * key, create/list/delete their keys — admin level, target in scope, C outranks target".
 */
export function canManageUser(caller: Caller, target: TargetUser): Decision {
  return administer(caller, target, 'manage a user', { selfAllowed: true });
}

/** Row: change a user's status (Active ↔ Suspended) — admin, in scope, outranks; never on self. */
export function canChangeStatus(caller: Caller, target: TargetUser): Decision {
  return administer(caller, target, 'change status', { selfAllowed: false });
}

/** Row: terminate a user — admin, in scope, outranks; never self. */
export function canTerminateUser(caller: Caller, target: TargetUser): Decision {
  return administer(caller, target, 'terminate a user', { selfAllowed: false });
}

/** Invariant: no request raises anyone above the caller's own level. */
export function canGrantLevel(caller: Caller, level: AuthLevel): Decision {
  return isHigher(level, caller.authLevel) ? deny('forbidden', 'grant a level above own') : ALLOW;
}

/**
 * Row: create a user — admin level; new level not higher than C's own. (The
 * destination network/mailbox is checked with `placementInScope`, which answers
 * 400 naming the field, not 403.)
 */
export function canCreateUser(caller: Caller, level: AuthLevel): Decision {
  if (!isAdminLevel(caller.authLevel)) return deny('forbidden', 'create a user: admin level required');
  return canGrantLevel(caller, level);
}

/** Row: set role — admin, in scope, outranks, never self; new level not higher than own. */
export function canSetRole(caller: Caller, target: TargetUser, level: AuthLevel): Decision {
  const decision = administer(caller, target, 'set role', { selfAllowed: false });
  return decision.allow ? canGrantLevel(caller, level) : decision;
}

/** Row: set network/mailbox — admin, in scope, outranks, never self. */
export function canSetNetworkMailbox(caller: Caller, target: TargetUser): Decision {
  return administer(caller, target, 'set network/mailbox', { selfAllowed: false });
}

/** Row: set another user's password — rank ≤ NetworkAdmin, in scope, outranks; on oneself 403 for everyone. */
export function canSetPassword(caller: Caller, target: TargetUser): Decision {
  if (!userInScope(scopeOf(caller), target)) return deny('not-found', 'set password');
  if (isSelf(caller, target)) return deny('forbidden', 'set password: use PUT /v2/auth/password for oneself');
  if (!isAtLeast(caller.authLevel, 'NetworkAdmin')) return deny('forbidden', 'set password: NetworkAdmin or higher');
  if (!outranks(caller.authLevel, target.authLevel)) return deny('forbidden', 'set password: caller must outrank target');
  return ALLOW;
}

/** Row: read another user's API key — rank ≤ NetworkAdmin, in scope, outranks; own key: anyone. */
export function canReadApiKey(caller: Caller, target: TargetUser): Decision {
  if (!userInScope(scopeOf(caller), target)) return deny('not-found', 'read an API key');
  if (isSelf(caller, target)) return ALLOW;
  if (!isAtLeast(caller.authLevel, 'NetworkAdmin')) return deny('forbidden', 'read an API key: NetworkAdmin or higher');
  if (!outranks(caller.authLevel, target.authLevel)) return deny('forbidden', 'read an API key: caller must outrank target');
  return ALLOW;
}

/** Row: read a network — in scope. */
export function canReadNetwork(caller: Caller, networkId: number): Decision {
  return networkInScope(scopeOf(caller), networkId) ? ALLOW : deny('not-found', 'read a network');
}

/** Row: update a network — NetworkAdmin of it, or rank ≤ NetOps. */
export function canUpdateNetwork(caller: Caller, networkId: number): Decision {
  if (!networkInScope(scopeOf(caller), networkId)) return deny('not-found', 'update a network');
  if (isAtLeast(caller.authLevel, 'NetOps')) return ALLOW;
  if (caller.authLevel === 'NetworkAdmin' && caller.networkId === networkId) return ALLOW;
  return deny('forbidden', 'update a network: NetworkAdmin of it or NetOps and above');
}

/** Row: read a mailbox — in scope. */
export function canReadMailbox(caller: Caller, mailbox: TargetMailbox): Decision {
  return mailboxInScope(scopeOf(caller), mailbox) ? ALLOW : deny('not-found', 'read a mailbox');
}

/** Row: create a mailbox — NetworkAdmin of its network, or rank ≤ NetOps. */
export function canCreateMailbox(caller: Caller, networkId: number): Decision {
  if (isAtLeast(caller.authLevel, 'NetOps')) return ALLOW;
  if (caller.authLevel === 'NetworkAdmin' && caller.networkId === networkId) return ALLOW;
  return deny('forbidden', 'create a mailbox: NetworkAdmin of its network or NetOps and above');
}

/** Row: update a mailbox — MailboxAdmin of it, NetworkAdmin of its network, or rank ≤ NetOps. */
export function canUpdateMailbox(caller: Caller, mailbox: TargetMailbox): Decision {
  if (!mailboxInScope(scopeOf(caller), mailbox)) return deny('not-found', 'update a mailbox');
  if (isAtLeast(caller.authLevel, 'NetOps')) return ALLOW;
  if (caller.authLevel === 'NetworkAdmin' && caller.networkId === mailbox.networkId) return ALLOW;
  if (caller.authLevel === 'MailboxAdmin' && caller.mailboxId === mailbox.mailboxId) return ALLOW;
  return deny('forbidden', 'update a mailbox: its MailboxAdmin, NetworkAdmin or NetOps and above');
}

/** Row: terminate a mailbox — NetworkAdmin of its network, or rank ≤ NetOps. */
export function canTerminateMailbox(caller: Caller, mailbox: TargetMailbox): Decision {
  if (!mailboxInScope(scopeOf(caller), mailbox)) return deny('not-found', 'terminate a mailbox');
  if (isAtLeast(caller.authLevel, 'NetOps')) return ALLOW;
  if (caller.authLevel === 'NetworkAdmin' && caller.networkId === mailbox.networkId) return ALLOW;
  return deny('forbidden', 'terminate a mailbox: NetworkAdmin of its network or NetOps and above');
}

/** Row: read the audit log — rank ≤ NetworkAdmin (events limited to targets in scope by the query). */
export function canReadAudit(caller: Caller): Decision {
  return isAtLeast(caller.authLevel, 'NetworkAdmin') ? ALLOW : deny('forbidden', 'read the audit log');
}

/**
 * Create a network: ECGrid v2.6 has no call for it (API.md §6: operators, with
 * the CLI, which acts as a Root). Extension POST /v2/networks/create: rank ≤
 * NetOps, the system-scoped admins, who already update every network; one
 * rule for the CLI and the API.
 */
export function canCreateNetwork(caller: Caller): Decision {
  return isAtLeast(caller.authLevel, 'NetOps') ? ALLOW : deny('forbidden', 'create a network: NetOps and above');
}

/**
 * Extension DELETE /v2/networks/{id} — rank ≤ NetOps (network-scoped admins may
 * not end their own network: that is the operators' call, like creating it).
 * Out of scope reads as missing.
 */
export function canTerminateNetwork(caller: Caller, networkId: number): Decision {
  if (!networkInScope(scopeOf(caller), networkId)) return deny('not-found', 'terminate a network');
  if (isAtLeast(caller.authLevel, 'NetOps')) return ALLOW;
  return deny('forbidden', 'terminate a network: NetOps and above');
}
