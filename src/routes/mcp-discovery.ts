/**
 * MCP discovery documents (MCP.md §6): anonymous, GET, CORS-open, limited per
 * client address, generated on each request from the tool registry (so they
 * cannot drift from tools/list). Absolute URLs come from the request as the
 * server sees it: X-Forwarded-Proto/-Host count only with trust-proxy on
 * (Fastify's request.protocol and request.host honour that setting).
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { RateLimited } from '../http/rate-limit.js';
import type { RouteHost } from '../http/route-host.js';
import { LATEST_VERSION, PROTOCOL_VERSIONS, SERVER_NAME, SERVER_VERSION } from '../mcp/server-info.js';
import { TOOLS } from '../mcp/tools.js';
import { MCP_PATH } from './mcp.js';

/** When the registry was built: this module's load, i.e. the server's start. */
const GENERATED_AT = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const CREDENTIAL_HEADERS = {
  'X-Connectivity-API-Key': 'Your ECGrid API key (the documented MCP header)',
  'X-API-Key': 'Your ECGrid API key (the REST header; the same check)',
  Authorization: 'Bearer <token>: a session token from POST /v2/auth/login (or /v2/auth/refresh)',
};

const DESCRIPTION =
  'The identity tools of the ECGrid MCP server, self-hosted: look up users, networks and mailboxes of the ECGrid ' +
  'REST API v2.6 identity slice. Read-only; your credential decides what you can see.';

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

const authentication = { required: true, methods: ['api_key', 'bearer'], api_key: { headers: CREDENTIAL_HEADERS } };
const capabilities = { tools: true, resources: false, prompts: false, sampling: false };

export async function registerMcpDiscoveryRoutes({ app, limits }: RouteHost, config: Pick<Config, 'rateLimit' | 'rateLimits'>): Promise<void> {
  const rateLimits = config.rateLimit
    ? { requests_per_minute: config.rateLimits.credentialPerSecond * 60, anonymous_requests_per_minute: config.rateLimits.anonymousPerSecond * 60 }
    : null;

  await app.register(async (scope) => {
    const schema = (operationId: string, summary: string) => ({ operationId, tags: ['MCP'], summary, security: [] });
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('access-control-allow-origin', '*');
      await limits.anonymous(request);
    });
    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof RateLimited) {
        return reply.code(429).header('retry-after', String(error.retryAfterSeconds)).send({ code: 'RATE_LIMITED', retryable: true });
      }
      request.log.error({ err: error }, 'discovery request failed');
      return reply.code(500).send({ code: 'INTERNAL_ERROR', retryable: false });
    });

    scope.get('/.well-known/mcp', { schema: schema('getMcpDiscovery', 'MCP server discovery document') }, async (request) => {
      const base = baseUrl(request);
      return {
        spec_version: LATEST_VERSION,
        server_name: SERVER_NAME,
        server_version: SERVER_VERSION,
        endpoints: { streamable_http: `${base}${MCP_PATH}` },
        capabilities,
        authentication,
        rate_limits: rateLimits,
        documentation: `${base}/llms.txt`,
        tools_list: `${base}/tools.json`,
        server_card: `${base}/.well-known/mcp/server-card.json`,
        protocol_versions: PROTOCOL_VERSIONS,
      };
    });

    scope.get('/.well-known/mcp/server-card.json', { schema: schema('getMcpServerCard', 'MCP server card') }, async (request) => ({
      name: SERVER_NAME,
      title: 'ECGrid identity (self-hosted)',
      version: SERVER_VERSION,
      description: DESCRIPTION,
      remotes: [{ type: 'streamable-http', url: `${baseUrl(request)}${MCP_PATH}` }],
      capabilities,
      authentication,
      tools: TOOLS.map((tool) => ({ name: tool.name, description: tool.description })),
    }));

    scope.get('/tools.json', { schema: schema('getMcpTools', 'The MCP tools with their input schemas (as tools/list)') }, async () => ({
      server: { name: SERVER_NAME, version: SERVER_VERSION, generatedAt: GENERATED_AT },
      tools: TOOLS.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
    }));

    scope.get('/llms.txt', { schema: schema('getLlmsTxt', 'Plain-text guide to the MCP endpoint for language models') }, async (request, reply) => {
      reply.type('text/plain; charset=utf-8');
      return [
        `# ${SERVER_NAME} — ECGrid MCP identity tools`,
        '',
        `${DESCRIPTION} Objects outside your scope answer NOT_FOUND, like missing ones.`,
        '',
        `MCP endpoint (Streamable HTTP, stateless, JSON-RPC 2.0): POST ${baseUrl(request)}${MCP_PATH}`,
        '',
        'Credentials (one per request; the first present is used):',
        ...Object.entries(CREDENTIAL_HEADERS).map(([name, text]) => `- ${name}: ${text}`),
        '',
        'Tool arguments: {"request": {...parameters}}; tools without parameters take {"request": {}}.',
        '',
        'Tools:',
        ...TOOLS.map((tool) => `- ${tool.name}: ${firstSentence(tool.description)}`),
        '',
      ].join('\n');
    });
  });
}
