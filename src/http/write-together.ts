/**
 * The answers of one event-loop turn leave together (issue 16). The server's
 * own onSend step (server.ts; Fastify goes on to write the answer once it is
 * done) waits for the end of the turn's I/O (setImmediate); there every
 * waiting answer is written, one after another. A client waiting on another core is woken by the first
 * and finds the rest there, instead of being woken once per answer: on the
 * bench VM that wake-up was the largest single item of every answer (17–22 %
 * of the server's CPU, charged to its `writev`). Corking the sockets cannot do
 * this: Node's `res.end()` uncorks its socket fully. An answer waits at most
 * for the rest of its turn.
 */
export interface Waiting {
  /** Writes the answer (Fastify's onSend `done`). */
  send(): void;
  /** What writing it threw: in the turn's flush there is no caller to hand it to. */
  failed(error: unknown): void;
}

export function answerTogether(): (answer: Waiting) => void {
  let waiting: Waiting[] = [];
  const flush = () => {
    const answers = waiting;
    waiting = [];
    for (const answer of answers) {
      try {
        answer.send();
      } catch (error) {
        answer.failed(error);
      }
    }
  };
  return (answer) => {
    if (waiting.length === 0) setImmediate(flush);
    waiting.push(answer);
  };
}
