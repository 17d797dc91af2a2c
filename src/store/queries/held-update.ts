/**
 * The row an UPDATE of a row the transaction holds leaves, known without
 * waiting for the database's answer (the `updateHeld` of users, networks and
 * mailboxes: PostgreSQL sends such an UPDATE with what follows, UNTIL_COMMIT).
 */

/**
 * A value as a UTF-8 database gives it back: a string with a lone surrogate
 * (which JSON may carry and UTF-8 cannot) holds U+FFFD in its place, as the
 * driver's encoding wrote it.
 */
const asStored = (value: unknown): unknown => (typeof value === 'string' ? Buffer.from(value, 'utf8').toString('utf8') : value);

/**
 * `before` with the fields `patch` gives, as stored (undefined: not given; a
 * patch field that is no field of the row, such as a password hash, is left
 * out), and then `stamp` (what the UPDATE itself sets: modified, version).
 */
export function asUpdated<T extends object>(before: T, patch: object, stamp: Partial<T>): T {
  const after = { ...before };
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined && field in before) Object.assign(after, { [field]: asStored(value) });
  }
  return Object.assign(after, stamp);
}
