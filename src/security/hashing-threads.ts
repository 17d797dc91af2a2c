/**
 * Where argon2id runs: worker threads at the lowest CPU priority (nice 19).
 *
 * Hashing on libuv's thread pool kept the event loop free in principle, but a
 * login storm still took it over in practice: four pool threads hashing at the
 * event loop's own priority left it a fifth of a core, and the p99 of plain
 * GETs rose tenfold (measured, see README "Performance"). At nice 19 the
 * scheduler gives the event loop nearly all of the CPU it wants and the
 * hashes the rest: logins queue, everything else keeps its latency.
 *
 * Linux only for the priority (a thread's id is its own `PRIO_PROCESS`
 * target); elsewhere the threads run at normal priority.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

type Job = { id: number; op: 'hash' | 'verify'; password: string; hash?: string; options?: object };
type Pending = { resolve: (value: string | boolean) => void; reject: (error: Error) => void };

/** Runs in each thread: lower its own priority, then hash and verify on request. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const { setPriority } = require('node:os');
const argon2 = require(workerData.argon2);
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, workerData.nice);
} catch {}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash' ? argon2.hashSync(job.password, job.options) : verify(job);
    parentPort.postMessage({ id: job.id, value });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message || error) });
  }
});
function verify(job) {
  try { return argon2.verifySync(job.hash, job.password); } catch { return false; }
}
`;

export class HashingThreads {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #turn = 0;

  constructor(threads: number, nice: number) {
    const argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2');
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { argon2, nice } });
      worker.on('message', (message: { id: number; value?: string | boolean; error?: string }) => {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.error !== undefined) pending.reject(new Error(message.error));
        else pending.resolve(message.value!);
      });
      worker.on('error', (error) => {
        for (const pending of this.#pending.values()) pending.reject(error);
        this.#pending.clear();
      });
      // Idle threads never keep the process alive; one with work does (see #run).
      worker.unref();
      this.#workers.push(worker);
    }
  }

  hash(password: string, options: object): Promise<string> {
    return this.#run({ op: 'hash', password, options }) as Promise<string>;
  }

  /** False for a wrong password and for a malformed hash. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.#run({ op: 'verify', password, hash }) as Promise<boolean>;
  }

  #run(job: Omit<Job, 'id'>): Promise<string | boolean> {
    const id = this.#nextId++;
    const worker = this.#workers[this.#turn++ % this.#workers.length]!;
    worker.ref();
    return new Promise<string | boolean>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id });
    }).finally(() => {
      if (this.#pending.size === 0) for (const w of this.#workers) w.unref();
    });
  }
}

let shared: HashingThreads | undefined;
let niceness = 19;

/**
 * The priority the process's hashing threads will run at, set before the
 * first hash. The server keeps nice 19 (its event loop comes first); the
 * operator's bulk import hashes at its own priority, because hashing is the
 * work it was asked to do — at nice 19 on a busy host, 10,000 passwords took
 * many minutes (run it under `nice` to be gentler to a server on the same host).
 */
export function setHashingPriority(nice: number): void {
  if (shared) throw new Error('the hashing threads already run; set their priority before the first hash');
  niceness = nice;
}

/**
 * The process's hashing threads, started on first use: one per core this
 * process may run on (at nice 19 they only take what the event loop leaves).
 */
export function hashingThreads(): HashingThreads {
  shared ??= new HashingThreads(Math.max(1, availableParallelism()), niceness);
  return shared;
}
