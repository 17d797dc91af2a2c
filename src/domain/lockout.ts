/**
 * Failed-login lockout (API.md §4): after 5 consecutive failures the account
 * is locked for 15 minutes. Pure rules; the counting itself is one SQL
 * statement (store/queries/login-state.ts) so that concurrent failures add up.
 */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;

/** When a lock set at `nowMs` ends (ISO). */
export function lockoutEnd(nowMs: number): string {
  return new Date(nowMs + LOCKOUT_MINUTES * 60_000).toISOString();
}

