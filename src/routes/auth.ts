/** Auth routes (API.md §4): one service call each; method, path and schemas from the contract tables. */
import type { FastifyRequest } from 'fastify';
import { API_VERSION } from '../contract/version.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';
import type { SystemContext } from '../services/context.js';
import { presentSession, presentTokens } from '../services/present-session.js';

/** The context of a request that carries no credential: nobody acts yet. */
function anonymous(request: FastifyRequest): SystemContext {
  return { actorUserId: null, requestId: request.id, clientIp: request.ip };
}

/** Routes that need no credential (refresh is authenticated by the token in its body alone). */
export function registerPublicAuthRoutes({ app, services, limits }: RouteHost): void {
  app.route({
    ...routeOf('getVersion'),
    handler: async () => ok({ version: API_VERSION }),
  });

  app.route({
    ...routeOf('login'),
    // Guessing is limited per login name and client address before any password is checked.
    preHandler: async (request) => limits.login(request, request.body.login),
    handler: async (request) => ok(presentTokens(await services.sessions.login(anonymous(request), request.body))),
  });

  app.route({
    ...routeOf('refreshToken'),
    handler: async (request) => ok(presentTokens(await services.sessions.refresh(request.body.token))),
  });
}

/** Routes for an authenticated caller (X-API-Key or Bearer). */
export function registerAuthRoutes({ app, services }: RouteHost): void {
  app.route({
    ...routeOf('logout'),
    handler: async (request) => {
      await services.sessions.logout(request.caller);
      return ok(null, 'Session terminated.');
    },
  });

  app.route({
    ...routeOf('getSession'),
    handler: async (request) => ok(presentSession(await services.sessions.describe(request.caller))),
  });

  app.route({
    ...routeOf('changePassword'),
    handler: async (request) => {
      await services.sessions.changePassword(request.caller, request.body);
      return ok(null, 'Password updated successfully.');
    },
  });
}
