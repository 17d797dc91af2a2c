/** answerTogether (src/http/write-together.ts): the answers of one turn are written together, at its end, in order. */
import { describe, expect, it } from 'vitest';
import { answerTogether } from '../../src/http/write-together.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('answerTogether', () => {
  it('writes nothing during the turn, then every answer of the turn in the order given', async () => {
    const together = answerTogether();
    const written: string[] = [];
    for (const name of ['a', 'b', 'c']) together({ send: () => written.push(name), failed: () => written.push(`failed ${name}`) });
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c']);
    // The next turn starts afresh.
    together({ send: () => written.push('d'), failed: () => {} });
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c', 'd']);
  });

  it('an answer whose writing throws is reported to its own failed(); the others are still written', async () => {
    const together = answerTogether();
    const written: string[] = [];
    const failures: unknown[] = [];
    const boom = new Error('cannot write');
    together({ send: () => written.push('a'), failed: (e) => failures.push(e) });
    together({ send: () => { throw boom; }, failed: (e) => failures.push(e) });
    together({ send: () => written.push('c'), failed: (e) => failures.push(e) });
    await nextTurn();
    expect(written).toEqual(['a', 'c']);
    expect(failures).toEqual([boom]);
  });
});
