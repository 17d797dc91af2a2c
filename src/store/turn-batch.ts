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
  /** Lookups asked for, and statements they took: their ratio is the batch size (metrics). */
  readonly counters = { lookups: 0, statements: 0 };

  /** `lookUp(inputs)` answers inputs in order: one output per input. */
  constructor(private readonly lookUp: (inputs: I[]) => Promise<O[]>) {}

  get(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = [];
    for (let start = 0; start < pending.length; start += MAX_BATCH) void this.#send(pending.slice(start, start + MAX_BATCH));
  }

  async #send(batch: Pending<I, O>[]): Promise<void> {
    this.counters.lookups += batch.length;
    this.counters.statements++;
    let outputs: O[];
    try {
      outputs = await this.lookUp(batch.map((entry) => entry.input));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outputs[i]!);
  }
}
