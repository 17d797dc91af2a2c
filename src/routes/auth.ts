/** Auth routes (API.md §4): schema + one service call each. */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { Envelope } from '../contract/common.js';
import { ChangePasswordBody, LoginBody, RefreshBody, SessionInfo, TokenInfo, VersionInfo } from '../contract/auth.js';
import { ok } from '../http/errors.js';
import { API_VERSION } from '../contract/version.js';
import type { RouteHost } from '../http/route-host.js';
import type { SystemContext } from '../services/context.js';
import { presentSession, presentTokens } from '../services/present-session.js';

const tags = ['Auth'];
const TokenEnvelope = { 200: Envelope(TokenInfo) };
const NullEnvelope = { 200: Envelope(Type.Null()) };

/** The context of a request that carries no credential: nobody acts yet. */
function anonymous(request: FastifyRequest): SystemContext {
  return { actorUserId: null, requestId: request.id, clientIp: request.ip };
}

/** Routes that need no credential (refresh is authenticated by the token in its body alone). */
export function registerPublicAuthRoutes({ app, services, limits }: RouteHost): void {
  app.get('/v2/auth/version', {
    schema: { operationId: 'getVersion', tags, summary: 'API version', security: [], response: { 200: Envelope(VersionInfo) } },
    handler: async () => ok({ version: API_VERSION }),
  });

  app.post('/v2/auth/login', {
    schema: { operationId: 'login', tags, summary: 'Log in: a Bearer token', security: [], body: LoginBody, response: TokenEnvelope },
    // Guessing is limited per login name and client address before any password is checked.
    preHandler: async (request) => limits.login(request, request.body.login),
    handler: async (request) => ok(presentTokens(await services.sessions.login(anonymous(request), request.body))),
  });

  app.post('/v2/auth/refresh', {
    schema: { operationId: 'refreshToken', tags, summary: 'Exchange a token for a new one', security: [], body: RefreshBody, response: TokenEnvelope },
    handler: async (request) => ok(presentTokens(await services.sessions.refresh(request.body.token))),
  });
}

/** Routes for an authenticated caller (X-API-Key or Bearer). */
export function registerAuthRoutes({ app, services }: RouteHost): void {
  app.post('/v2/auth/logout', {
    schema: { operationId: 'logout', tags, summary: 'End the Bearer session', response: NullEnvelope },
    handler: async (request) => {
      await services.sessions.logout(request.caller);
      return ok(null, 'Session terminated.');
    },
  });

  app.post('/v2/auth/session', {
    schema: { operationId: 'getSession', tags, summary: 'The calling session', response: { 200: Envelope(SessionInfo) } },
    handler: async (request) => ok(presentSession(await services.sessions.describe(request.caller))),
  });

  app.put('/v2/auth/password', {
    schema: { operationId: 'changePassword', tags, summary: 'Change your own password', body: ChangePasswordBody, response: NullEnvelope },
    handler: async (request) => {
      await services.sessions.changePassword(request.caller, request.body);
      return ok(null, 'Password updated successfully.');
    },
  });
}
