/**
 * The only place that writes error envelopes. ApiErrors keep their status and
 * code; validation errors name the field; Fastify's own errors map to the
 * statuses of API.md §1; anything else is a fixed InternalError text (details
 * go to the log with the request id).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorCode } from '../contract/errors.js';
import { FORMATS } from '../contract/formats.js';
import { StoreUnavailable } from '../store/errors.js';
import { SmsRelayUnavailable } from '../mail/sms-sender.js';

export interface Envelope<T> {
  success: boolean;
  data: T;
  errorCode: string;
  message: string;
}

export function ok<T>(data: T, message = ''): Envelope<T> {
  return { success: true, data, errorCode: '', message };
}

export function errorEnvelope(errorCode: ErrorCode, message: string): Envelope<null> {
  return { success: false, data: null, errorCode, message };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { description?: string; enum?: unknown[] };
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
};

/** "field: problem" for the first validation error. */
export function describeValidationError(error: AjvError, context: string): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = (error.params.missingProperty as string | undefined) ?? (path || context);
  const p = error.params;
  let problem: string;
  switch (error.keyword) {
    case 'required':
      problem = 'is required';
      break;
    case 'type':
      problem = `must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}`;
      break;
    case 'minimum':
      problem = `must be at least ${String(p.limit)}`;
      break;
    case 'maximum':
      problem = `must be at most ${String(p.limit)}`;
      break;
    case 'minLength':
      problem = p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
      break;
    case 'maxLength':
      problem = `must be at most ${String(p.limit)} characters`;
      break;
    case 'enum':
      problem = `must be one of ${((p.allowedValues as unknown[]) ?? error.parentSchema?.enum ?? []).join(', ')}`;
      break;
    case 'format':
      problem = FORMATS[p.format as keyof typeof FORMATS]?.message ?? `must be a valid ${String(p.format)}`;
      break;
    case 'pattern':
      problem = error.parentSchema?.description ? `must be ${error.parentSchema.description}` : 'has an invalid format';
      break;
    case 'multipleOf':
      problem = `must be a multiple of ${String(p.multipleOf)}`;
      break;
    default:
      problem = error.message ?? 'is invalid';
  }
  return `${field}: ${problem}`;
}

/** Maps any thrown error to [status, errorCode, message]. */
export function classifyError(error: unknown): { status: number; errorCode: ErrorCode; message: string; unexpected: boolean } {
  if (error instanceof ApiError) return { status: error.status, errorCode: error.errorCode, message: error.message, unexpected: false };
  if (error instanceof StoreUnavailable) {
    return { status: 503, errorCode: 'InternalError', message: 'The database is unavailable; try again shortly.', unexpected: true };
  }
  if (error instanceof SmsRelayUnavailable) {
    return { status: 503, errorCode: 'InternalError', message: 'The SMS relay did not accept the message; nothing was sent. Try again shortly.', unexpected: true };
  }
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const first = fastifyError.validation[0]!;
    return { status: 400, errorCode: 'InvalidParameter', message: describeValidationError(first, fastifyError.validationContext ?? 'body'), unexpected: false };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, errorCode: 'InvalidParameter', message: 'body: larger than the limit', unexpected: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, errorCode: 'InvalidParameter', message: 'Content-Type: must be application/json', unexpected: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, errorCode: 'InvalidParameter', message: 'Content-Length: does not match the body', unexpected: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, errorCode: 'InvalidParameter', message: 'body: is empty', unexpected: false };
  }
  const status = fastifyError.statusCode;
  if (status === 429) {
    return { status: 429, errorCode: 'RateLimitExceeded', message: 'Rate limit exceeded; retry after the time in Retry-After.', unexpected: false };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, errorCode: status === 404 ? 'ObjectNotFound' : 'InvalidParameter', message: `request: ${fastifyError.message.slice(0, 200)}`, unexpected: false };
  }
  return { status: 500, errorCode: 'InternalError', message: 'An internal error occurred.', unexpected: true };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, errorCode, message, unexpected } = classifyError(error);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  return reply.code(status).type('application/json; charset=utf-8').send(errorEnvelope(errorCode, message));
}
