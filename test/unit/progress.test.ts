/** The progress module: a bar with done/total, rate and time left on a terminal; nothing elsewhere. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lazyProgress, startProgress, withProgress } from '../../src/cli/progress.js';

function capture(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('progress', () => {
  it('is silent when not on a terminal (the command prints its one summary line itself)', async () => {
    const out = capture(false);
    const progress = await startProgress('importing', 100, { stream: out.stream, unit: 'rows' });
    progress.onProgress(50, 100);
    progress.stop();
    await withProgress('exporting', 10, async (onProgress) => onProgress(10, 10), { stream: out.stream });
    expect(out.text()).toBe('');
    expect(lazyProgress('migrating', { stream: out.stream })).toBeUndefined();
  });

  it('shows label, done/total, unit, rate and time left, and ends complete', async () => {
    const out = capture(false);
    const progress = await startProgress('importing', 200, { stream: out.stream, unit: 'rows', force: true });
    progress.onProgress(100, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    progress.onProgress(200, 200);
    progress.stop();
    const text = out.text();
    expect(text).toMatch(/importing \[[^\]]+\] 200\/200 rows \| [\d,]+\/s \| \d+s left/);
    expect(text).not.toContain('NaN');
  });

  it('a lazy bar starts at the first report and ends when done reaches the total', async () => {
    const out = capture(false);
    const onProgress = lazyProgress('migrating', { stream: out.stream, unit: 'migrations', force: true })!;
    onProgress(0, 2);
    onProgress(1, 2);
    onProgress(2, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out.text()).toMatch(/migrating \[[^\]]+\] 2\/2 migrations/);
  });
});
