/** Keys routes (API.md §5): schema + one service call each. */
import { Type } from 'typebox';
import { Envelope } from '../contract/common.js';
import { CreateKeyBody, DeleteKeyBody, GetKeyBody, KeyInfo, ListKeysBody } from '../contract/keys.js';
import { presentKey } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const KeyEnvelope = { 200: Envelope(KeyInfo) };
const tags = ['Keys'];

export function registerKeyRoutes({ app, services }: RouteHost): void {
  const keys = services.keys;

  app.post('/v2/keys/create', {
    schema: { operationId: 'createKey', tags, summary: 'Create an API key (shown in full only now)', body: CreateKeyBody, response: KeyEnvelope },
    handler: async (request) => ok(presentKey(await keys.create(request.caller, request.body))),
  });

  app.post('/v2/keys/get-key', {
    schema: { operationId: 'getPrimaryKey', tags, summary: 'Get the primary API key of a user', body: GetKeyBody, response: KeyEnvelope },
    handler: async (request) => ok(presentKey(await keys.getPrimary(request.caller, request.body.userId))),
  });

  app.post('/v2/keys/list', {
    schema: {
      operationId: 'listKeys', tags, summary: 'List the API keys of a user (masked but the primary)', body: ListKeysBody,
      response: { 200: Envelope(Type.Array(KeyInfo)) },
    },
    handler: async (request) => ok((await keys.list(request.caller, request.body)).map(presentKey)),
  });

  app.delete('/v2/keys', {
    schema: { operationId: 'deleteKey', tags, summary: 'Delete (revoke) an API key at once', body: DeleteKeyBody, response: { 200: Envelope(Type.Boolean()) } },
    handler: async (request) => {
      await keys.delete(request.caller, request.body);
      return ok(true);
    },
  });
}
