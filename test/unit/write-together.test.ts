/** writeAnswersTogether (src/http/write-together.ts): the answers of one turn are written together, at its end, in order. */
import { describe, expect, it } from 'vitest';
import { writeAnswersTogether, type WaitingReply } from '../../src/http/write-together.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A reply that records what it was told: the error it was asked to send, whether its connection was cut. */
function fakeReply() {
  const told = { sent: [] as unknown[], destroyed: [] as unknown[] };
  const reply: WaitingReply = {
    send: (error) => told.sent.push(error),
    raw: { headersSent: false, destroy: (error) => told.destroyed.push(error) },
  };
  return { reply, told };
}

describe('writeAnswersTogether', () => {
  it('writes nothing during the turn, then every answer of the turn in the order given', async () => {
    const wait = writeAnswersTogether();
    const written: string[] = [];
    for (const name of ['a', 'b', 'c']) wait(fakeReply().reply, () => written.push(name));
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c']);
    // The next turn starts afresh.
    wait(fakeReply().reply, () => written.push('d'));
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c', 'd']);
  });

  it('an answer whose writing throws is answered with the error, once; the others are still written', async () => {
    const wait = writeAnswersTogether();
    const written: string[] = [];
    const boom = new Error('cannot write');
    const failing = fakeReply();
    wait(fakeReply().reply, () => written.push('a'));
    wait(failing.reply, () => {
      throw boom;
    });
    wait(fakeReply().reply, () => written.push('c'));
    await nextTurn();
    expect(written).toEqual(['a', 'c']);
    expect(failing.told.sent).toEqual([boom]);
    expect(failing.told.destroyed).toEqual([]);
    // Writing the error answer throws too: the connection is cut, nothing is sent again.
    wait(failing.reply, () => {
      throw boom;
    });
    await nextTurn();
    expect(failing.told.sent).toEqual([boom]);
    expect(failing.told.destroyed).toEqual([boom]);
  });
});
