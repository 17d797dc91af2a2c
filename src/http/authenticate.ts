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
import type { App, ReadsUser } from './route-host.js';
import { sendError } from './errors.js';
import { hooksOf } from './route-hooks.js';

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

/** A plain user id (a JSON number, or a path segment of decimal digits), else undefined: other forms are the schema's. */
function plainId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= LARGEST_ID ? value : undefined;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= LARGEST_ID ? id : undefined;
}

/**
 * The user id a route names, for authentication to read in the same statement
 * (route config `readsUser`): a path parameter, or a body field once the body
 * is parsed. A body's id is read ahead only where the service gains from it.
 */
function namedUserId(request: FastifyRequest, services: Services, named: ReadsUser | undefined): number | undefined {
  if (named === undefined) return undefined;
  if ('params' in named) return plainId((request.params as Record<string, unknown>)[named.params]);
  if (!services.users.bodyReadsAhead) return undefined;
  const body = request.body;
  return body !== null && typeof body === 'object' ? plainId((body as Record<string, unknown>)[named.body]) : undefined;
}

/** `named`: the route's `readsUser`, taken once when the route is registered (Fastify's `request.routeOptions` builds an object on every read). */
export async function authenticateRequest(
  request: FastifyRequest,
  credentials: Credentials,
  services: Services,
  limits: RateLimiter,
  named?: ReadsUser,
): Promise<RequestContext> {
  let authenticated;
  try {
    authenticated = await services.auth.authenticate(credentials, namedUserId(request, services, named));
  } catch (error) {
    await limits.anonymous(request);
    throw error;
  }
  const { principal, readAhead } = authenticated;
  await limits.credential(request, principal);
  return { principal, requestId: request.id, clientIp: request.ip, ...(readAhead ? { readAhead } : {}) };
}

/**
 * Authentication of a scope of REST routes. A route authenticates on arrival
 * (onRequest), before its body is read; one whose body names the user it
 * reads (`readsUser: { body }`, PUT /v2/users) authenticates once the body is
 * parsed and normalized (its last preValidation step, before the schema), so
 * that the credential and that user are read in one statement. The order of
 * answers stays the one every route has: when the body cannot be taken
 * (malformed, too large, not JSON), the credential is checked first and a bad
 * one answers 401 — so an error before the deferred step authenticates too.
 */
export function authenticateRoutes(scope: App, credentialsOf: (request: FastifyRequest) => Credentials, services: Services, limits: RateLimiter): void {
  const authenticateFor = (named: ReadsUser | undefined) => async (request: FastifyRequest) => {
    request.authPending = false;
    request.caller = await authenticateRequest(request, credentialsOf(request), services, limits, named);
  };
  // Where the body could not be taken or normalized: nothing of it is read ahead.
  const authenticateWithoutBody = authenticateFor(undefined);
  const awaitBody = (request: FastifyRequest, _reply: unknown, done: () => void) => {
    request.authPending = true;
    done();
  };
  // Which step authenticates is decided once per route, here, not on every request. New arrays, never
  // pushed into: Fastify copies a GET's options for its HEAD route before these hooks run.
  scope.addHook('onRoute', (route) => {
    const named = route.config?.readsUser;
    const authenticate = authenticateFor(named);
    if (named !== undefined && 'body' in named) {
      route.onRequest = [...hooksOf(route.onRequest), awaitBody];
      route.preValidation = [...hooksOf(route.preValidation), authenticate];
    } else {
      route.onRequest = [...hooksOf(route.onRequest), authenticate];
    }
  });
  scope.setErrorHandler(async (error, request, reply) => {
    if (request.authPending) {
      try {
        await authenticateWithoutBody(request);
      } catch (refusal) {
        return sendError(request, reply, refusal);
      }
    }
    return sendError(request, reply, error);
  });
}
