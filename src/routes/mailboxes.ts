/** Mailboxes routes (API.md §6): one service call each; method, path and schemas from the contract tables. */
import { presentMailbox } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

export function registerMailboxRoutes({ app, services }: RouteHost): void {
  const mailboxes = services.mailboxes;

  app.route({
    ...routeOf('createMailbox'),
    handler: async (request) => ok(presentMailbox(await mailboxes.create(request.caller, request.body))),
  });

  app.route({
    ...routeOf('getMailbox'),
    handler: async (request) => ok(presentMailbox(await mailboxes.get(request.caller, request.params.id))),
  });

  app.route({
    ...routeOf('listMailboxes'),
    handler: async (request) => {
      const { items, ...page } = await mailboxes.list(request.caller, request.body);
      return ok({ ...page, mailboxes: items.map(presentMailbox) });
    },
  });

  app.route({
    ...routeOf('updateMailbox'),
    handler: async (request) => ok(presentMailbox(await mailboxes.update(request.caller, request.body))),
  });

  app.route({
    ...routeOf('terminateMailbox'),
    handler: async (request) => {
      await mailboxes.terminate(request.caller, request.params.id);
      return ok(null, 'Mailbox terminated.');
    },
  });
}
