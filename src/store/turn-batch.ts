/**
 * Lookups asked for in one turn of the event loop, answered by one statement.
 *
 * On PostgreSQL every statement is a round trip, and on this kind of machine
 * the round trip itself is most of a simple read's cost: the server's
 * `writev` into the socket (the kernel's loopback delivery and the wake-up of
 * the backend) was 17.5 % of its CPU under PUT load, and the backend's
 * per-statement work (receive, bind, start and end the executor, reply) as
 * much again. The lookups that every request makes (authentication) are
 * gathered until the end of the turn in which they were asked for: the
 * requests parsed in that turn, and sent as one statement over one
 * connection. Like the SQLite group commit: nothing waits longer than that
 * turn, and a lookup is never answered from an older read than its own.
 *
 * Except when no statement of the batch is out: then a lookup goes at once,
 * alone, and the database works on it while this turn builds other answers;
 * and the lookups gathered while one was out go as soon as it is answered,
 * if that comes before the end of the turn. Gathered from the first lookup
 * on until the end of the turn, a list of users at 10 connections lost 13 %
 * of its req/s (p50 +0.75 ms: each authentication waited for the rest of its
 * turn, and the database idled meanwhile). Under load a turn sends two or
 * three statements instead of one, still a small fraction of one per request.
 *
 * Each lookup gets its own answer or its own failure: a failed statement
 * fails every lookup of its batch with the same error (each caller then
 * retries as it would have alone).
 */

/** Most lookups one statement carries; more in one turn make more statements. */
const MAX_BATCH = 128;

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class TurnBatch<I, O> {
  #pending: Pending<I, O>[] = [];
  #scheduled = false;
  /** Statements sent and not answered yet. */
  #out = 0;
  /** Lookups asked for, and statements they took: their ratio is the batch size (metrics). */
  readonly counters = { lookups: 0, statements: 0 };

  /** `lookUp(inputs)` answers inputs in order: one output per input. */
  constructor(private readonly lookUp: (inputs: I[]) => Promise<O[]>) {}

  get(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.#out === 0 && this.#pending.length === 0) {
        void this.#send([{ input, resolve, reject }]);
        return;
      }
      this.#pending.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  /** Sends what is gathered (at the end of the turn, or when the statement out is answered). */
  #flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (let start = 0; start < pending.length; start += MAX_BATCH) void this.#send(pending.slice(start, start + MAX_BATCH));
  }

  async #send(batch: Pending<I, O>[]): Promise<void> {
    this.counters.lookups += batch.length;
    this.counters.statements++;
    this.#out++;
    let outputs: O[];
    try {
      outputs = await this.lookUp(batch.map((entry) => entry.input));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    } finally {
      this.#out--;
      if (this.#pending.length > 0) this.#flush();
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outputs[i]!);
  }
}

/**
 * The rows of a batched statement in the order its lookups were asked:
 * `count` lookups, each row carrying its lookup's 1-based position `i`
 * (`unnest(…) with ordinality`); a lookup that found nothing is undefined.
 */
export function inOrderAsked<R extends { i: number | string }>(rows: readonly R[], count: number): (R | undefined)[] {
  const byLookup: (R | undefined)[] = new Array(count);
  // Each row as it came (its `i` left on it: readers pick their columns), not a copy per authentication.
  for (const row of rows) byLookup[Number(row.i) - 1] = row;
  return byLookup;
}
