/** What every service call knows about the request it serves. */
import type { Principal, User } from '../domain/types.js';

export interface RequestContext {
  principal: Principal;
  requestId: string;
  clientIp: string;
  /** The user the request names, read in authentication's own statement (issue 16); absent when not read. */
  readAhead?: ReadAhead;
}

/**
 * A user row read together with the credential (one statement instead of
 * two): `user` is null when no user has the id. A row, not a permission: the
 * service decides what the caller may see of it exactly as of a row it read
 * itself.
 */
export interface ReadAhead {
  userId: number;
  user: User | null;
}

/** Context for work done by the server itself or an operator (CLI): no principal. */
export interface SystemContext {
  actorUserId: number | null;
  requestId: string;
  clientIp: string;
}

export function systemContext(origin: string): SystemContext {
  return { actorUserId: null, requestId: origin, clientIp: '' };
}

export function nowIso(): string {
  return new Date().toISOString();
}
