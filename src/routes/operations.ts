/**
 * Operational endpoints outside the ECGrid API: liveness, readiness and
 * Prometheus metrics. No credential: they reveal no data (bind them to an
 * internal interface or filter them at the load balancer if that matters).
 */
import { Type } from 'typebox';
import { Envelope, ErrorEnvelope } from '../contract/common.js';
import { ok, errorEnvelope } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { RouteHost } from '../http/route-host.js';

const tags = ['Operations'];
const Status = Type.Object({ status: Type.String() });

export function registerOperationRoutes({ app, services }: RouteHost, metrics: Metrics): void {
  app.get('/healthz', {
    schema: { operationId: 'getHealth', tags, summary: 'Liveness: the process is up', security: [], response: { 200: Envelope(Status) } },
    handler: async () => ok({ status: 'ok' }),
  });

  app.get('/readyz', {
    schema: { operationId: 'getReadiness', tags, summary: 'Readiness: the database answers', security: [], response: { 200: Envelope(Status), 503: ErrorEnvelope } },
    handler: async (_request, reply) => {
      try {
        await services.store.ping();
        return ok({ status: 'ready' });
      } catch {
        return reply.code(503).send(errorEnvelope('InternalError', 'The database is unavailable.'));
      }
    },
  });

  app.get('/metrics', {
    schema: { operationId: 'getMetrics', tags, summary: 'Prometheus metrics (text format)', security: [], response: { 200: Type.String() } },
    handler: async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  });
}
