/**
 * Work that waits for the end of the event loop's turn (issue 16): the
 * SQLite group commit (src/store/dialects/sqlite.ts) and the answers written
 * together (src/http/write-together.ts). Both used a setImmediate of their
 * own, so the answers of a group could be written only one turn after its
 * COMMIT: a setImmediate made while immediates run waits for the next turn,
 * and its poll phase, first. PUT on SQLite lost 3–9 % of its req/s to that.
 *
 * Here they share one queue. Its jobs run after the turn's I/O (one
 * setImmediate), one after another; after each, the promise continuations it
 * set off run (one microtask and one tick later, when the microtask queue is
 * drained), and a job they add (the answers of the transactions a COMMIT
 * resolved) runs in the same turn. Node offers no way to ask which phase is
 * running; this queue knows because it is the one running.
 *
 * Jobs must not throw (each catches what it can meet); one that does is
 * thrown from the immediate, as a setImmediate callback's would be, and the
 * queue goes on with the rest in the next turn.
 */

/** Most jobs one turn runs; the rest wait for the next turn, so that chained jobs cannot keep I/O out. */
const MAX_JOBS_PER_TURN = 16;

const jobs: Array<() => void> = [];
/** A run of the queue is scheduled or under way. */
let running = false;
let ranThisTurn = 0;

/** Runs `job` at the end of this turn (or of the next one, when the queue already ran its share). */
export function atTurnEnd(job: () => void): void {
  if (process.env.X) return void setImmediate(job);
  jobs.push(job);
  if (!running) {
    running = true;
    setImmediate(startTurn);
  }
}

function startTurn(): void {
  ranThisTurn = 0;
  runNext();
}

function runNext(): void {
  const job = jobs.shift();
  if (job === undefined) {
    running = false;
    return;
  }
  if (++ranThisTurn > MAX_JOBS_PER_TURN) {
    jobs.unshift(job);
    setImmediate(startTurn);
    return;
  }
  try {
    job();
  } finally {
    // After the continuations the job set off: they are queued ahead of this microtask, and the
    // tick it queues runs only once the microtask queue is empty.
    queueMicrotask(afterContinuations);
  }
}

function afterContinuations(): void {
  process.nextTick(runNext);
}
