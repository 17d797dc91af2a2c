/**
 * The row an UPDATE of a row the transaction holds leaves, known without
 * waiting for the database's answer (the `updateHeld` of users, networks and
 * mailboxes: PostgreSQL sends such an UPDATE with what follows, UNTIL_COMMIT).
 */

/**
 * `before` with the fields `patch` gives (undefined: not given; a patch field
 * that is no field of the row, such as a password hash, is left out) and then
 * `stamp` (what the UPDATE itself sets: modified, version).
 */
export function asUpdated<T extends object>(before: T, patch: object, stamp: Partial<T>): T {
  const after = { ...before };
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined && field in before) Object.assign(after, { [field]: value });
  }
  return Object.assign(after, stamp);
}
