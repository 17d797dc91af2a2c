/**
 * Password hashing with argon2id at OWASP's minimum parameters (19 MiB, t=2,
 * p=1), on low-priority threads (hashing-threads.ts), so a login storm does
 * not slow the event loop.
 */
import { Algorithm } from '@node-rs/argon2';
import { hashingThreads } from './hashing-threads.js';

const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hashingThreads().hash(password, OPTIONS);
}

/**
 * The stored hash of a user who has no usable password yet (an imported user
 * without one): no password matches it. Not an argon2 string, so made in no
 * time for 100,000 users; verifying against it costs a real check (below).
 */
export const NO_PASSWORD_HASH = '!no-password';

/** False for a wrong password and for a malformed hash; never throws on input. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  // As long as a real check, so that timing does not tell that a user has no password.
  if (passwordHash === NO_PASSWORD_HASH) return hashingThreads().verify(await dummyPasswordHash(), password).then(() => false, () => false);
  try {
    return await hashingThreads().verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password, made once: verifying against it when the user
 * does not exist takes as long as a real check (no user enumeration by timing).
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}
