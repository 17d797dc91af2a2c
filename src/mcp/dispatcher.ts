/**
 * Answers one JSON-RPC request with the official SDK's `Server`: protocol
 * version negotiation, `initialize`, `ping`, unknown methods (-32601) and the
 * checking of `tools/call` params are the SDK's; `tools/list` and `tools/call`
 * come from the registry (tools.ts). Stateless (MCP.md §2): a fresh Server per
 * request, connected to a transport that carries that one message in and its
 * answer out, so nothing is kept between POSTs and `initialize` is no
 * precondition.
 */
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { ProtocolError, ProtocolErrorCode, Server, type Transport } from '@modelcontextprotocol/server';
import type { RequestContext } from '../services/context.js';
import type { Services } from '../services/index.js';
import { SERVER_NAME, SERVER_VERSION, hasStructuredOutput } from './server-info.js';
import { toolFailureOf } from './tool-errors.js';
import { TOOLS, type Tool } from './tools.js';

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: string | number;
  method: string;
  params?: unknown;
}

export type JsonRpcAnswer =
  | { jsonrpc: '2.0'; id: string | number; result: unknown }
  | { jsonrpc: '2.0'; id: string | number; error: { code: number; message: string } };

/** Where each tool call is counted (Prometheus): `tool` is a registry name or `unknown`. */
export interface ToolCallCounter {
  toolCall(tool: string, outcome: string): void;
}

export interface Exchange {
  caller: RequestContext;
  /** The request's protocol version: its Mcp-Protocol-Version header, or 2024-11-05. */
  version: string;
  log: FastifyBaseLogger;
}

const BY_NAME = new Map<string, Tool>(TOOLS.map((tool) => [tool.name, tool]));

/** Longest tool name written to the log for a name that is not ours. */
const LOGGED_NAME_MAX = 64;

/** The tools/list entry of a tool, for this protocol version (outputSchema from 2025-06-18 on). */
export function listedTool(tool: Tool, version: string) {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(hasStructuredOutput(version) ? { outputSchema: tool.outputSchema } : {}),
    annotations: { readOnlyHint: true },
  };
}

/** A transport for exactly one exchange: the message goes in through `deliver`, the answer comes out of `answer`. */
class SingleExchange implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  #settle!: (message: unknown) => void;
  /** The SDK's answer, or `null` when it reported the message as one it will not answer. */
  readonly answer = new Promise<unknown>((resolve) => (this.#settle = resolve));

  async start(): Promise<void> {}
  async send(message: Parameters<Transport['send']>[0]): Promise<void> {
    this.#settle(message);
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
  deliver(message: JsonRpcRequest): void {
    this.onmessage!(message as never);
  }
  /** The SDK drops some messages with only an error report (an id or method it cannot take): answered as invalid. */
  refuse(): void {
    this.#settle(null);
  }
}

/**
 * The SDK's own error texts may quote the request (a zod report of the params);
 * ours are fixed. A -32603 can only be the SDK refusing params here (the tool
 * handler turns every failure into a tool result), so it is reported as -32602.
 */
function fixedError(method: string, error: { code: number; message: string }): { code: number; message: string } {
  if (error.code === ProtocolErrorCode.MethodNotFound) return { code: error.code, message: 'Method not found' };
  if (error.code === ProtocolErrorCode.InvalidParams && error.message === 'Unknown tool') return error;
  if (error.code === ProtocolErrorCode.InvalidParams || error.code === ProtocolErrorCode.InternalError) {
    const expected = method === 'tools/call' ? 'params.name (a string) and optional params.arguments (an object)' : 'the params the MCP specification defines';
    return { code: ProtocolErrorCode.InvalidParams, message: `Invalid params: ${method === 'tools/call' ? 'tools/call' : 'this method'} needs ${expected}` };
  }
  return { code: error.code, message: 'Invalid request' };
}

export class McpDispatcher {
  constructor(
    private readonly services: Services,
    private readonly tokenTtlSeconds: number,
    private readonly counter: ToolCallCounter,
  ) {}

  async answer(message: JsonRpcRequest, exchange: Exchange): Promise<JsonRpcAnswer> {
    const server = new Server({ name: SERVER_NAME, version: SERVER_VERSION }, { capabilities: { tools: { listChanged: false } } });
    // The registry's schemas are plain JSON Schema objects; the SDK types them as JSON values.
    server.setRequestHandler('tools/list', async () => ({ tools: TOOLS.map((tool) => listedTool(tool, exchange.version)) as never }));
    server.setRequestHandler('tools/call', async (request) => this.#call(request.params.name, request.params.arguments, exchange));
    const transport = new SingleExchange();
    server.onerror = () => transport.refuse();
    await server.connect(transport);
    try {
      transport.deliver(withNullArgumentsDropped(message));
      const answer = ((await transport.answer) as JsonRpcAnswer | null) ?? { jsonrpc: '2.0', id: message.id, error: { code: ProtocolErrorCode.InvalidRequest, message: 'Invalid request' } };
      if (message.method !== 'tools/call') exchange.log.info({ mcpMethod: message.method.slice(0, LOGGED_NAME_MAX) }, 'mcp request');
      return 'error' in answer ? { jsonrpc: '2.0', id: message.id, error: fixedError(message.method, answer.error) } : answer;
    } finally {
      await server.close();
    }
  }

  async #call(name: string, args: unknown, { caller, version, log }: Exchange) {
    const tool = BY_NAME.get(name);
    if (!tool) {
      this.counter.toolCall('unknown', 'UNKNOWN_TOOL');
      log.info({ mcpTool: name.slice(0, LOGGED_NAME_MAX), outcome: 'UNKNOWN_TOOL', userId: caller.principal.userId }, 'mcp tool call');
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Unknown tool');
    }
    const started = performance.now();
    let outcome = 'ok';
    try {
      const result = await tool.run({ caller, services: this.services, tokenTtlSeconds: this.tokenTtlSeconds }, tool.arguments.read(args));
      return {
        content: [{ type: 'text' as const, text: JSON.stringify(result) }],
        ...(hasStructuredOutput(version) ? { structuredContent: result as Record<string, unknown> } : {}),
      };
    } catch (error) {
      const failure = toolFailureOf(error, caller.requestId);
      outcome = failure.code;
      if (failure.code === 'INTERNAL_ERROR') log.error({ err: error, mcpTool: tool.name }, 'mcp tool failed');
      return { content: [{ type: 'text' as const, text: JSON.stringify(failure) }], isError: true };
    } finally {
      this.counter.toolCall(tool.name, outcome);
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      log.info({ mcpTool: tool.name, outcome, durationMs, userId: caller.principal.userId }, 'mcp tool call');
    }
  }
}

/** `arguments: null` means no arguments (MCP.md §4); the SDK's params check wants it absent. */
function withNullArgumentsDropped(message: JsonRpcRequest): JsonRpcRequest {
  const params = message.params as Record<string, unknown> | undefined;
  if (message.method !== 'tools/call' || typeof params !== 'object' || params === null || params.arguments !== null) return message;
  const { arguments: _dropped, ...rest } = params;
  return { ...message, params: rest };
}
