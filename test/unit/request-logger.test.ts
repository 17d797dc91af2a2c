/**
 * The per-request logger made on first use (http/request-logger.ts): it
 * writes exactly the lines pino's own child writes — the request id bound,
 * levels honoured — and below the logger's level it makes nothing.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from '../../src/http/request-logger.js';

/** A Fastify logger (pino) at `level` writing JSON lines into an array. */
function logger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const app = Fastify({ logger: { level, stream } });
  return { log: app.log, lines };
}

const strip = ({ time: _t, pid: _p, hostname: _h, ...line }: Record<string, unknown>) => line;

describe('lazyChildLogger', () => {
  it('writes what pino’s own child writes, bindings and all, at every level the logger writes', () => {
    const lazy = logger('debug');
    const eager = logger('debug');
    for (const { log } of [lazy, eager]) {
      const child = log === lazy.log ? lazyChildLogger(log, { reqId: 'r-1' }, {}) : log.child({ reqId: 'r-1' }, {});
      child.trace('not written');
      child.debug({ step: 1 }, 'debug line');
      child.info('info line');
      child.warn({ err: new Error('boom') }, 'warn line');
      child.error('error line');
      child.child({ tool: 'x' }).info('grandchild line');
    }
    expect(lazy.lines.map(strip)).toEqual(eager.lines.map(strip));
    expect(lazy.lines.map((line) => [line.msg, line.reqId])).toEqual([
      ['debug line', 'r-1'], ['info line', 'r-1'], ['warn line', 'r-1'], ['error line', 'r-1'], ['grandchild line', 'r-1'],
    ]);
    expect(lazy.lines.at(-1)).toMatchObject({ tool: 'x' });
  });

  it('below the level writes nothing and makes no child; the first line written makes it', () => {
    const { log, lines } = logger('warn');
    let children = 0;
    const counting = Object.assign(Object.create(log), { child: (...args: Parameters<typeof log.child>) => (children++, log.child(...args)) });
    const child = lazyChildLogger(counting, { reqId: 'r-2' }, {});
    child.info({ req: 'x' }, 'incoming request');
    child.debug('more');
    expect([lines.length, children]).toEqual([0, 0]);
    expect(child.level).toBe('warn');
    child.error('request failed');
    child.info('still below');
    expect([lines.length, children]).toEqual([1, 1]);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', reqId: 'r-2' });
  });

  it('a route with its own level gets pino’s child at once, at that level', () => {
    const { log, lines } = logger('warn');
    const child = lazyChildLogger(log, { reqId: 'r-3' }, { level: 'info' });
    child.info('written at the route’s level');
    expect(lines.map((line) => line.msg)).toEqual(['written at the route’s level']);
  });
});
