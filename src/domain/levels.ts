/**
 * AuthLevel ranks and scopes (PERMISSIONS.md "Levels, ranks and scopes").
 * Pure data: no I/O, no imports.
 */

/** Highest first; the index + 1 is the rank. */
export const AUTH_LEVELS = [
  'Root',
  'TechOps',
  'NetOps',
  'NetworkAdmin',
  'NetworkUser',
  'MailboxAdmin',
  'MailboxUser',
  'TPUser',
  'General',
] as const;

export type AuthLevel = (typeof AUTH_LEVELS)[number];

export type ScopeKind = 'system' | 'network' | 'mailbox' | 'self';

const RANK: Record<AuthLevel, number> = Object.fromEntries(
  AUTH_LEVELS.map((level, index) => [level, index + 1]),
) as Record<AuthLevel, number>;

const SCOPE_KIND: Record<AuthLevel, ScopeKind> = {
  Root: 'system',
  TechOps: 'system',
  NetOps: 'system',
  NetworkAdmin: 'network',
  NetworkUser: 'network',
  MailboxAdmin: 'mailbox',
  MailboxUser: 'mailbox',
  TPUser: 'self',
  General: 'self',
};

const ADMIN_LEVELS: ReadonlySet<AuthLevel> = new Set(['Root', 'TechOps', 'NetOps', 'NetworkAdmin', 'MailboxAdmin']);

export function rankOf(level: AuthLevel): number {
  return RANK[level];
}

export function scopeKindOf(level: AuthLevel): ScopeKind {
  return SCOPE_KIND[level];
}

export function isAdminLevel(level: AuthLevel): boolean {
  return ADMIN_LEVELS.has(level);
}

export function isSystemLevel(level: AuthLevel): boolean {
  return SCOPE_KIND[level] === 'system';
}

/** True when `a` is strictly higher than `b` (smaller rank). */
export function isHigher(a: AuthLevel, b: AuthLevel): boolean {
  return RANK[a] < RANK[b];
}

/**
 * PERMISSIONS.md "Outranks": C outranks U when C is strictly higher; a Root
 * outranks everyone, other Roots included (self is decided by the caller).
 */
export function outranks(caller: AuthLevel, target: AuthLevel): boolean {
  return caller === 'Root' || isHigher(caller, target);
}

/** True when `level` is at rank `limit` or higher (e.g. "rank ≤ NetworkAdmin"). */
export function isAtLeast(level: AuthLevel, limit: AuthLevel): boolean {
  return RANK[level] <= RANK[limit];
}
