/**
 * Users administration routes (API.md §3): password, generate-password, role,
 * set-network-mailbox, update-config, send-sms, reset. Schema + one service
 * call each. Static paths (`/v2/users/reset/:id`, `/v2/users/password`, …) win
 * over `/v2/users/:id` in the router whatever the registration order.
 */
import { Type } from 'typebox';
import { Envelope, IdParams } from '../contract/common.js';
import {
  GeneratePasswordBody, SendSmsBody, SetNetworkMailboxBody, SetPasswordBody, SetRoleBody, UpdateConfigBody, UserIDInfo,
} from '../contract/users.js';
import { DEFAULT_GENERATED_LENGTH } from '../security/password-generator.js';
import { presentUser } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const UserEnvelope = { 200: Envelope(UserIDInfo) };
const TrueEnvelope = { 200: Envelope(Type.Boolean()) };
const PasswordEnvelope = { 200: Envelope(Type.String({ description: 'a random password meeting the policy' })) };
const tags = ['Users'];

/** For the calls whose answer is `true` once the work is done. */
async function answerTrue(work: Promise<void>) {
  await work;
  return ok(true);
}

export function registerUserAdminRoutes({ app, services }: RouteHost): void {
  const admin = services.userAdmin;

  app.post('/v2/users/password', {
    schema: { operationId: 'setUserPassword', tags, summary: "Set a user's password (admin)", body: SetPasswordBody, response: TrueEnvelope },
    handler: (request) => answerTrue(admin.setPassword(request.caller, request.body)),
  });

  app.post('/v2/users/generate-password', {
    schema: { operationId: 'generatePassword', tags, summary: 'Generate a random password', body: GeneratePasswordBody, response: PasswordEnvelope },
    handler: async (request) => ok(admin.generatePassword(request.body.length ?? DEFAULT_GENERATED_LENGTH)),
  });

  app.post('/v2/users/role', {
    schema: { operationId: 'setUserRole', tags, summary: 'Set Role', body: SetRoleBody, response: UserEnvelope },
    handler: async (request) => ok(presentUser(await admin.setRole(request.caller, request.body))),
  });

  app.post('/v2/users/set-network-mailbox', {
    schema: { operationId: 'setUserNetworkMailbox', tags, summary: 'Set Network Mailbox', body: SetNetworkMailboxBody, response: UserEnvelope },
    handler: async (request) => ok(presentUser(await admin.setNetworkMailbox(request.caller, request.body))),
  });

  app.post('/v2/users/update-config', {
    schema: { operationId: 'updateUserConfig', tags, summary: 'Update Config', body: UpdateConfigBody, response: TrueEnvelope },
    handler: (request) => answerTrue(admin.updateConfig(request.caller, request.body)),
  });

  app.post('/v2/users/send-sms', {
    schema: { operationId: 'sendUserSms', tags, summary: 'Send an SMS to a user', body: SendSmsBody, response: TrueEnvelope },
    handler: (request) => answerTrue(admin.sendSms(request.caller, request.body)),
  });

  app.post('/v2/users/reset/:id', {
    schema: { operationId: 'resetUserSessions', tags, summary: 'Revoke every session of a user', params: IdParams, response: TrueEnvelope },
    handler: (request) => answerTrue(admin.resetSessions(request.caller, request.params.id)),
  });
}
