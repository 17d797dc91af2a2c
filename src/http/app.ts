/**
 * buildApp: the Fastify application, configured and routed, never listening.
 * Public routes sit outside the authenticated scope; every other route passes
 * the authentication hook first (API.md §1 "Order of checks").
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyError, FastifyReply, FastifyRequest, onResponseHookHandler, preValidationHookHandler, RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import { FORMATS } from '../contract/formats.js';
import { ApiError } from '../contract/errors.js';
import type { Store } from '../store/store.js';
import { createServices, type Services } from '../services/index.js';
import { registerUserRoutes } from '../routes/users.js';
import { registerUserAdminRoutes } from '../routes/user-admin.js';
import { registerAuthRoutes, registerPublicAuthRoutes } from '../routes/auth.js';
import { registerOperationRoutes } from '../routes/operations.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createRateLimiter } from './rate-limit.js';
import { declareErrorResponses, registerOpenApi } from './openapi.js';
import { registerConsole } from './console.js';
import { registerKeyRoutes } from '../routes/keys.js';
import { registerNetworkRoutes } from '../routes/networks.js';
import { registerMailboxRoutes } from '../routes/mailboxes.js';
import { registerAuditRoutes } from '../routes/audit.js';
import { MCP_PATH, refuseMcpMethod, registerMcpRoute } from '../routes/mcp.js';
import { registerMcpDiscoveryRoutes } from '../routes/mcp-discovery.js';
import { errorEnvelope, sendError } from './errors.js';
import { answerClientError, ignoreUnknownExpectations, setAnswerHeaders } from './protocol-answers.js';
import { compileNormalizer, parseJsonBody } from './wire.js';
import { AllowedMethods } from './method-not-allowed.js';
import { hooksOf } from './route-hooks.js';
import type { App } from './route-host.js';
import { authenticateRoutes, restCredentials } from './authenticate.js';
import { OneLinePerRequest, prettyLogStream, resolveLogFormat } from './log-format.js';

export interface BuildOptions {
  /** Pre-built services (tests share one set between app and fixtures). */
  services?: Services;
  /** Where logs go; default stdout. Tests pass a stream to inspect them. */
  logStream?: NodeJS.WritableStream;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Adds the wire-reading step (wire.ts) in front of validation of every route with a body or params. */
function addWireNormalization(route: RouteOptions): void {
  const schema = route.schema as { body?: object; params?: object } | undefined;
  const steps: preValidationHookHandler[] = [];
  if (schema?.body) {
    const normalize = compileNormalizer(schema.body);
    steps.push((request, _reply, done) => {
      try {
        request.body = normalize(request.body);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  }
  if (schema?.params) {
    const normalize = compileNormalizer(schema.params);
    steps.push((request, _reply, done) => {
      try {
        request.params = normalize(request.params);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  }
  if (steps.length === 0) return;
  route.preValidation = [...steps, ...hooksOf(route.preValidation)];
}

/**
 * Counts each answer of the route under its URL pattern: the pattern is taken here, once, where
 * reading it per request (`request.routeOptions.url`) builds an object of twelve fields every time.
 * A new array: Fastify copies a GET's options for its HEAD route, which gets a hook of its own.
 */
function observeResponses(route: RouteOptions, metrics: Metrics): void {
  const url = route.url;
  const observe: onResponseHookHandler = (request, reply, done) => {
    metrics.observe(url, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
  route.onResponse = [...hooksOf(route.onResponse), observe];
}

interface AjvLike {
  addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown;
  addKeyword(keyword: string): unknown;
}

/** Our string formats and annotation keywords, known to the validator. */
function addSchemaVocabulary(ajv: AjvLike): AjvLike {
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: format.validate });
  ajv.addKeyword('x-alias');
  return ajv;
}

export async function buildApp(config: Config, store: Store, options: BuildOptions = {}): Promise<App> {
  const services = options.services ?? createServices(config, store);
  const allowed = new AllowedMethods();

  // JSON lines: Fastify's own two lines per request. Readable: one line per request (log-format.ts).
  const toTerminal = !options.logStream && process.stdout.isTTY === true;
  const pretty = resolveLogFormat(config.logFormat, toTerminal) === 'pretty';
  const stream = pretty ? await prettyLogStream(options.logStream ?? 1, toTerminal) : options.logStream;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // rawPacket: Node's HTTP parser errors carry the raw request bytes (headers with the API key, the
      // body with a password), which Fastify logs at trace level for a malformed request.
      redact: { paths: ['req.headers["x-api-key"]', 'req.headers["x-connectivity-api-key"]', 'req.headers.authorization', 'req.body', 'err.rawPacket'], censor: '[redacted]' },
      ...(stream ? { stream } : {}),
    },
    ...(pretty ? { logController: new OneLinePerRequest() } : {}),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 200 },
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, verbose: true },
      plugins: [addSchemaVocabulary as never],
    },
    // Before the onRequest hooks: the answer headers are set here too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendError(request, setAnswerHeaders(reply, request.id), ApiError.invalid('url', error.message.slice(0, 200))),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  ignoreUnknownExpectations(app.server);

  app.decorateRequest('caller', null as never);
  app.decorateRequest('authPending', false);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const metrics = createMetrics(store);
  const routes: Array<{ method: string; url: string }> = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    addWireNormalization(route);
    observeResponses(route, metrics);
    allowed.add(route.method, route.url);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));

  app.addHook('onRequest', (request, reply, done) => {
    setAnswerHeaders(reply, request.id);
    done();
  });

  // Answers no route matched (404, 405, and those refused before routing); a route's own are observed by its hook.
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) metrics.observe('unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  const limits = await createRateLimiter(app, config.rateLimit ? config.rateLimits : null);
  await registerOpenApi(app);
  await registerConsole(app);

  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.split('?')[0] === MCP_PATH) return refuseMcpMethod(request, reply, limits);
    await limits.anonymous(request);
    const methods = allowed.forPath(request.url);
    if (methods) {
      return reply
        .code(405)
        .header('Allow', methods.join(', '))
        .send(errorEnvelope('InvalidParameter', `method: ${request.method} is not allowed here; use ${methods.join(', ')}`));
    }
    return reply.code(404).send(errorEnvelope('ObjectNotFound', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });

  registerOperationRoutes({ app, services, limits }, metrics);

  // MCP (MCP.md): POST /mcp authenticates itself (three credential headers, its own refusal shape);
  // the discovery documents are anonymous.
  await registerMcpRoute({ app, services, limits }, config.tokenTtlSeconds, metrics);
  await registerMcpDiscoveryRoutes({ app, services, limits }, config);

  // Public API routes: no credential, limited per client address.
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => declareErrorResponses(route, false));
    // Off, no hook at all: an async hook costs every request a promise and a turn of the microtask queue.
    if (limits.enabled) scope.addHook('onRequest', async (request) => limits.anonymous(request));
    registerPublicAuthRoutes({ app: scope, services, limits });
  });

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => declareErrorResponses(route, true));
    authenticateRoutes(scope, restCredentials, services, limits);
    const host = { app: scope, services, limits };
    registerUserRoutes(host);
    registerUserAdminRoutes(host);
    registerAuthRoutes(host);
    registerKeyRoutes(host);
    registerNetworkRoutes(host);
    registerMailboxRoutes(host);
    registerAuditRoutes(host);
  });

  return app;
}

export type { App };
export type { TypeBoxTypeProvider };
