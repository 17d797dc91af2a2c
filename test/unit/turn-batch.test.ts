/**
 * TurnBatch (src/store/turn-batch.ts): the lookups asked for in one turn of
 * the event loop reach `lookUp` together, each caller gets the answer at its
 * own position, a failed lookUp fails every lookup of its batch (and only
 * those), and a turn with more than one batch's worth is split.
 */
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/store/turn-batch.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('answers the lookups of one turn with one call, each with the output at its own position', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, string>(async (inputs) => {
      calls.push(inputs);
      return inputs.map((n) => `#${n}`);
    });
    const answers = await Promise.all([3, 1, 4, 1, 5].map((n) => batch.get(n)));
    expect(answers).toEqual(['#3', '#1', '#4', '#1', '#5']);
    expect(calls).toEqual([[3, 1, 4, 1, 5]]);
    expect(batch.counters).toEqual({ lookups: 5, statements: 1 });
  });

  it('does not hold a lookup past its turn: one asked for in a later turn is a new call', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>(async (inputs) => {
      calls.push(inputs);
      return inputs;
    });
    const first = batch.get(1);
    await nextTurn();
    expect(calls).toEqual([[1]]);
    const second = batch.get(2);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(calls).toEqual([[1], [2]]);
  });

  it('fails every lookup of a failed call with its error, and the next turn’s lookups not at all', async () => {
    let fail = true;
    const batch = new TurnBatch<number, number>(async (inputs) => {
      if (fail) throw new Error('connection lost');
      return inputs.map((n) => n * 10);
    });
    const failed = await Promise.allSettled([batch.get(1), batch.get(2)]);
    expect(failed.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.value))).toEqual(['connection lost', 'connection lost']);
    fail = false;
    expect(await Promise.all([batch.get(3), batch.get(4)])).toEqual([30, 40]);
  });

  it('splits a turn of 300 lookups into calls of at most 128, all answered in order', async () => {
    const sizes: number[] = [];
    const batch = new TurnBatch<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return inputs.map((n) => -n);
    });
    const inputs = Array.from({ length: 300 }, (_, i) => i);
    expect(await Promise.all(inputs.map((n) => batch.get(n)))).toEqual(inputs.map((n) => -n));
    expect(sizes).toEqual([128, 128, 44]);
  });
});
