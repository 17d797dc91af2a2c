/**
 * TurnBatch (src/store/turn-batch.ts): a lookup asked for while no statement
 * is out goes at once, alone; the ones asked for while one is out are
 * gathered and go together when it is answered or at the end of the turn,
 * whichever comes first. Each caller gets the answer at its own position, a
 * failed statement fails every lookup it carried (and only those), and more
 * than one statement's worth is split.
 */
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/store/turn-batch.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A lookUp whose answers the test releases: each call waits for `answer()`. */
function heldLookUp() {
  const calls: number[][] = [];
  const held: Array<() => void> = [];
  const lookUp = (inputs: number[]) => {
    calls.push(inputs);
    return new Promise<number[]>((resolve) => held.push(() => resolve(inputs.map((n) => n * 10))));
  };
  return { calls, lookUp, answer: () => held.shift()!() };
}

describe('TurnBatch', () => {
  it('sends a lookup at once when nothing is out, and gathers the rest of the turn while it is', async () => {
    const { calls, lookUp, answer } = heldLookUp();
    const batch = new TurnBatch<number, number>(lookUp);
    const answers = Promise.all([3, 1, 4, 1, 5].map((n) => batch.get(n)));
    expect(calls).toEqual([[3]]);
    // The first is still out at the end of the turn: the rest go then, together.
    await nextTurn();
    expect(calls).toEqual([[3], [1, 4, 1, 5]]);
    answer();
    answer();
    expect(await answers).toEqual([30, 10, 40, 10, 50]);
    expect(batch.counters).toEqual({ lookups: 5, statements: 2 });
  });

  it('sends what it gathered as soon as the statement out is answered, before the end of the turn', async () => {
    const { calls, lookUp, answer } = heldLookUp();
    const batch = new TurnBatch<number, number>(lookUp);
    const first = batch.get(1);
    const rest = [batch.get(2), batch.get(3)];
    answer();
    expect(await first).toBe(10);
    // Still in the same turn (only promise jobs ran): 2 and 3 are out already, as one.
    expect(calls).toEqual([[1], [2, 3]]);
    answer();
    expect(await Promise.all(rest)).toEqual([20, 30]);
  });

  it('answers each lookup with the output at its own position', async () => {
    const batch = new TurnBatch<string, string>(async (inputs) => inputs.map((s) => s.toUpperCase()));
    expect(await Promise.all(['a', 'b', 'c', 'b', 'a'].map((s) => batch.get(s)))).toEqual(['A', 'B', 'C', 'B', 'A']);
  });

  it('does not hold a lookup past its turn: one asked for in a later turn, nothing out, is a statement of its own', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>(async (inputs) => {
      calls.push(inputs);
      return inputs;
    });
    const first = batch.get(1);
    await nextTurn();
    const second = batch.get(2);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(calls).toEqual([[1], [2]]);
  });

  it('fails every lookup of a failed statement with its error, and later lookups not at all', async () => {
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

  it('splits 300 lookups gathered in one turn into statements of at most 128, all answered in order', async () => {
    const sizes: number[] = [];
    const batch = new TurnBatch<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return inputs.map((n) => -n);
    });
    const inputs = Array.from({ length: 300 }, (_, i) => i);
    expect(await Promise.all(inputs.map((n) => batch.get(n)))).toEqual(inputs.map((n) => -n));
    expect(sizes).toEqual([1, 128, 128, 43]);
  });
});
