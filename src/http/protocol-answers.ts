/**
 * The headers of every answer, and the answers Node's HTTP layer would give
 * by itself before Fastify sees a request — made like every other answer
 * (API.md §1: the envelope, these headers) instead of Node's or Fastify's
 * own bodies.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorEnvelope } from './errors.js';

/** On every answer: no caching (answers carry keys, tokens and personal data), no MIME sniffing, the request id. */
const FIXED_ANSWER_HEADERS = [
  ['cache-control', 'no-store'],
  ['pragma', 'no-cache'],
  ['x-content-type-options', 'nosniff'],
] as const;

export function answerHeaders(requestId: string): Record<string, string> {
  return { ...Object.fromEntries(FIXED_ANSWER_HEADERS), 'x-request-id': requestId };
}

/** The same on a Fastify reply, one header at a time: no object to build and walk on every request. */
export function setAnswerHeaders(reply: FastifyReply, requestId: string): FastifyReply {
  for (const [name, value] of FIXED_ANSWER_HEADERS) reply.header(name, value);
  return reply.header('x-request-id', requestId);
}

/**
 * Fastify's `clientErrorHandler`: a request Node could not parse (400),
 * headers over the size limit (431), a request not received in time (408).
 * The connection is closed after the answer, as Node does.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Fastify's own handler does; the logger's redaction drops err.rawPacket (the raw request, secrets included).
  this.log.trace({ err: error }, 'client error');
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers: larger than the limit']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request: not received in time']
    : [400, 'request: not valid HTTP'];
  const body = JSON.stringify(errorEnvelope('InvalidParameter', message));
  const headers = { ...answerHeaders(randomUUID()), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' };
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * An `Expect` other than 100-continue is ignored and the request answered as
 * usual (RFC 9110 §10.1.1 allows it: a 417 is a MAY); Node would answer a
 * bare 417 without the envelope.
 */
export function ignoreUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (request, response) => server.emit('request', request, response));
}
