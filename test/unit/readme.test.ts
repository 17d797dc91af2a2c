/** The README stays true: its first lines give the two commands; its configuration table lists every option. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer runs', () => {
    const head = README.split('\n').slice(0, 12).join('\n');
    expect(head).toContain('npm install && npm start');
    expect(head).toContain('npm install && npm test');
  });

  it('documents every configuration variable with its flag', () => {
    for (const option of OPTIONS) {
      expect(README, option.env).toMatch(new RegExp(`\\| \`${option.env}\` \\| \`${option.flag}\` \\|`));
    }
  });
});
