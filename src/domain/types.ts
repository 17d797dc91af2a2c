/** Domain objects as the store hands them to services (not wire shapes). */
import type { AuthLevel } from './levels.js';
import type { Status } from './statuses.js';
import type { CellCarrier } from './cell-carriers.js';

export type KeyVisibility = 'Private' | 'Shared' | 'Public' | 'Session';

export interface Network {
  networkId: number;
  uniqueId: string;
  companyName: string;
  status: Status;
  address1: string;
  address2: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  website: string;
  created: string;
  modified: string;
}

export interface Mailbox extends Network {
  mailboxId: number;
}

export interface User {
  userId: number;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  networkId: number;
  mailboxId: number;
  authLevel: AuthLevel;
  status: Status;
  created: string;
  modified: string;
  lastLogin: string | null;
  /** Consecutive failed logins since the last success. */
  failedLogins: number;
  /** Lockout end (ISO); the account is locked while this is in the future. */
  lockedUntil: string | null;
  company: string;
  phone: string;
  cellPhone: string;
  cellCarrier: CellCarrier;
  timeZoneOffset: number | null;
  /** Incremented on every change of the row: the ETag and the optimistic-concurrency check. */
  version: number;
}

/** The fields of a user that PERMISSIONS.md reasons about. */
export type Placement = Pick<User, 'userId' | 'networkId' | 'mailboxId' | 'authLevel'>;

export interface ApiKey {
  keyId: number;
  userId: number;
  visibility: KeyVisibility;
  isPrimary: boolean;
  /** First 4 + '…' + last 4 characters: enough to recognise, useless to attack. */
  hint: string;
  created: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Who is calling, as established by authentication. */
export interface Principal extends Placement {
  login: string;
  status: Status;
  credential:
    | { kind: 'key'; keyId: number }
    | { kind: 'session'; sessionId: string; expiresAt: string }
    /** The operator CLI, working on the database directly (services/operator.ts). */
    | { kind: 'operator' };
}

export interface AuditEvent {
  eventId: number;
  at: string;
  actorUserId: number | null;
  action: string;
  targetType: 'user' | 'key' | 'network' | 'mailbox' | 'session';
  targetId: number;
  targetNetworkId: number;
  targetMailboxId: number;
  changes: Record<string, { old: unknown; new: unknown }>;
  requestId: string;
  clientIp: string;
}

export type NewAuditEvent = Omit<AuditEvent, 'eventId'>;
