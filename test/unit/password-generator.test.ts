/**
 * The password generator, by property: every draw, at every allowed length,
 * has the asked length and meets the policy. Thousands of draws, counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meetsPasswordPolicy, PASSWORD_MAX, PASSWORD_MIN } from '../../src/domain/password-policy.js';
import { DEFAULT_GENERATED_LENGTH, generatePassword, PASSWORD_CLASSES } from '../../src/security/password-generator.js';

const RUNS = 20_000;

describe('generatePassword', () => {
  it(`every draw over lengths ${PASSWORD_MIN}–${PASSWORD_MAX} has the asked length and meets the policy (${RUNS} draws)`, () => {
    let draws = 0;
    const lengthsSeen = new Set<number>();
    fc.assert(
      fc.property(fc.integer({ min: PASSWORD_MIN, max: PASSWORD_MAX }), (length) => {
        const password = generatePassword(length);
        draws++;
        lengthsSeen.add(length);
        return [...password].length === length && meetsPasswordPolicy(password);
      }),
      { numRuns: RUNS },
    );
    console.log(`password generator: ${draws} draws, ${lengthsSeen.size} distinct lengths, all met the policy`);
    expect(draws).toBe(RUNS);
    // fast-check biases towards the bounds but covers the range.
    expect(lengthsSeen.has(PASSWORD_MIN) && lengthsSeen.has(PASSWORD_MAX)).toBe(true);
    expect(lengthsSeen.size).toBe(PASSWORD_MAX - PASSWORD_MIN + 1);
  });

  it('defaults to 12 characters and uses only the documented alphabet', () => {
    const alphabet = new Set(PASSWORD_CLASSES.join(''));
    for (let i = 0; i < 2_000; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(DEFAULT_GENERATED_LENGTH);
      expect([...password].every((ch) => alphabet.has(ch)), password).toBe(true);
    }
  });

  it('places the guaranteed classes at random positions and does not repeat itself', () => {
    const draws = Array.from({ length: 4_000 }, () => generatePassword(PASSWORD_MIN));
    expect(new Set(draws).size).toBe(draws.length);
    // Without the shuffle the first character would always be a lowercase letter.
    for (const [index, cls] of PASSWORD_CLASSES.entries()) {
      const firstInClass = draws.filter((p) => cls.includes(p[0]!)).length;
      expect(firstInClass, `class ${index} first`).toBeGreaterThan(100);
    }
  });

  it.each([PASSWORD_MIN - 1, PASSWORD_MAX + 1, 12.5, Number.NaN])('refuses length %s', (length) => {
    expect(() => generatePassword(length)).toThrow(RangeError);
  });
});
