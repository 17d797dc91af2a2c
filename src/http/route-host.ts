/** What a route plugin receives: the typed Fastify scope and the services. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/index.js';
import type { RequestContext } from '../services/context.js';
import type { RateLimiter } from './rate-limit.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Where a route names the user authentication reads in its own statement: a path parameter or a body field. */
export type ReadsUser = { params: string } | { body: string };

export interface RouteHost {
  app: App;
  services: Services;
  limits: RateLimiter;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered (method, URL pattern): what the OpenAPI coverage test compares with. */
    registeredRoutes: ReadonlyArray<{ method: string; url: string }>;
  }
  interface FastifyContextConfig {
    /** Where the request names a user that authentication reads in its own statement (http/authenticate.ts). */
    readsUser?: ReadsUser;
  }
  interface FastifyRequest {
    /** Who is calling; set by the authentication hook on authenticated routes. */
    caller: RequestContext;
    /** Authentication waits for the body (a `readsUser: { body }` route) and has not run yet. */
    authPending: boolean;
  }
}
