/** Domain objects → wire objects of API.md §2. */
import type { UserIDInfo } from '../contract/users.js';
import type { MailboxIDInfo, NetworkIDInfo } from '../contract/tenancy.js';
import type { KeyInfo } from '../contract/keys.js';
import type { AuditEventInfo } from '../contract/audit.js';
import type { ApiKey, AuditEvent, Mailbox, Network, User } from '../domain/types.js';

/** `2024-03-15T10:22:00Z`: the reference's timestamps carry whole seconds. */
export function wireTime(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

export function isLockedOut(user: Pick<User, 'lockedUntil'>, nowMs = Date.now()): boolean {
  return user.lockedUntil !== null && Date.parse(user.lockedUntil) > nowMs;
}

/** Extension: the entity tag of a user's current row (its id and row version). */
export function userEtag(user: Pick<User, 'userId' | 'version'>): string {
  return `"${user.userId}.${user.version}"`;
}

/** Whether an If-Match header value matches the user's current tag (`*` matches any existing user). */
export function matchesIfMatch(header: string, user: Pick<User, 'userId' | 'version'>): boolean {
  const current = userEtag(user);
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === current);
}

export function presentUser(user: User): UserIDInfo {
  return {
    userId: user.userId,
    login: user.login,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    networkId: user.networkId,
    mailboxId: user.mailboxId,
    authLevel: user.authLevel,
    status: user.status,
    created: wireTime(user.created),
    modified: wireTime(user.modified),
    lastLogin: user.lastLogin === null ? null : wireTime(user.lastLogin),
    lockedOut: isLockedOut(user),
    company: user.company,
    phone: user.phone,
    cellPhone: user.cellPhone,
    cellCarrier: user.cellCarrier,
    timeZoneOffset: user.timeZoneOffset,
    // Extension: the same fact as lockedOut, with its end; a past lock reads null, as lockedOut reads false.
    lockedUntil: isLockedOut(user) ? wireTime(user.lockedUntil!) : null,
  };
}

function presentAddress(t: Network) {
  return {
    address1: t.address1,
    address2: t.address2,
    city: t.city,
    state: t.state,
    zip: t.zip,
    phone: t.phone,
    website: t.website,
  };
}

export function presentNetwork(n: Network): NetworkIDInfo {
  return {
    networkId: n.networkId,
    uniqueId: n.uniqueId,
    companyName: n.companyName,
    status: n.status,
    created: wireTime(n.created),
    modified: wireTime(n.modified),
    ...presentAddress(n),
  };
}

export function presentMailbox(m: Mailbox): MailboxIDInfo {
  return {
    mailboxId: m.mailboxId,
    networkId: m.networkId,
    uniqueId: m.uniqueId,
    companyName: m.companyName,
    status: m.status,
    created: wireTime(m.created),
    modified: wireTime(m.modified),
    ...presentAddress(m),
  };
}

/** `key` is what the caller may see: the full key (at creation, a readable primary) or the hint. */
export function presentKey({ info, key }: { info: ApiKey; key: string }): KeyInfo {
  return {
    keyId: info.keyId,
    userId: info.userId,
    key,
    visibility: info.visibility,
    created: wireTime(info.created),
    isPrimary: info.isPrimary,
    expiresAt: info.expiresAt === null ? null : wireTime(info.expiresAt),
  };
}

export function presentAuditEvent(event: AuditEvent): AuditEventInfo {
  return {
    eventId: event.eventId,
    at: wireTime(event.at),
    actorUserId: event.actorUserId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    targetNetworkId: event.targetNetworkId,
    targetMailboxId: event.targetMailboxId,
    changes: event.changes,
    requestId: event.requestId,
    clientIp: event.clientIp,
  };
}
