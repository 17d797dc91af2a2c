/**
 * String formats used by the schemas, as pure predicates. http/ registers them
 * with the validator; each has the message that names what is wrong.
 */
import { meetsPasswordPolicy, PASSWORD_POLICY_TEXT } from '../domain/password-policy.js';

/** API.md §3: trimmed; ≤ 254 chars; one `@`; a dotted domain. */
export function isValidEmail(value: string): boolean {
  if (value.length === 0 || value.length > 254) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (/[\s<>()[\]\\,;:"]/.test(local) || local.length > 64) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label) || /^xn--[A-Za-z0-9-]+$/.test(label));
}

/** Websites are absolute http(s) URLs. */
export function isWebUrl(value: string): boolean {
  if (value === '') return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A date (`2024-03-15`, midnight UTC) or a date-time with a zone (`2024-03-15T10:22:00Z`). */
export function isTimestamp(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) && Number.isFinite(Date.parse(value))
  );
}

export const FORMATS = {
  'ecgrid-email': { validate: isValidEmail, message: 'must be a valid email address' },
  'ecgrid-password': { validate: meetsPasswordPolicy, message: PASSWORD_POLICY_TEXT },
  'ecgrid-url': { validate: isWebUrl, message: 'must be an http or https URL' },
  'ecgrid-timestamp': { validate: isTimestamp, message: 'must be an ISO-8601 timestamp such as 2024-03-15T10:22:00Z' },
} as const satisfies Record<string, { validate: (value: string) => boolean; message: string }>;

export type FormatName = keyof typeof FORMATS;
