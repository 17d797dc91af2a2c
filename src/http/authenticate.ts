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

export async function authenticateRequest(
  request: FastifyRequest,
  credentials: Credentials,
  services: Services,
  limits: RateLimiter,
): Promise<RequestContext> {
  let principal;
  try {
    principal = await services.auth.authenticate(credentials);
  } catch (error) {
    await limits.anonymous(request);
    throw error;
  }
  await limits.credential(request, principal);
  return { principal, requestId: request.id, clientIp: request.ip };
}
