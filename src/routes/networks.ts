/** Networks routes (API.md §6): schema + one service call each. */
import { Envelope, IdParams } from '../contract/common.js';
import { ListNetworksBody, NetworkIDInfo, NetworkList, UpdateNetworkBody } from '../contract/tenancy.js';
import { presentNetwork } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const NetworkEnvelope = { 200: Envelope(NetworkIDInfo) };
const tags = ['Networks'];

export function registerNetworkRoutes({ app, services }: RouteHost): void {
  const networks = services.networks;

  app.get('/v2/networks/:id', {
    schema: { operationId: 'getNetwork', tags, summary: 'Get Network', params: IdParams, response: NetworkEnvelope },
    handler: async (request) => ok(presentNetwork(await networks.get(request.caller, request.params.id))),
  });

  app.post('/v2/networks/list', {
    schema: { operationId: 'listNetworks', tags, summary: 'List Networks', body: ListNetworksBody, response: { 200: Envelope(NetworkList) } },
    handler: async (request) => {
      const { items, ...page } = await networks.list(request.caller, request.body);
      return ok({ ...page, networks: items.map(presentNetwork) });
    },
  });

  app.put('/v2/networks', {
    schema: { operationId: 'updateNetwork', tags, summary: 'Update Network', body: UpdateNetworkBody, response: NetworkEnvelope },
    handler: async (request) => ok(presentNetwork(await networks.update(request.caller, request.body))),
  });
}
