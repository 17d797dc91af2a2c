/** Keys routes (API.md §5): one service call each; method, path and schemas from the contract tables. */
import { presentKey } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

export function registerKeyRoutes({ app, services }: RouteHost): void {
  const keys = services.keys;

  app.route({
    ...routeOf('createKey'),
    handler: async (request) => ok(presentKey(await keys.create(request.caller, request.body))),
  });

  app.route({
    ...routeOf('getPrimaryKey'),
    handler: async (request) => ok(presentKey(await keys.getPrimary(request.caller, request.body.userId))),
  });

  app.route({
    ...routeOf('listKeys'),
    handler: async (request) => ok((await keys.list(request.caller, request.body)).map(presentKey)),
  });

  app.route({
    ...routeOf('deleteKey'),
    handler: async (request) => {
      await keys.delete(request.caller, request.body);
      return ok(true);
    },
  });
}
