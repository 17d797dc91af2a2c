/** Networks routes (API.md §6): one service call each; method, path and schemas from the contract tables. */
import { presentNetwork } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

export function registerNetworkRoutes({ app, services }: RouteHost): void {
  const networks = services.networks;

  app.route({
    ...routeOf('getNetwork'),
    handler: async (request) => ok(presentNetwork(await networks.get(request.caller, request.params.id))),
  });

  app.route({
    ...routeOf('listNetworks'),
    handler: async (request) => {
      const { items, ...page } = await networks.list(request.caller, request.body);
      return ok({ ...page, networks: items.map(presentNetwork) });
    },
  });

  app.route({
    ...routeOf('updateNetwork'),
    handler: async (request) => ok(presentNetwork(await networks.update(request.caller, request.body))),
  });

  // Extensions (README "Keys, networks and mailboxes: decisions").
  app.route({
    ...routeOf('createNetwork'),
    handler: async (request) => ok(presentNetwork(await networks.create(request.caller, request.body))),
  });

  app.route({
    ...routeOf('terminateNetwork'),
    handler: async (request) => {
      await networks.terminate(request.caller, request.params.id);
      return ok(null, 'Network terminated.');
    },
  });
}
