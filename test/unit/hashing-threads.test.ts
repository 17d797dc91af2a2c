/**
 * argon2id on low-priority threads: hashes verify (and only with the right
 * password), malformed hashes answer false, and each hashing thread runs at
 * nice 19 (read back from /proc), so a login storm cannot starve the event loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/security/passwords.js';

/** Nice value of every thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOfThreads(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('password hashing threads', () => {
  it('hash, then verify: true for the password, false for another and for a malformed hash', async () => {
    const hash = await hashPassword('Correct-Horse-9');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword(hash, 'Correct-Horse-9')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'Correct-Horse-8')).resolves.toBe(false);
    await expect(verifyPassword('not-a-hash', 'Correct-Horse-9')).resolves.toBe(false);
  });

  it('many at once all complete, each with its own answer', async () => {
    const passwords = Array.from({ length: 6 }, (_, i) => `Password-${i}!x`);
    const hashes = await Promise.all(passwords.map(hashPassword));
    const answers = await Promise.all(hashes.map((hash, i) => verifyPassword(hash, passwords[(i + (i % 2)) % passwords.length]!)));
    expect(answers).toEqual(passwords.map((_, i) => i % 2 === 0));
  });

  it('the hashing threads run at nice 19, the event loop at its own priority', async () => {
    await hashPassword('warm-up-1A!');
    const nices = niceOfThreads();
    const main = nices[0]!;
    // The priority this process was started with is its parent's (the test runner): `nice npm test` starts all at 19.
    const parentStat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    expect(main).toBe(Number(parentStat.slice(parentStat.lastIndexOf(')') + 2).split(' ')[16]));
    expect(nices.filter((nice) => nice === 19).length).toBeGreaterThanOrEqual(1);
  });
});
