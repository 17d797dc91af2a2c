/**
 * Two ways to write the log: JSON lines (one object per line, for a log
 * collector) and readable lines for a person at a terminal (pino-pretty, run
 * in-process as a stream so it can take a formatting function). `auto` picks
 * the readable form when the log goes to a terminal.
 *
 * Redaction happens in pino before either: the pretty stream only ever sees
 * what the JSON form would have written.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LogFormat } from '../config.js';

/** The format to use: `auto` is `pretty` on a terminal, `json` otherwise (a file, a pipe, a test's stream). */
export function resolveLogFormat(format: LogFormat, toTerminal: boolean): 'pretty' | 'json' {
  return format === 'auto' ? (toTerminal ? 'pretty' : 'json') : format;
}

/** A request line: `GET /v2/users/1042 200 3.1 ms [0621f6f9-…]`; other lines: the message and their request id. */
function messageFormat(log: Record<string, unknown>, messageKey: string): string {
  const request = typeof log.reqId === 'string' ? `  [${log.reqId}]` : '';
  if (typeof log.method === 'string' && typeof log.statusCode === 'number') {
    const ms = typeof log.responseTime === 'number' ? `${log.responseTime.toFixed(1)} ms` : '';
    return `${log.method} ${String(log.url ?? '')} ${log.statusCode} ${ms}${request}`;
  }
  return `${String(log[messageKey] ?? '')}${request}`;
}

/**
 * The readable form: `12:04:31.207 INFO  GET /v2/users/me 200 2.4 ms  [req id]`; fields
 * other than those shown (an error, its stack) follow on the next lines. Colours only on a terminal.
 */
export async function prettyLogStream(destination: NodeJS.WritableStream | number, colorize: boolean): Promise<NodeJS.WritableStream> {
  // Loaded only for this form: a server logging JSON does not pay for it at start.
  const { default: pinoPretty } = await import('pino-pretty');
  return pinoPretty({
    destination,
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,method,url,statusCode,responseTime',
    messageFormat,
    sync: true,
  });
}

/**
 * For the readable form: one line per request, when it is answered (Fastify's default is two,
 * "incoming request" and "request completed", which suits a collector that joins them by reqId).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
