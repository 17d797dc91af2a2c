/** atTurnEnd (src/turn-end.ts): jobs at the end of the turn, in order; the jobs their continuations add, in the same turn. */
import { describe, expect, it } from 'vitest';
import { atTurnEnd } from '../../src/turn-end.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('atTurnEnd', () => {
  it('runs nothing during the turn, then every job in the order given', async () => {
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c']) atTurnEnd(() => ran.push(name));
    expect(ran).toEqual([]);
    await Promise.resolve();
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('runs a job that the continuations of an earlier job add in the same turn, after those continuations', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const committed = new Promise<void>((resolve) => (release = resolve));
    // Like a request waiting for its group's COMMIT, then (three awaits later) handing its answer over.
    const request = (async () => {
      await committed;
      await null;
      await null;
      ran.push('answer made');
      atTurnEnd(() => ran.push('answer written'));
    })();
    atTurnEnd(() => {
      ran.push('commit');
      release();
      // What the next turn would run: a setImmediate made while immediates run waits for the next turn.
      setImmediate(() => ran.push('next turn'));
    });
    await request;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual(['commit', 'answer made', 'answer written', 'next turn']);
  });

  it('leaves jobs past its share of one turn for the next, so that chained jobs cannot keep I/O out', async () => {
    const ran: number[] = [];
    let turnsSeen = 0;
    const chain = (n: number) => () => {
      ran.push(n);
      if (n < 40) atTurnEnd(chain(n + 1));
    };
    atTurnEnd(() => {
      // Counts the turns that pass while the chain runs.
      const tick = () => {
        turnsSeen++;
        if (ran.length < 40) setImmediate(tick);
      };
      setImmediate(tick);
    });
    atTurnEnd(chain(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ran).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // 41 jobs at most 16 a turn: the chain spans at least three turns, and other immediates ran between.
    expect(turnsSeen).toBeGreaterThanOrEqual(2);
  });
});
