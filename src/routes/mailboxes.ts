/** Mailboxes routes (API.md §6): schema + one service call each. */
import { Type } from 'typebox';
import { Envelope, IdParams } from '../contract/common.js';
import { CreateMailboxBody, ListMailboxesBody, MailboxIDInfo, MailboxList, UpdateMailboxBody } from '../contract/tenancy.js';
import { presentMailbox } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const MailboxEnvelope = { 200: Envelope(MailboxIDInfo) };
const tags = ['Mailboxes'];

export function registerMailboxRoutes({ app, services }: RouteHost): void {
  const mailboxes = services.mailboxes;

  app.post('/v2/mailboxes/create', {
    schema: { operationId: 'createMailbox', tags, summary: 'Create Mailbox', body: CreateMailboxBody, response: MailboxEnvelope },
    handler: async (request) => ok(presentMailbox(await mailboxes.create(request.caller, request.body))),
  });

  app.get('/v2/mailboxes/:id', {
    schema: { operationId: 'getMailbox', tags, summary: 'Get Mailbox', params: IdParams, response: MailboxEnvelope },
    handler: async (request) => ok(presentMailbox(await mailboxes.get(request.caller, request.params.id))),
  });

  app.post('/v2/mailboxes/list', {
    schema: { operationId: 'listMailboxes', tags, summary: 'List Mailboxes', body: ListMailboxesBody, response: { 200: Envelope(MailboxList) } },
    handler: async (request) => {
      const { items, ...page } = await mailboxes.list(request.caller, request.body);
      return ok({ ...page, mailboxes: items.map(presentMailbox) });
    },
  });

  app.post('/v2/mailboxes/update', {
    schema: { operationId: 'updateMailbox', tags, summary: 'Update Mailbox', body: UpdateMailboxBody, response: MailboxEnvelope },
    handler: async (request) => ok(presentMailbox(await mailboxes.update(request.caller, request.body))),
  });

  app.delete('/v2/mailboxes/:id', {
    schema: {
      operationId: 'terminateMailbox', tags, summary: 'Terminate Mailbox (refused while it has users)', params: IdParams,
      response: { 200: Envelope(Type.Null()) },
    },
    handler: async (request) => {
      await mailboxes.terminate(request.caller, request.params.id);
      return ok(null, 'Mailbox terminated.');
    },
  });
}
