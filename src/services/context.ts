/** What every service call knows about the request it serves. */
import type { Principal } from '../domain/types.js';

export interface RequestContext {
  principal: Principal;
  requestId: string;
  clientIp: string;
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
