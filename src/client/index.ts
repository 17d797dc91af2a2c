/**
 * Typed client of the ECGrid identity API: `ecgrid-identity/client`.
 *
 *   const ecgrid = createClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.ECGRID_API_KEY });
 *   const user = await ecgrid.users.update({ userId: 1042, email: 'john.smith@example.com' });
 *
 * One method per operation of the contract's table, named as there
 * (`users.update`, `keys.create`, …); inputs and outputs are typed from the
 * same TypeBox schemas that the server validates with. A call returns the
 * envelope's `data` on success and throws an EcgridError (status, errorCode,
 * message) otherwise. Idempotent calls are retried with backoff on 429
 * (honouring Retry-After), 5xx and lost connections.
 *
 * Nothing is needed at run time but `fetch`: the schema modules are imported
 * for their types only.
 */
import type { Static, TSchema } from 'typebox';
import { OPERATION_ROUTES, type OperationId } from '../contract/operation-routes.js';
import type { OPERATION_SCHEMAS } from '../contract/operation-schemas.js';
import { EcgridError } from './errors.js';

export { EcgridError } from './errors.js';
export { OPERATION_ROUTES, type OperationId } from '../contract/operation-routes.js';

type Routes = typeof OPERATION_ROUTES;
type Schemas = typeof OPERATION_SCHEMAS;

type PathInput<K extends OperationId> = Routes[K]['path'] extends `${string}{id}${string}` ? { id: number } : unknown;
type BodyInput<K extends OperationId> = Schemas[K] extends { body: infer B extends TSchema } ? Static<B> : unknown;
/** What a call takes: path parameters and body fields in one object. */
export type OperationInput<K extends OperationId> = PathInput<K> & BodyInput<K>;
/** What a call returns: the `data` of the envelope. */
export type OperationOutput<K extends OperationId> = Static<Schemas[K]['data']>;

type HasInput<K extends OperationId> = unknown extends OperationInput<K> ? false : true;
/** Every field optional (or none at all): the argument may be left out. */
type InputOptional<K extends OperationId> = HasInput<K> extends false ? true : {} extends OperationInput<K> ? true : false;

export type OperationCall<K extends OperationId> = InputOptional<K> extends true
  ? (input?: HasInput<K> extends true ? OperationInput<K> : Record<string, never>) => Promise<OperationOutput<K>>
  : (input: OperationInput<K>) => Promise<OperationOutput<K>>;

type NamespaceOf<K extends OperationId> = Routes[K]['client'] extends `${infer N}.${string}` ? N : never;
type MethodOf<K extends OperationId> = Routes[K]['client'] extends `${string}.${infer M}` ? M : never;
type Namespaces = { [K in OperationId]: NamespaceOf<K> }[OperationId];

export type EcgridClient = {
  [N in Namespaces]: { [K in OperationId as NamespaceOf<K> extends N ? MethodOf<K> : never]: OperationCall<K> };
} & {
  /** Calls an operation by its operationId. */
  call<K extends OperationId>(operationId: K, input?: Partial<OperationInput<K>> & Record<string, unknown>): Promise<OperationOutput<K>>;
  /** The same client with other credentials (e.g. the token from `auth.login`). */
  withCredentials(credentials: { apiKey?: string; token?: string }): EcgridClient;
};

export interface ClientOptions {
  /** `http://host:port` of the server (a path prefix is kept). */
  baseUrl: string;
  /** Sent as X-API-Key. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer …` (when both are given the server uses the API key). */
  token?: string;
  /** A fetch implementation; default: the global one. */
  fetch?: typeof fetch;
  /** Retries of an idempotent call after 429, 5xx or a lost connection (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled at each retry (default 200). */
  backoffMs?: number;
  /** A Retry-After longer than this (ms) is not waited for: the 429 is thrown (default 10 000). */
  maxRetryDelayMs?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Envelope {
  success: boolean;
  data: unknown;
  errorCode: string;
  message: string;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && 'success' in value && 'errorCode' in value;
}

/** The request of an operation: path with its parameters filled in, and the JSON body (if any field is left). */
export function buildRequest(operationId: OperationId, input: Record<string, unknown> = {}): { method: string; path: string; body?: string } {
  const route = OPERATION_ROUTES[operationId];
  const rest: Record<string, unknown> = { ...input };
  const path = route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = rest[name];
    if (value === undefined || value === null) throw new EcgridError(0, 'InvalidParameter', `${name}: is required`, null);
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  for (const key of Object.keys(rest)) if (rest[key] === undefined) delete rest[key];
  return { method: route.method, path, ...(Object.keys(rest).length > 0 ? { body: JSON.stringify(rest) } : {}) };
}

function retryDelay(response: Response | null, attempt: number, options: Required<Pick<ClientOptions, 'backoffMs' | 'maxRetryDelayMs'>>): number | null {
  const retryAfter = response?.headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (!Number.isFinite(ms)) return options.backoffMs * 2 ** attempt;
    return ms > options.maxRetryDelayMs ? null : Math.max(0, ms);
  }
  return Math.min(options.backoffMs * 2 ** attempt, options.maxRetryDelayMs);
}

export function createClient(options: ClientOptions): EcgridClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (!fetchImpl) throw new Error('no fetch available: pass options.fetch');
  const base = options.baseUrl.replace(/\/+$/, '');
  const retries = options.retries ?? 2;
  const timing = { backoffMs: options.backoffMs ?? 200, maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000 };

  async function call(operationId: OperationId, input?: Record<string, unknown>): Promise<unknown> {
    const request = buildRequest(operationId, input);
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.apiKey) headers['X-API-Key'] = options.apiKey;
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    const idempotent = OPERATION_ROUTES[operationId].idempotent;

    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}${request.path}`, { method: request.method, headers, body: request.body });
      } catch (error) {
        if (idempotent && attempt < retries) {
          await sleep(retryDelay(null, attempt, timing)!);
          continue;
        }
        throw new EcgridError(0, 'NetworkError', `${request.method} ${request.path}: ${(error as Error).message}`, null, { cause: error });
      }
      if (idempotent && attempt < retries && RETRYABLE_STATUS.has(response.status)) {
        const delay = retryDelay(response, attempt, timing);
        if (delay !== null) {
          await response.body?.cancel();
          await sleep(delay);
          continue;
        }
      }
      const text = await response.text();
      let envelope: unknown;
      try {
        envelope = JSON.parse(text);
      } catch {
        throw new EcgridError(response.status, 'InternalError', `${request.method} ${request.path}: answer is not JSON (${text.slice(0, 100)})`, response.headers.get('x-request-id'));
      }
      if (isEnvelope(envelope) && envelope.success && response.ok) return envelope.data;
      const retryAfter = response.headers.get('retry-after');
      throw new EcgridError(
        response.status,
        isEnvelope(envelope) ? envelope.errorCode : 'InternalError',
        isEnvelope(envelope) ? envelope.message : text.slice(0, 200),
        response.headers.get('x-request-id'),
        retryAfter ? { retryAfterSeconds: Number(retryAfter) } : undefined,
      );
    }
  }

  const client: Record<string, unknown> = {
    call,
    withCredentials: (credentials: { apiKey?: string; token?: string }) =>
      createClient({ ...options, apiKey: credentials.apiKey, token: credentials.token }),
  };
  for (const [operationId, route] of Object.entries(OPERATION_ROUTES)) {
    const [namespace, method] = route.client.split('.') as [string, string];
    const group = (client[namespace] ??= {}) as Record<string, unknown>;
    group[method] = (input?: Record<string, unknown>) => call(operationId as OperationId, input);
  }
  return client as EcgridClient;
}
