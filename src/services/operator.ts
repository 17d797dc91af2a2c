/**
 * The operator CLI acts through the same services as the API, as a synthetic
 * Root principal with userId 0: the same validation, placement rules and audit
 * apply, and its audit events carry actorUserId 0 ("operator CLI"). No user row
 * has id 0, so the operator is never "self" and, as a Root, outranks everyone.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../domain/types.js';
import type { RequestContext } from './context.js';

export const OPERATOR_USER_ID = 0;

const operatorPrincipal: Principal = {
  userId: OPERATOR_USER_ID,
  login: 'operator',
  networkId: 0,
  mailboxId: 0,
  authLevel: 'Root',
  status: 'Active',
  credential: { kind: 'operator' },
};
export const OPERATOR: Readonly<Principal> = Object.freeze(operatorPrincipal);

/** The context of one CLI command; its request id (`cli-<uuid>`) groups the command's audit events. */
export function operatorContext(): RequestContext {
  return { principal: OPERATOR, requestId: `cli-${randomUUID()}`, clientIp: '' };
}
