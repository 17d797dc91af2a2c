/**
 * API keys: 122 random bits written as a UUID v4 (the format ECGrid documents),
 * found by SHA-256 (a key has full entropy, so a fast hash is enough and keeps
 * authentication cheap), compared in constant time.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

export function generateApiKey(): string {
  return randomUUID();
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** First 4 + … + last 4: how a key is shown after its creation (API.md §5). */
export function keyHint(key: string): string {
  return key.length <= 8 ? '…' : `${key.slice(0, 4)}…${key.slice(-4)}`;
}
