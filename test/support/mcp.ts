/** MCP over real HTTP: raw JSON-RPC POSTs to /mcp (answers parsed from SSE or JSON) and the SDK's own client. */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export const MCP_TOOL_NAMES = [
  'connectivity_system_hello-world',
  'connectivity_system_get-version',
  'connectivity_user_get-user-me',
  'connectivity_user_get-user-by-id',
  'connectivity_user_get-user-by-login',
  'connectivity_user_list-users',
  'connectivity_network_get-network-by-id',
  'connectivity_mailbox_get-mailbox-by-id',
  'connectivity_mailbox_list-mailboxes',
  'connectivity_mailbox_get-mailbox-by-name',
] as const;

export const BOTH_ACCEPTED = 'application/json, text/event-stream';

export interface McpReply {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON-RPC message: the body, or the data line of the one SSE event. */
  message: any;
}

/** Parses an answer: SSE → the one `data:` line of the one `message` event; else the body as JSON (undefined when empty). */
export function parseMcpAnswer(contentType: string | null, text: string): unknown {
  if (contentType?.startsWith('text/event-stream')) {
    const match = /^event: message\ndata: (.*)\n\n$/s.exec(text);
    if (!match || match[1]!.includes('\n')) throw new Error(`not exactly one SSE message event: ${JSON.stringify(text.slice(0, 300))}`);
    return JSON.parse(match[1]!);
  }
  return text === '' ? undefined : JSON.parse(text);
}

export async function mcpPost(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  options: { raw?: string; method?: string } = {},
): Promise<McpReply> {
  const response = await fetch(`${url}/mcp`, {
    method: options.method ?? 'POST',
    headers: { accept: BOTH_ACCEPTED, 'content-type': 'application/json', ...headers },
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, message: parseMcpAnswer(response.headers.get('content-type'), text) };
}

let nextId = 1;

/** A tools/call over raw HTTP: the parsed text of the result and whether it is an error (throws on a JSON-RPC error). */
export async function callToolRaw(
  url: string,
  credential: Record<string, string>,
  name: string,
  args: unknown,
  headers: Record<string, string> = {},
): Promise<{ isError: boolean; value: any; result: any }> {
  const reply = await mcpPost(url, { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }, { ...credential, ...headers });
  if (reply.status !== 200 || reply.message.error) throw new Error(`tools/call ${name}: ${reply.status} ${reply.text.slice(0, 300)}`);
  const result = reply.message.result;
  return { isError: result.isError === true, value: JSON.parse(result.content[0].text), result };
}

/** The SDK's Client over its Streamable HTTP transport, connected (initialize done) with these headers. */
export async function connectSdkClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'ecgrid-identity-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}
