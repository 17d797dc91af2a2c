/**
 * The OpenAPI 3.1 document, generated from the very route schemas (TypeBox)
 * that validate requests and serialize answers — so it cannot drift — and
 * an interactive reference served from the package itself (no CDN).
 *
 * - GET /swagger/v2/swagger.json — where ECGrid publishes its document.
 * - GET /swagger — Swagger UI, with "try it out" against this server.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import { ErrorEnvelope } from '../contract/common.js';
import { API_VERSION } from '../contract/version.js';
import type { App } from './route-host.js';

export const OPENAPI_PATH = '/swagger/v2/swagger.json';
export const UI_PREFIX = '/swagger';

const ERROR_RESPONSES: Record<number, string> = {
  400: 'InvalidParameter (field named in message) or DuplicateObject',
  401: 'InvalidAPIKey or InvalidSession',
  403: 'AccessDenied',
  404: 'ObjectNotFound — also for objects outside the caller\'s scope',
  405: 'InvalidParameter — method not allowed (Allow header)',
  412: 'InvalidParameter — If-Match does not match (extension)',
  413: 'InvalidParameter — body over the limit',
  415: 'InvalidParameter — body is not application/json',
  429: 'RateLimitExceeded (Retry-After header)',
  500: 'InternalError',
  503: 'InternalError — database unavailable',
};

type RouteSchema = {
  body?: unknown;
  params?: unknown;
  response?: Record<string | number, unknown>;
  security?: unknown[];
};

/**
 * Declares, on every API route, the error answers it can give (from what the
 * route takes), so that the document lists them and they are serialized by
 * schema like successes.
 */
export function declareErrorResponses(route: RouteOptions, authenticated: boolean): void {
  if (!route.url.startsWith('/v2/')) return;
  const schema = (route.schema ??= {}) as RouteSchema;
  const statuses = [405, 429, 500, 503];
  if (schema.body || schema.params) statuses.push(400);
  if (schema.body) statuses.push(413, 415);
  if (authenticated) statuses.push(401, 403, 404);
  if (route.method === 'PUT' && route.url === '/v2/users') statuses.push(412);
  schema.response ??= {};
  for (const status of statuses.sort()) {
    schema.response[status] ??= { ...ErrorEnvelope, description: ERROR_RESPONSES[status] };
  }
}

export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ECGrid REST API — identity & access (ecgrid-identity)',
        version: API_VERSION,
        description:
          'Users, API keys, sessions, networks and mailboxes of the ECGrid REST API v2.6, as served by ecgrid-identity. ' +
          'Every answer is the envelope {success, data, errorCode, message}.',
      },
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          ConnectivityApiKey: { type: 'apiKey', in: 'header', name: 'X-Connectivity-API-Key' },
          Bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ ApiKey: [] }, { Bearer: [] }],
    },
    hideUntagged: false,
  });
  await app.register(swaggerUi, {
    routePrefix: UI_PREFIX,
    uiConfig: { url: OPENAPI_PATH, deepLinking: true, tryItOutEnabled: true, persistAuthorization: true },
    staticCSP: true,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
