/**
 * The answers of one event-loop turn leave together (issue 16). The server's
 * own onSend step (server.ts; Fastify goes on to write the answer once it is
 * done) waits for the end of the turn's I/O (setImmediate); there every
 * waiting answer is written, one after another. A client waiting on another
 * core is woken by the first and finds the rest there, instead of being woken
 * once per answer: on the bench VM that wake-up was the largest single item of
 * every answer (17–22 % of the server's CPU, charged to its `writev`). Corking
 * the sockets cannot do this: Node's `res.end()` uncorks its socket fully. An
 * answer waits at most for the rest of its turn.
 */
/** The part of a Fastify reply this needs (tests pass their own). */
export interface WaitingReply {
  send(error: unknown): unknown;
  raw: { headersSent: boolean; destroy(error?: Error): unknown };
}

/**
 * `wait(reply, done)` from an onSend hook: `done` (which writes the answer) is called at the end of the turn.
 * Two arrays, nothing made per answer.
 */
export function writeAnswersTogether(): (reply: WaitingReply, done: () => void) => void {
  let replies: WaitingReply[] = [];
  let dones: Array<() => void> = [];
  const failedOnce = new WeakSet<WaitingReply>();
  /**
   * What writing an answer threw, where Fastify would have answered it in the handler's turn: the error is
   * answered, once, if it still can be; otherwise the connection is cut.
   */
  const failed = (reply: WaitingReply, error: unknown) => {
    if (reply.raw.headersSent || failedOnce.has(reply)) reply.raw.destroy(error as Error);
    else {
      failedOnce.add(reply);
      reply.send(error);
    }
  };
  const flush = () => {
    const waiting = replies;
    const writes = dones;
    replies = [];
    dones = [];
    for (let i = 0; i < writes.length; i++) {
      try {
        writes[i]!();
      } catch (error) {
        failed(waiting[i]!, error);
      }
    }
  };
  return (reply, done) => {
    if (dones.length === 0) setImmediate(flush);
    replies.push(reply);
    dones.push(done);
  };
}
