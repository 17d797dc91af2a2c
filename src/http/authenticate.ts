/**
 * The authentication step of every authenticated request, REST and MCP alike:
 * the credential's headers → a Principal through the auth service (401
 * otherwise), then the per-credential rate limit. A failed authentication
 * counts against the client address (no free guessing).
 */
import type { FastifyRequest } from 'fastify';
import type { Credentials } from '../services/auth-service.js';
import type { RequestContext } from '../services/context.js';
import type { Services } from '../services/index.js';
import type { RateLimiter } from './rate-limit.js';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The token of an `Authorization: Bearer …` header; '' for another scheme (refused as a bad token). */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : '';
}

/** REST (API.md §1): `X-API-Key`, else `Authorization: Bearer`. */
export function restCredentials(request: FastifyRequest): Credentials {
  return { apiKey: headerValue(request.headers['x-api-key']), bearer: bearerToken(request.headers.authorization) };
}

/**
 * MCP (MCP.md §3.1): `X-Connectivity-API-Key`, else `X-API-Key` (two names for
 * one check), else `Authorization: Bearer`; the first present wins, empty included.
 */
export function mcpCredentials(request: FastifyRequest): Credentials {
  const apiKey = headerValue(request.headers['x-connectivity-api-key']) ?? headerValue(request.headers['x-api-key']);
  return { apiKey, bearer: bearerToken(request.headers.authorization) };
}

/** Above it an id matches no user (ids are 32-bit); the schema answers such a request, no read ahead. */
const LARGEST_ID = 2_147_483_647;

/**
 * The user id a route names in its path, for authentication to read in the
 * same statement (route config `readsUser`: the parameter's name). Only a
 * plain decimal id; any other form is left to the schema and read as before.
 */
function namedUserId(request: FastifyRequest): number | undefined {
  const param = request.routeOptions.config.readsUser;
  if (param === undefined) return undefined;
  const value = (request.params as Record<string, unknown>)[param];
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= LARGEST_ID ? id : undefined;
}

export async function authenticateRequest(
  request: FastifyRequest,
  credentials: Credentials,
  services: Services,
  limits: RateLimiter,
): Promise<RequestContext> {
  let authenticated;
  try {
    authenticated = await services.auth.authenticate(credentials, namedUserId(request));
  } catch (error) {
    await limits.anonymous(request);
    throw error;
  }
  const { principal, readAhead } = authenticated;
  await limits.credential(request, principal);
  return { principal, requestId: request.id, clientIp: request.ip, ...(readAhead ? { readAhead } : {}) };
}
