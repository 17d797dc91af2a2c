/**
 * Route options of an operation, from the two contract tables: method and
 * path (operation-routes.ts), body and answer schemas (operation-schemas.ts).
 * A route module adds only its handler:
 *   app.route({ ...routeOf('updateUser'), handler: … })
 */
import type { TSchema } from 'typebox';
import { Envelope, IdParams } from '../contract/common.js';
import { OPERATION_ROUTES, type OperationId } from '../contract/operation-routes.js';
import { OPERATION_SCHEMAS } from '../contract/operation-schemas.js';

type Spec<K extends OperationId> = (typeof OPERATION_SCHEMAS)[K];
type BodyOf<K extends OperationId> = Spec<K> extends { body: infer B extends TSchema } ? B : undefined;
type ParamsOf<K extends OperationId> = (typeof OPERATION_ROUTES)[K]['path'] extends `${string}{id}${string}` ? typeof IdParams : undefined;

export interface OperationRouteOptions<K extends OperationId> {
  method: (typeof OPERATION_ROUTES)[K]['method'];
  url: string;
  schema: {
    operationId: K;
    tags: string[];
    summary: string;
    body: BodyOf<K>;
    params: ParamsOf<K>;
    response: { 200: ReturnType<typeof Envelope<Spec<K>['data']>> };
    security?: [];
  };
}

/** Fastify's `/v2/users/:id` from OpenAPI's `/v2/users/{id}`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

export function routeOf<K extends OperationId>(id: K): OperationRouteOptions<K> {
  const route = OPERATION_ROUTES[id];
  const spec: { tag: string; summary: string; body?: TSchema; data: TSchema } = OPERATION_SCHEMAS[id];
  const schema: Record<string, unknown> = {
    operationId: id,
    tags: [spec.tag],
    summary: spec.summary,
    response: { 200: Envelope(spec.data) },
  };
  if (spec.body) schema.body = spec.body;
  if (route.path.includes('{id}')) schema.params = IdParams;
  if ('public' in route && route.public) schema.security = [];
  return { method: route.method, url: fastifyPath(route.path), schema } as unknown as OperationRouteOptions<K>;
}
