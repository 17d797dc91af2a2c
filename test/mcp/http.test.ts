/**
 * /mcp at the HTTP level (MCP.md §2–3, §8 #4 #5): protocol versions, framing,
 * notifications, every refusal with its exact body and headers, credential
 * precedence, the order of checks, rate limits; the discovery documents (§6, §8 #7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import { readFileSync } from 'node:fs';
import { expectOk } from '../support/http.js';
import { sendHttp } from '../support/fuzz-http.js';
import { MCP_TOOL_NAMES, mcpPost } from '../support/mcp.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/sessions.js';
import { DEMO_LOGIN_PASSWORD } from '../../src/services/demo-data.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  auth = { 'x-connectivity-api-key': server.rootKey };
});
afterAll(() => server?.close());

const initialize = (protocolVersion: string) => ({
  jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const listTools = { jsonrpc: '2.0', id: 'list', method: 'tools/list' };

/** A refusal of §2.3: status, JSON content type, exact body. */
function expectRefusal(reply: { status: number; headers: Headers; text: string }, status: number, rpcCode: number, code: string, message: string | RegExp) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(JSON.parse(reply.text)).toEqual({
    jsonrpc: '2.0',
    id: null,
    error: { code: rpcCode, message: typeof message === 'string' ? message : expect.stringMatching(message), data: { code, retryable: code === 'RATE_LIMITED' } },
  });
}

describe('initialize and framing', () => {
  it.each([
    ['2024-11-05', '2024-11-05'],
    [LATEST_PROTOCOL_VERSION, LATEST_PROTOCOL_VERSION],
    ['2025-06-18', '2025-06-18'],
    ['1999-01-01', LATEST_PROTOCOL_VERSION],
  ])('initialize with %s answers %s, our name and package version, tools without listChanged', async (asked, answered) => {
    const reply = await mcpPost(server.url, initialize(asked), auth);
    expect(reply.status).toBe(200);
    expect(reply.message).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { protocolVersion: answered, capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'ecgrid-identity', version: PACKAGE_VERSION } },
    });
  });

  it('answers one SSE event (no id or retry line) with Cache-Control: no-cache when Accept admits text/event-stream', async () => {
    for (const accept of ['application/json, text/event-stream', 'text/event-stream', '*/*', 'text/*', 'application/json;q=1, text/event-stream;q=0.5']) {
      const reply = await mcpPost(server.url, listTools, { ...auth, accept });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(reply.headers.get('cache-control')).toBe('no-cache');
      expect(reply.text).toMatch(/^event: message\ndata: \{.*\}\n\n$/);
      expect(reply.message.result.tools).toHaveLength(10);
    }
  });

  it('answers plain JSON when Accept admits application/json but not text/event-stream', async () => {
    for (const accept of ['application/json', 'application/*', 'application/json, text/event-stream;q=0']) {
      const reply = await mcpPost(server.url, { jsonrpc: '2.0', id: 7, method: 'ping' }, { ...auth, accept });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(JSON.parse(reply.text)).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    }
  });

  it('answers 202 with an empty body to notifications and client responses', async () => {
    for (const message of [
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      { jsonrpc: '2.0', id: 5, result: {} },
      { jsonrpc: '2.0', id: 'x', error: { code: -1, message: 'no' } },
    ]) {
      const reply = await mcpPost(server.url, message, auth);
      expect(reply.status).toBe(202);
      expect(reply.text).toBe('');
    }
  });

  it('serves tools/call without initialize, ignores a session id, and keeps string ids', async () => {
    const reply = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 'abc', method: 'tools/call', params: { name: 'connectivity_system_get-version', arguments: { request: {} } } },
      { ...auth, 'mcp-session-id': 'not-a-session' },
    );
    expect(reply.headers.get('mcp-session-id')).toBeNull();
    expect(reply.message).toEqual({ jsonrpc: '2.0', id: 'abc', result: { content: [{ type: 'text', text: '{"rest":"2.6","ecgridOs":null}' }] } });
  });

  it('sends outputSchema and structuredContent only from 2025-06-18 on (the Mcp-Protocol-Version header; absent = 2024-11-05)', async () => {
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'connectivity_system_get-version', arguments: {} } };
    for (const [header, structured] of [[undefined, false], ['2024-11-05', false], ['2025-03-26', false], ['2025-06-18', true], [LATEST_PROTOCOL_VERSION, true]] as const) {
      const headers = header ? { ...auth, 'mcp-protocol-version': header } : auth;
      const tools = (await mcpPost(server.url, listTools, headers)).message.result.tools;
      expect(tools.every((tool: object) => 'outputSchema' in tool)).toBe(structured);
      const result = (await mcpPost(server.url, call, headers)).message.result;
      expect(result.structuredContent).toEqual(structured ? { rest: '2.6', ecgridOs: null } : undefined);
    }
  });

  it('answers -32601 to other methods, in the framing of the request', async () => {
    for (const method of ['resources/list', 'prompts/list', 'logging/setLevel', 'completion/complete', 'server/discover', 'tasks/list', 'nope']) {
      const reply = await mcpPost(server.url, { jsonrpc: '2.0', id: 9, method }, auth);
      expect(reply.status).toBe(200);
      expect(reply.message).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32601, message: 'Method not found' } });
    }
  });

  it('answers -32602 to malformed tools/call params without quoting them', async () => {
    for (const params of [{}, { name: 5 }, { name: 'connectivity_system_get-version', arguments: 'x' }, { name: 'connectivity_system_get-version', arguments: [1] }]) {
      const reply = await mcpPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params }, auth);
      expect(reply.message).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: expect.stringMatching(/^Invalid params: tools\/call needs/) } });
    }
  });
});

describe('refusals (MCP.md §2.3)', () => {
  it('405 with Allow: POST on GET, DELETE and other methods, without a credential', async () => {
    for (const method of ['GET', 'DELETE', 'PUT', 'PATCH']) {
      const response = await fetch(`${server.url}/mcp`, { method });
      const reply = { status: response.status, headers: response.headers, text: await response.text() };
      expectRefusal(reply, 405, -32000, 'METHOD_NOT_ALLOWED', 'Method not allowed: use POST');
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('/mcp/ is an unknown route, answered as REST answers one', async () => {
    const response = await fetch(`${server.url}/mcp/`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ success: false, errorCode: 'ObjectNotFound' });
  });

  it('406 when Accept admits neither media type, or is missing', async () => {
    for (const accept of ['text/html', 'application/xml', 'text/event-stream;q=0, application/json;q=0']) {
      expectRefusal(await mcpPost(server.url, listTools, { ...auth, accept }), 406, -32000, 'NOT_ACCEPTABLE', 'Not acceptable: accept text/event-stream or application/json');
    }
    const raw = await sendHttp(server.url, {
      method: 'POST', path: '/mcp', headers: [['x-connectivity-api-key', server.rootKey], ['content-type', 'application/json']], body: JSON.stringify(listTools),
    }, 5000);
    expect(raw.status).toBe(406);
  });

  it('415 when Content-Type is missing, not JSON, or JSON in another charset', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=iso-8859-1', 'application/jsonx']) {
      expectRefusal(await mcpPost(server.url, listTools, { ...auth, 'content-type': type }), 415, -32000, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type: send application/json');
    }
    const raw = await sendHttp(server.url, {
      method: 'POST', path: '/mcp', headers: [['x-connectivity-api-key', server.rootKey], ['accept', '*/*']], body: JSON.stringify(listTools),
    }, 5000);
    expect(raw.status).toBe(415);
    expect(JSON.parse(raw.text).error.data.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const utf8 = await mcpPost(server.url, listTools, { ...auth, 'content-type': 'application/json; charset=UTF-8' });
    expect(utf8.status).toBe(200);
  });

  it('413 above the body limit', async () => {
    const big = JSON.stringify({ ...listTools, params: { padding: 'x'.repeat(70_000) } });
    expectRefusal(await mcpPost(server.url, undefined, auth, { raw: big }), 413, -32000, 'PAYLOAD_TOO_LARGE', 'Payload too large');
  });

  it('400 for a body that is not JSON, empty, a batch, not JSON-RPC 2.0, or has a property twice', async () => {
    expectRefusal(await mcpPost(server.url, undefined, auth, { raw: '{"jsonrpc":' }), 400, -32700, 'PARSE_ERROR', 'Parse error: body is not valid JSON');
    const invalid = [
      ['', 'empty body'],
      ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', 'batches are not supported'],
      ['{"jsonrpc":"1.0","id":1,"method":"ping"}', 'not a JSON-RPC 2.0 message'],
      ['{"id":1,"method":"ping"}', 'not a JSON-RPC 2.0 message'],
      ['{"jsonrpc":"2.0","id":null,"method":"ping"}', 'not a JSON-RPC 2.0 message'],
      ['{"jsonrpc":"2.0","id":{},"method":"ping"}', 'not a JSON-RPC 2.0 message'],
      // Found by the fuzzer: the SDK drops a fractional id without an answer (the request hung).
      ['{"jsonrpc":"2.0","id":1.5,"method":"nope"}', 'not a JSON-RPC 2.0 message'],
      ['{"jsonrpc":"2.0","id":1,"method":7}', 'not a JSON-RPC 2.0 message'],
      ['"ping"', 'not a JSON-RPC 2.0 message'],
      ['{"jsonrpc":"2.0","id":1,"method":"ping","ID":2}', 'a property is given more than once'],
    ];
    for (const [raw, which] of invalid) {
      expectRefusal(await mcpPost(server.url, undefined, auth, { raw }), 400, -32600, 'INVALID_REQUEST', `Invalid request: ${which}`);
    }
  });

  it('400 for an unsupported Mcp-Protocol-Version header', async () => {
    expectRefusal(await mcpPost(server.url, listTools, { ...auth, 'mcp-protocol-version': '2099-01-01' }), 400, -32600, 'INVALID_REQUEST', 'Invalid request: unsupported Mcp-Protocol-Version');
  });

  it('never a CORS header on /mcp', async () => {
    const reply = await mcpPost(server.url, listTools, { ...auth, origin: 'https://evil.example' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers in the order method → authentication → Accept → content type → size → JSON', async () => {
    const huge = 'x'.repeat(70_000);
    const bad = { accept: 'text/html', 'content-type': 'text/plain' };
    const response = await fetch(`${server.url}/mcp`, { method: 'GET', headers: bad });
    expect(response.status).toBe(405);
    expect((await mcpPost(server.url, undefined, bad, { raw: huge })).status).toBe(401);
    expect((await mcpPost(server.url, undefined, { ...auth, ...bad }, { raw: huge })).status).toBe(406);
    expect((await mcpPost(server.url, undefined, { ...auth, 'content-type': 'text/plain' }, { raw: huge })).status).toBe(415);
    expect((await mcpPost(server.url, undefined, { ...auth, 'mcp-protocol-version': 'bad' }, { raw: huge })).status).toBe(413);
    expectRefusal(await mcpPost(server.url, undefined, { ...auth, 'mcp-protocol-version': 'bad' }, { raw: '{' }), 400, -32700, 'PARSE_ERROR', /Parse error/);
  });
});

describe('authentication (MCP.md §3.1)', () => {
  const apiKeyText = 'X-API-Key is missing, unknown, revoked, or its user is not active.';
  const sessionText = 'Session is missing, expired or revoked.';

  it('401 without a credential (the API-key text), with an unknown key, under any of the three headers', async () => {
    expectRefusal(await mcpPost(server.url, listTools, {}), 401, -32000, 'UNAUTHORIZED', apiKeyText);
    expectRefusal(await mcpPost(server.url, listTools, { 'x-connectivity-api-key': 'unknown-key-0000' }), 401, -32000, 'UNAUTHORIZED', apiKeyText);
    expectRefusal(await mcpPost(server.url, listTools, { 'x-api-key': 'unknown-key-0000' }), 401, -32000, 'UNAUTHORIZED', apiKeyText);
    expectRefusal(await mcpPost(server.url, listTools, { authorization: 'Bearer not.a.token' }), 401, -32000, 'UNAUTHORIZED', sessionText);
  });

  it('every method needs the credential: initialize, ping and notifications too', async () => {
    for (const message of [initialize('2024-11-05'), { jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]) {
      expect((await mcpPost(server.url, message, {})).status).toBe(401);
    }
  });

  it('401 for a revoked key and for a Suspended user', async () => {
    const { user, key } = await createUser(server, { authLevel: 'MailboxUser', networkId: 1, mailboxId: 101 });
    expect((await mcpPost(server.url, listTools, { 'x-connectivity-api-key': key })).status).toBe(200);
    expectOk(await server.api.put('/v2/users', { userId: user.userId, status: 'Suspended' }));
    expectRefusal(await mcpPost(server.url, listTools, { 'x-connectivity-api-key': key }), 401, -32000, 'UNAUTHORIZED', apiKeyText);
    expectOk(await server.api.put('/v2/users', { userId: user.userId, status: 'Active' }));
    expect((await mcpPost(server.url, listTools, { 'x-connectivity-api-key': key })).status).toBe(200);
    const { keyId } = expectOk(await server.api.post<{ keyId: number }>('/v2/keys/get-key', { userId: user.userId }));
    expectOk(await server.api.delete('/v2/keys', { keyId }));
    expectRefusal(await mcpPost(server.url, listTools, { 'x-connectivity-api-key': key }), 401, -32000, 'UNAUTHORIZED', apiKeyText);
  });

  it('a Bearer token works until logout', async () => {
    const { token } = await login(server.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
    expect((await mcpPost(server.url, listTools, { authorization: `Bearer ${token}` })).status).toBe(200);
    expectOk(await server.api.post('/v2/auth/logout', undefined, { key: null, token }));
    expectRefusal(await mcpPost(server.url, listTools, { authorization: `Bearer ${token}` }), 401, -32000, 'UNAUTHORIZED', sessionText);
  });

  it('the first header present is the credential: X-Connectivity-API-Key, then X-API-Key, then Bearer; an empty value counts', async () => {
    const good = server.rootKey;
    const me = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'connectivity_user_get-user-me', arguments: {} } };
    const { token } = await login(server.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
    const whoIs = async (headers: Record<string, string>) => {
      const reply = await mcpPost(server.url, me, headers);
      return reply.status === 200 ? JSON.parse(reply.message.result.content[0].text).userId : reply.status;
    };
    expect(await whoIs({ 'x-connectivity-api-key': good, 'x-api-key': 'wrong', authorization: 'Bearer wrong' })).toBe(1);
    expect(await whoIs({ 'x-connectivity-api-key': 'wrong', 'x-api-key': good })).toBe(401);
    expect(await whoIs({ 'x-connectivity-api-key': '', 'x-api-key': good })).toBe(401);
    expect(await whoIs({ 'x-api-key': good, authorization: 'Bearer wrong' })).toBe(1);
    expect(await whoIs({ 'x-api-key': 'wrong', authorization: `Bearer ${token}` })).toBe(401);
    expect(await whoIs({ authorization: `Bearer ${token}` })).toBe(4821);
  });
});

describe('an expired token', () => {
  let shortLived: TestServer;
  beforeAll(async () => {
    // Long enough for the first call to land before expiry on a loaded machine.
    shortLived = await startTestServer({ ECGRID_DEMO: '1', ECGRID_TOKEN_TTL: '4s' });
  });
  afterAll(() => shortLived?.close());

  it('is refused with 401 and the session text', { timeout: 30_000 }, async () => {
    const { token } = await login(shortLived.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
    expect((await mcpPost(shortLived.url, listTools, { authorization: `Bearer ${token}` })).status).toBe(200);
    await sleep(5100);
    expectRefusal(await mcpPost(shortLived.url, listTools, { authorization: `Bearer ${token}` }), 401, -32000, 'UNAUTHORIZED', 'Session is missing, expired or revoked.');
  });
});

describe('rate limits (MCP.md §3.2)', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ ECGRID_DEMO: '1', ECGRID_RATE_LIMIT: 'on', ECGRID_RATE_CREDENTIAL: '2', ECGRID_RATE_ANONYMOUS: '2' });
  });
  afterAll(() => limited?.close());

  it('429 with Retry-After and the JSON-RPC body on /mcp once a credential is over budget', async () => {
    const replies = await Promise.all(Array.from({ length: 6 }, () => mcpPost(limited.url, listTools, { 'x-connectivity-api-key': limited.rootKey })));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(4);
    const over = replies.find((reply) => reply.status === 429)!;
    expectRefusal(over, 429, -32000, 'RATE_LIMITED', 'Rate limit exceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('429 with exactly {code, retryable} and CORS on a discovery endpoint once an address is over budget', async () => {
    await sleep(1100);
    const replies = await Promise.all(Array.from({ length: 4 }, () => fetch(`${limited.url}/tools.json`)));
    const over = replies.find((reply) => reply.status === 429)!;
    expect(over).toBeDefined();
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(over.headers.get('access-control-allow-origin')).toBe('*');
    expect(await over.json()).toEqual({ code: 'RATE_LIMITED', retryable: true });
  });
});

describe('discovery (MCP.md §6)', () => {
  const get = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('serves the four documents anonymously with Access-Control-Allow-Origin: *', async () => {
    for (const [path, type] of [
      ['/.well-known/mcp', 'application/json'], ['/.well-known/mcp/server-card.json', 'application/json'], ['/tools.json', 'application/json'], ['/llms.txt', 'text/plain; charset=utf-8'],
    ] as const) {
      const reply = await get(server.url, path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(new RegExp(`^${type.replace('+', '\\+')}`));
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('/tools.json has the names, order, descriptions and input schemas of tools/list', async () => {
    const tools = JSON.parse((await get(server.url, '/tools.json')).text);
    const listed = (await mcpPost(server.url, listTools, auth)).message.result.tools;
    expect(tools.server).toEqual({ name: 'ecgrid-identity', version: PACKAGE_VERSION, generatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) });
    expect(tools.tools).toEqual(listed.map(({ name, description, inputSchema }: any) => ({ name, description, inputSchema })));
    expect(tools.tools.map((tool: { name: string }) => tool.name)).toEqual([...MCP_TOOL_NAMES]);
  });

  it('/.well-known/mcp names the endpoints, versions and credential headers; the card lists the tools', async () => {
    const doc = JSON.parse((await get(server.url, '/.well-known/mcp')).text);
    expect(doc).toMatchObject({
      spec_version: LATEST_PROTOCOL_VERSION,
      server_name: 'ecgrid-identity',
      server_version: PACKAGE_VERSION,
      endpoints: { streamable_http: `${server.url}/mcp` },
      capabilities: { tools: true, resources: false, prompts: false, sampling: false },
      authentication: { required: true, methods: ['api_key', 'bearer'] },
      rate_limits: null,
      documentation: `${server.url}/llms.txt`,
      tools_list: `${server.url}/tools.json`,
      server_card: `${server.url}/.well-known/mcp/server-card.json`,
    });
    expect(Object.keys(doc.authentication.api_key.headers)).toEqual(['X-Connectivity-API-Key', 'X-API-Key', 'Authorization']);
    expect(doc.protocol_versions).toContain('2024-11-05');
    expect(doc.protocol_versions).toContain(LATEST_PROTOCOL_VERSION);
    const card = JSON.parse((await get(server.url, '/.well-known/mcp/server-card.json')).text);
    expect(card).toMatchObject({ name: 'ecgrid-identity', version: PACKAGE_VERSION, remotes: [{ type: 'streamable-http', url: `${server.url}/mcp` }] });
    expect(card.tools.map((tool: { name: string }) => tool.name)).toEqual([...MCP_TOOL_NAMES]);
  });

  it('/llms.txt has a title, the endpoint, the three headers, the request convention and one line per tool', async () => {
    const text = (await get(server.url, '/llms.txt')).text;
    expect(text.startsWith('# ')).toBe(true);
    expect(text).toContain(`POST ${server.url}/mcp`);
    for (const header of ['X-Connectivity-API-Key', 'X-API-Key', 'Authorization']) expect(text).toContain(`- ${header}: `);
    expect(text).toContain('{"request": {');
    for (const name of MCP_TOOL_NAMES) expect(text).toMatch(new RegExp(`^- ${name}: \\S.*\\.$`, 'm'));
  });

  it('ignores X-Forwarded-Proto/-Host without trust proxy', async () => {
    const doc = JSON.parse((await get(server.url, '/.well-known/mcp', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mcp.example.com' })).text);
    expect(doc.endpoints.streamable_http).toBe(`${server.url}/mcp`);
  });

  describe('behind a trusted proxy', () => {
    let proxied: TestServer;
    beforeAll(async () => {
      proxied = await startTestServer({ ECGRID_TRUST_PROXY: '1', ECGRID_RATE_LIMIT: 'on' });
    });
    afterAll(() => proxied?.close());

    it('builds URLs from X-Forwarded-Proto/-Host and reports the budgets', async () => {
      const doc = JSON.parse((await get(proxied.url, '/.well-known/mcp', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mcp.example.com' })).text);
      expect(doc.endpoints.streamable_http).toBe('https://mcp.example.com/mcp');
      expect(doc.server_card).toBe('https://mcp.example.com/.well-known/mcp/server-card.json');
      expect(doc.rate_limits).toEqual({ requests_per_minute: 6000, anonymous_requests_per_minute: 1200 });
    });
  });
});
