/**
 * The only place that writes the HTTP-level refusals of `/mcp` (MCP.md §2.3):
 * a JSON-RPC error with `id: null` and `data: {code, retryable}`, texts fixed
 * (none echoes a header or the body). Thrown as McpRefusal; the errors of the
 * shared steps (authentication, rate limit, body size) map here too.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { StoreUnavailable } from '../store/errors.js';
import { RateLimited } from './rate-limit.js';

export type RefusalCode =
  | 'PARSE_ERROR' | 'INVALID_REQUEST' | 'UNAUTHORIZED' | 'METHOD_NOT_ALLOWED' | 'NOT_ACCEPTABLE' | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE' | 'RATE_LIMITED' | 'INTERNAL_ERROR';

export class McpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'McpRefusal';
  }

  static parseError(): McpRefusal {
    return new McpRefusal(400, -32700, 'PARSE_ERROR', 'Parse error: body is not valid JSON');
  }
  /** `which`: one of the fixed reasons of MCP.md §2.3 (empty body, batch, not JSON-RPC 2.0, duplicate property, version). */
  static invalidRequest(which: string): McpRefusal {
    return new McpRefusal(400, -32600, 'INVALID_REQUEST', `Invalid request: ${which}`);
  }
  static methodNotAllowed(): McpRefusal {
    return new McpRefusal(405, -32000, 'METHOD_NOT_ALLOWED', 'Method not allowed: use POST');
  }
  static notAcceptable(): McpRefusal {
    return new McpRefusal(406, -32000, 'NOT_ACCEPTABLE', 'Not acceptable: accept text/event-stream or application/json');
  }
  static unsupportedMediaType(): McpRefusal {
    return new McpRefusal(415, -32000, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type: send application/json');
  }
}

function refusalOf(request: FastifyRequest, error: unknown): McpRefusal {
  if (error instanceof McpRefusal) return error;
  if (error instanceof ApiError && error.status === 401) return new McpRefusal(401, -32000, 'UNAUTHORIZED', error.message);
  if (error instanceof RateLimited) return new McpRefusal(429, -32000, 'RATE_LIMITED', 'Rate limit exceeded');
  if (error instanceof StoreUnavailable) return new McpRefusal(503, -32603, 'INTERNAL_ERROR', `Internal error (request ${request.id})`);
  switch ((error as FastifyError).code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new McpRefusal(413, -32000, 'PAYLOAD_TOO_LARGE', 'Payload too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return McpRefusal.unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return McpRefusal.invalidRequest('empty body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return McpRefusal.invalidRequest('Content-Length does not match the body');
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return McpRefusal.invalidRequest('not a JSON-RPC 2.0 message');
  return new McpRefusal(500, -32603, 'INTERNAL_ERROR', `Internal error (request ${request.id})`);
}

/** Sends the refusal for any error raised while serving `/mcp` (its scope's error handler). */
export function sendMcpRefusal(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const refusal = refusalOf(request, error);
  if (refusal.code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'mcp request failed');
  if (error instanceof RateLimited) reply.header('retry-after', String(error.retryAfterSeconds));
  if (refusal.status === 405) reply.header('allow', 'POST');
  return reply
    .code(refusal.status)
    .type('application/json; charset=utf-8')
    .send({
      jsonrpc: '2.0',
      id: null,
      error: { code: refusal.rpcCode, message: refusal.message, data: { code: refusal.code, retryable: refusal.code === 'RATE_LIMITED' } },
    });
}
