/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by a validator library),
 * generated from the route schemas, covering exactly the routes the server
 * registers; and the interactive reference, served without any CDN.
 */
import { isConsoleRoute } from '../../src/http/console.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { OPERATION_ROUTES } from '../../src/contract/operation-routes.js';

let server: TestServer;
type Operation = { operationId?: string; tags?: string[]; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }>; requestBody?: unknown };
let document: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

beforeAll(async () => {
  server = await startTestServer();
  const response = await fetch(`${server.url}/swagger/v2/swagger.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as typeof document;
});
afterAll(() => server?.close());

/** Fastify `/v2/users/:id` → OpenAPI `/v2/users/{id}`. */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const documented = () =>
  Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
const apiRoutes = () =>
  server.app.registeredRoutes
    .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/swagger') && !isConsoleRoute(r.url))
    .map((r) => `${r.method} ${toOpenApiPath(r.url)}`);

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('covers every registered route, and nothing else', () => {
    expect(new Set(documented())).toEqual(new Set(apiRoutes()));
    expect(apiRoutes()).toContain('PUT /v2/users');
  });

  it('every /v2 operation is one of the contract table, with its method and path', () => {
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops).filter(() => path.startsWith('/v2/')).map(([method, op]) => [op.operationId!, `${method.toUpperCase()} ${path}`]),
    );
    expect(Object.fromEntries(operations)).toEqual(
      Object.fromEntries(Object.entries(OPERATION_ROUTES).map(([id, route]) => [id, `${route.method} ${route.path}`])),
    );
  });

  it('declares the security schemes (the MCP header too); public operations opt out', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['ApiKey', 'Bearer', 'ConnectivityApiKey']);
    expect(document.paths['/mcp']!.post!.security).toEqual([{ ConnectivityApiKey: [] }, { ApiKey: [] }, { Bearer: [] }]);
    for (const path of ['/.well-known/mcp', '/.well-known/mcp/server-card.json', '/tools.json', '/llms.txt']) expect(document.paths[path]!.get!.security, path).toEqual([]);
    expect(document.paths['/v2/auth/version']!.get!.security).toEqual([]);
    expect(document.paths['/v2/users']!.put!.security).toBeUndefined();
  });

  it('every API operation has an operationId, tags, the envelope on 200 and its error answers', () => {
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith('/v2/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method} ${path}`;
        expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(operation.operationId!), `duplicate operationId ${operation.operationId}`).toBe(false);
        ids.add(operation.operationId!);
        expect(operation.tags?.length, where).toBeGreaterThan(0);
        const ok = operation.responses['200']?.content?.['application/json']?.schema as { properties?: Record<string, unknown> };
        expect(Object.keys(ok?.properties ?? {}), where).toEqual(['success', 'data', 'errorCode', 'message']);
        for (const status of ['429', '500']) expect(operation.responses[status], `${where} ${status}`).toBeDefined();
        if (operation.security === undefined) expect(operation.responses['401'], `${where} 401`).toBeDefined();
        if (operation.requestBody) for (const status of ['400', '413', '415']) expect(operation.responses[status], `${where} ${status}`).toBeDefined();
      }
    }
    expect(ids.size).toBeGreaterThan(10);
  });

  it('carries the schemas of the seed: UserIDInfo fields in order, enums listed', () => {
    const put = document.paths['/v2/users']!.put!;
    const data = (put.responses['200']!.content!['application/json']!.schema as { properties: { data: { properties: Record<string, { enum?: string[] }> } } }).properties.data;
    expect(Object.keys(data.properties).slice(0, 10)).toEqual(['userId', 'login', 'email', 'firstName', 'lastName', 'networkId', 'mailboxId', 'authLevel', 'status', 'created']);
    expect(data.properties.authLevel!.enum).toContain('MailboxAdmin');
  });
});

describe('interactive reference', () => {
  it('is served from the package: no external script, style or font', async () => {
    const response = await fetch(`${server.url}/swagger/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
    const init = await fetch(`${server.url}/swagger/static/swagger-initializer.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/swagger/v2/swagger.json');
    const bundle = await fetch(`${server.url}/swagger/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  });
});
