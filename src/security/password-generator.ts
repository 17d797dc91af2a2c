/**
 * Random passwords that always meet the policy (domain/password-policy.ts),
 * drawn from node:crypto's CSPRNG. Pure apart from the randomness: no I/O.
 *
 * How: one character from each required class (lowercase, uppercase, digit,
 * symbol), the rest from the union of the classes, then a Fisher–Yates shuffle
 * so the guaranteed characters sit at random positions. `randomInt` draws
 * without modulo bias.
 */
import { randomInt } from 'node:crypto';
import { PASSWORD_MAX, PASSWORD_MIN } from '../domain/password-policy.js';

export const DEFAULT_GENERATED_LENGTH = 12;

/**
 * The symbol class leaves out characters that break when a password is pasted
 * into JSON, a shell or a URL without care: quotes, backslash, space, and
 * `/ ? & = % #` (query-string trouble) and backtick.
 */
export const PASSWORD_CLASSES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '0123456789',
  '!$*+,-.:;<>@[]^_{|}~()',
];

const ALL_CHARACTERS = PASSWORD_CLASSES.join('');

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}

/** A password of exactly `length` characters (8–128) meeting the policy; RangeError outside that range. */
export function generatePassword(length: number = DEFAULT_GENERATED_LENGTH): string {
  if (!Number.isInteger(length) || length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new RangeError(`password length must be an integer from ${PASSWORD_MIN} to ${PASSWORD_MAX}`);
  }
  const characters = PASSWORD_CLASSES.map(pick);
  while (characters.length < length) characters.push(pick(ALL_CHARACTERS));
  for (let i = characters.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j]!, characters[i]!];
  }
  return characters.join('');
}
