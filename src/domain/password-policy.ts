/**
 * Password policy (API.md §3): 8–128 characters (Decision) with at least one
 * lowercase letter, one uppercase letter, one digit and one character that is
 * none of those.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export const PASSWORD_POLICY_TEXT =
  `must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters with a lowercase letter, an uppercase letter, a digit and a symbol`;

export function meetsPasswordPolicy(password: string): boolean {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) return false;
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  for (const ch of password) {
    if (ch >= 'a' && ch <= 'z') lower = true;
    else if (ch >= 'A' && ch <= 'Z') upper = true;
    else if (ch >= '0' && ch <= '9') digit = true;
    else other = true;
  }
  return lower && upper && digit && other;
}
