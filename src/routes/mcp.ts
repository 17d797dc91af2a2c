/**
 * POST /mcp (MCP.md §2–3): MCP Streamable HTTP, stateless, inside this Fastify
 * app — its headers, body limit, request ids, logging and rate limits apply.
 * The HTTP checks answer in MCP.md's order: method (405, via the not-found
 * handler) → authentication (401) → rate limit (429) → Accept (406) → content
 * type (415) → body size (413) → JSON and JSON-RPC shape, protocol version
 * (400); then the SDK-based dispatcher answers, framed as one SSE event or as
 * plain JSON.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mcpCredentials, authenticateRequest } from '../http/authenticate.js';
import { McpRefusal, sendMcpRefusal } from '../http/mcp-errors.js';
import type { RouteHost } from '../http/route-host.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { findDuplicateKey } from '../http/wire.js';
import { McpDispatcher, type JsonRpcRequest, type ToolCallCounter } from '../mcp/dispatcher.js';
import { ASSUMED_VERSION, PROTOCOL_VERSIONS } from '../mcp/server-info.js';

export const MCP_PATH = '/mcp';

type Framing = 'sse' | 'json';

/** What the Accept header admits: SSE when it admits text/event-stream (also via text/* or *\/*), else JSON, else nothing. */
export function framingOf(accept: string | undefined): Framing | null {
  if (!accept) return null;
  const admitted = new Set<string>();
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    admitted.add(type);
  }
  const any = admitted.has('*/*');
  if (any || admitted.has('text/*') || admitted.has('text/event-stream')) return 'sse';
  if (admitted.has('application/*') || admitted.has('application/json')) return 'json';
  return null;
}

/** `application/json`, parameters allowed, a charset only if UTF-8. */
function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params.find((param) => param.startsWith('charset='));
  return charset === undefined || ['utf-8', 'utf8', '"utf-8"'].includes(charset.slice('charset='.length));
}

/** The body as one JSON-RPC 2.0 message, or the 400 of MCP.md §2.3. */
function readMessage(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text.trim() === '') throw McpRefusal.invalidRequest('empty body');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw McpRefusal.parseError();
  }
  if (findDuplicateKey(text) !== null) throw McpRefusal.invalidRequest('a property is given more than once');
  if (Array.isArray(message)) throw McpRefusal.invalidRequest('batches are not supported');
  if (typeof message !== 'object' || message === null || (message as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    throw McpRefusal.invalidRequest('not a JSON-RPC 2.0 message');
  }
  const { method, id, result, error } = message as Record<string, unknown>;
  // MCP ids are strings or integers (JSON-RPC discourages fractions; the SDK refuses them).
  const validId = id === undefined || typeof id === 'string' || Number.isInteger(id);
  const isCall = typeof method === 'string' && validId;
  const isClientResponse = method === undefined && (typeof id === 'string' || Number.isInteger(id)) && (result !== undefined || error !== undefined);
  if (!isCall && !isClientResponse) throw McpRefusal.invalidRequest('not a JSON-RPC 2.0 message');
  return message as Record<string, unknown>;
}

/** The protocol version of a request: its Mcp-Protocol-Version header, or 2024-11-05; unsupported → 400. */
function versionOf(request: FastifyRequest): string {
  const header = request.headers['mcp-protocol-version'];
  if (header === undefined) return ASSUMED_VERSION;
  if (typeof header !== 'string' || !PROTOCOL_VERSIONS.includes(header.trim())) throw McpRefusal.invalidRequest('unsupported Mcp-Protocol-Version');
  return header.trim();
}

/** GET, DELETE or any other method on /mcp: 405 with `Allow: POST` (the app's not-found handler calls this). */
export async function refuseMcpMethod(request: FastifyRequest, reply: FastifyReply, limits: RateLimiter): Promise<FastifyReply> {
  try {
    await limits.anonymous(request);
  } catch (error) {
    return sendMcpRefusal(request, reply, error);
  }
  return sendMcpRefusal(request, reply, McpRefusal.methodNotAllowed());
}

export async function registerMcpRoute({ app, services, limits }: RouteHost, tokenTtlSeconds: number, counter: ToolCallCounter): Promise<void> {
  const dispatcher = new McpDispatcher(services, tokenTtlSeconds, counter);
  await app.register(async (scope) => {
    // The body is read here, not by the app's JSON parser: a parse error and a
    // duplicated property are different refusals on /mcp.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error, request, reply) => sendMcpRefusal(request, reply, error));

    scope.route({
      method: 'POST',
      url: MCP_PATH,
      schema: {
        operationId: 'postMcp',
        tags: ['MCP'],
        summary: 'MCP Streamable HTTP endpoint (stateless JSON-RPC 2.0; identity tools for AI agents)',
        description:
          'One JSON-RPC 2.0 message per POST: initialize, ping, tools/list, tools/call. Credential: X-Connectivity-API-Key, ' +
          'X-API-Key or Authorization: Bearer. Answer: one SSE event (Accept admits text/event-stream) or JSON; 202 for notifications.',
        security: [{ ConnectivityApiKey: [] }, { ApiKey: [] }, { Bearer: [] }],
      },
      onRequest: async (request) => {
        request.caller = await authenticateRequest(request, mcpCredentials(request), services, limits);
        if (framingOf(request.headers.accept) === null) throw McpRefusal.notAcceptable();
        if (!isJsonContentType(request.headers['content-type'])) throw McpRefusal.unsupportedMediaType();
      },
      handler: async (request, reply) => {
        const message = readMessage(request.body);
        const version = versionOf(request);
        if (message.id === undefined || message.method === undefined) {
          if (typeof message.method === 'string') request.log.info({ mcpMethod: message.method.slice(0, 64) }, 'mcp notification');
          return reply.code(202).send();
        }
        const answer = await dispatcher.answer(message as unknown as JsonRpcRequest, { caller: request.caller, version, log: request.log });
        const json = JSON.stringify(answer);
        if (framingOf(request.headers.accept) === 'sse') {
          return reply.code(200).header('cache-control', 'no-cache').type('text/event-stream').send(`event: message\ndata: ${json}\n\n`);
        }
        return reply.code(200).type('application/json; charset=utf-8').send(json);
      },
    });
  });
}
