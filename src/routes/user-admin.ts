/**
 * Users administration routes (API.md §3): password, generate-password, role,
 * set-network-mailbox, update-config, send-sms, reset. One service call each;
 * method, path and schemas from the contract tables. Static paths
 * (`/v2/users/reset/:id`, `/v2/users/password`, …) win over `/v2/users/:id`
 * in the router whatever the registration order.
 */
import { DEFAULT_GENERATED_LENGTH } from '../security/password-generator.js';
import { presentUser } from '../services/present.js';
import { ok } from '../http/errors.js';
import { routeOf } from '../http/operation-route.js';
import type { RouteHost } from '../http/route-host.js';

/** For the calls whose answer is `true` once the work is done. */
async function answerTrue(work: Promise<void>) {
  await work;
  return ok(true);
}

export function registerUserAdminRoutes({ app, services }: RouteHost): void {
  const admin = services.userAdmin;

  app.route({
    ...routeOf('setUserPassword'),
    handler: (request) => answerTrue(admin.setPassword(request.caller, request.body)),
  });

  app.route({
    ...routeOf('generatePassword'),
    handler: async (request) => ok(admin.generatePassword(request.body.length ?? DEFAULT_GENERATED_LENGTH)),
  });

  app.route({
    ...routeOf('setUserRole'),
    // The user read with the credential tells where the change goes: its destination is locked with the user (loadUserForPlacement).
    config: { readsUser: { body: 'userId' } },
    handler: async (request) => ok(presentUser(await admin.setRole(request.caller, request.body))),
  });

  app.route({
    ...routeOf('setUserNetworkMailbox'),
    // The user read with the credential tells where the change goes: its destination is locked with the user (loadUserForPlacement).
    config: { readsUser: { body: 'userId' } },
    handler: async (request) => ok(presentUser(await admin.setNetworkMailbox(request.caller, request.body))),
  });

  app.route({
    ...routeOf('updateUserConfig'),
    handler: (request) => answerTrue(admin.updateConfig(request.caller, request.body)),
  });

  app.route({
    ...routeOf('sendUserSms'),
    handler: (request) => answerTrue(admin.sendSms(request.caller, request.body)),
  });

  app.route({
    ...routeOf('resetUserSessions'),
    handler: (request) => answerTrue(admin.resetSessions(request.caller, request.params.id)),
  });
}
