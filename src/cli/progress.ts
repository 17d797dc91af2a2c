/**
 * Progress of long work (seed, import, export, migrations, backup): on a terminal a bar with done/total, rate and time left
 * (cli-progress); elsewhere nothing — the command prints its one summary line
 * itself. Work reports through `onProgress(done, total)`, so services know
 * nothing of terminals. cli-progress is loaded only when a bar is shown (a
 * command's start-up does not pay for it otherwise).
 */
import type { SingleBar as Bar } from 'cli-progress';

export interface Progress {
  /** `done` of `total` units so far (total may change, e.g. once a file is counted). */
  onProgress(done: number, total?: number): void;
  /** Ends the bar (left on screen, complete); no output when not on a terminal. */
  stop(): void;
}

export interface ProgressOptions {
  /** What the units are, after the counts: `users`, `rows`, `migrations`. */
  unit?: string;
  /** Where the bar goes: stderr by default (stdout carries results). */
  stream?: NodeJS.WriteStream;
  /** Show a bar even when not on a terminal (tests); default: only on a terminal. */
  force?: boolean;
}

const QUIET: Progress = { onProgress() {}, stop() {} };

function showsBar(options: ProgressOptions): boolean {
  return (options.stream ?? process.stderr).isTTY === true || options.force === true;
}

/** A bar labelled `label` (`importing`, `hashing passwords`) counting to `total`. */
export async function startProgress(label: string, total: number, options: ProgressOptions = {}): Promise<Progress> {
  const stream = options.stream ?? process.stderr;
  if (!showsBar(options)) return QUIET;
  const { SingleBar } = await import('cli-progress');
  const started = Date.now();
  const bar: Bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {value}/{total} ${options.unit ?? ''} | {rate}/s | {eta_formatted} left`,
    barsize: 24,
    hideCursor: true,
    etaBuffer: 50,
    fps: 10,
    noTTYOutput: options.force === true,
    notTTYSchedule: 1000,
  });
  bar.start(total, 0, { rate: '0' });
  let stopped = false;
  return {
    onProgress(done, newTotal) {
      if (stopped) return;
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '0' });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** Runs `work` with a bar; the bar ends whether the work succeeds or fails. */
export async function withProgress<T>(label: string, total: number, work: (onProgress: Progress['onProgress']) => Promise<T>, options?: ProgressOptions): Promise<T> {
  const progress = await startProgress(label, total, options);
  try {
    return await work((done, newTotal) => progress.onProgress(done, newTotal));
  } finally {
    progress.stop();
  }
}

/**
 * For work whose size is known only once it starts (migrations: how many are pending): the bar
 * starts at the first report and ends when done reaches total. Undefined when no bar would show.
 */
export function lazyProgress(label: string, options: ProgressOptions = {}): Progress['onProgress'] | undefined {
  // Nothing to show: no listener at all (so the work need not even count what it will do).
  if (!showsBar(options)) return undefined;
  let progress: Promise<Progress> | undefined;
  return (done, total = 0) => {
    progress ??= startProgress(label, total, options);
    void progress.then((bar) => {
      bar.onProgress(done, total);
      if (done >= total) bar.stop();
    });
  };
}
