/** Audit routes (extension): schema + one service call. */
import { Envelope } from '../contract/common.js';
import { AuditEventList, ListAuditBody } from '../contract/audit.js';
import { presentAuditEvent } from '../services/present.js';
import { ok } from '../http/errors.js';
import type { RouteHost } from '../http/route-host.js';

const tags = ['Audit'];

export function registerAuditRoutes({ app, services }: RouteHost): void {
  app.post('/v2/audit/list', {
    schema: {
      operationId: 'listAuditEvents', tags, summary: 'List audit events in scope, newest first (extension)', body: ListAuditBody,
      response: { 200: Envelope(AuditEventList) },
    },
    handler: async (request) => {
      const { items, ...page } = await services.audit.list(request.caller, request.body);
      return ok({ ...page, events: items.map(presentAuditEvent) });
    },
  });
}
