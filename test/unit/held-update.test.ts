/** asUpdated (store/queries/held-update.ts): the row a held UPDATE leaves, without the database's answer. */
import { describe, expect, it } from 'vitest';
import { asUpdated } from '../../src/store/queries/held-update.js';

const before = { userId: 7, email: 'a@example.com', company: 'A', lockedUntil: '2026-12-02T10:00:00.000Z' as string | null, modified: '2026-12-01T00:00:00.000Z', version: 3 };

describe('asUpdated', () => {
  it('takes the fields the patch gives, then the stamp; leaves the rest and the row it was given as they were', () => {
    const after = asUpdated(before, { company: 'B', lockedUntil: null, email: undefined }, { modified: '2026-12-02T11:00:00.000Z', version: 4 });
    expect(after).toEqual({ userId: 7, email: 'a@example.com', company: 'B', lockedUntil: null, modified: '2026-12-02T11:00:00.000Z', version: 4 });
    expect(before.company).toBe('A');
  });

  it('leaves out what the patch writes that is no field of the row (a password hash)', () => {
    const after = asUpdated(before, { passwordHash: '$argon2id$…', company: 'C' }, { modified: before.modified });
    expect(after).not.toHaveProperty('passwordHash');
    expect(after.company).toBe('C');
  });

  it('gives a string back as UTF-8 storage holds it: a lone surrogate as U+FFFD', () => {
    expect(asUpdated(before, { company: 'A\ud800B' }, {}).company).toBe('A\ufffdB');
  });
});
