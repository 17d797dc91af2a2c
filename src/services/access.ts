/** Turns a permission Decision into the answer API.md §1 prescribes. */
import { ApiError } from '../contract/errors.js';
import type { Decision } from '../domain/permissions.js';

/**
 * Throws unless allowed: out of scope → the caller's `notFound` error (the same
 * one a missing object gets), not allowed → 403 AccessDenied.
 */
export function enforce(decision: Decision, notFound: () => ApiError): void {
  if (decision.allow) return;
  throw decision.as === 'not-found' ? notFound() : ApiError.forbidden();
}
