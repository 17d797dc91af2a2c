/** Audit routes (extension): one service call; method, path and schemas from the contract tables. */
import { presentAuditEvent } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

export function registerAuditRoutes({ app, services }: RouteHost): void {
  app.route({
    ...routeOf('listAuditEvents'),
    handler: async (request) => {
      const { items, ...page } = await services.audit.list(request.caller, request.body);
      return ok({ ...page, events: items.map(presentAuditEvent) });
    },
  });
}
