/** Users routes (API.md §3): one service call each; method, path and schemas from the contract tables. */
import { matchesIfMatch, presentUser, userEtag } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

export function registerUserRoutes({ app, services }: RouteHost): void {
  const users = services.users;

  app.route({
    ...routeOf('updateUser'),
    config: { readsUser: { body: 'userId' } },
    handler: async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const user = await users.update(request.caller, request.body, ifMatch === undefined ? undefined : (u) => matchesIfMatch(ifMatch, u));
      reply.header('ETag', userEtag(user));
      return ok(presentUser(user));
    },
  });

  app.route({
    ...routeOf('getCurrentUser'),
    handler: async (request) => ok(presentUser(await users.me(request.caller))),
  });

  app.route({
    ...routeOf('getUser'),
    config: { readsUser: { params: 'id' } },
    handler: async (request, reply) => {
      const user = await users.get(request.caller, request.params.id);
      reply.header('ETag', userEtag(user));
      return ok(presentUser(user));
    },
  });

  app.route({
    ...routeOf('createUser'),
    handler: async (request) => ok(presentUser(await users.create(request.caller, request.body))),
  });

  app.route({
    ...routeOf('terminateUser'),
    handler: async (request) => {
      await users.terminate(request.caller, request.params.id);
      return ok(true);
    },
  });

  app.route({
    ...routeOf('listUsers'),
    handler: async (request, reply) => {
      const { users: page, total } = await users.list(request.caller, request.body);
      reply.header('X-Total-Count', String(total));
      return ok(page.map(presentUser));
    },
  });

  app.route({
    ...routeOf('getUsersByName'),
    handler: async (request) => ok((await users.byName(request.caller, request.body.login)).map(presentUser)),
  });

  app.route({
    ...routeOf('generateUserKey'),
    handler: async (request) => ok(await users.generateKey(request.caller, request.params.id)),
  });

  app.route({
    ...routeOf('getUserKey'),
    handler: async (request) => ok(await users.readKey(request.caller, request.params.id)),
  });
}
