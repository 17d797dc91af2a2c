/** Status values of users, networks and mailboxes (API.md §7). */
export const STATUSES = ['Development', 'Active', 'Preproduction', 'Suspended', 'Terminated'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Whether an object in this status lets its members authenticate.
 * Decision: only Suspended and Terminated lock members out; Development and
 * Preproduction networks/mailboxes are working tenants in ECGrid's lifecycle.
 */
export function admitsMembers(status: Status): boolean {
  return status !== 'Suspended' && status !== 'Terminated';
}

/** A user itself authenticates only while Active (API.md §1, 401 InvalidAPIKey). */
export function userMayAuthenticate(status: Status): boolean {
  return status === 'Active';
}
