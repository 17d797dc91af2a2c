/**
 * MCP.md §8 #1: the SDK's own Client over its Streamable HTTP transport,
 * against a listening demo server over real HTTP — once with
 * X-Connectivity-API-Key (12345) and once with a Bearer token (4821): connects,
 * lists exactly the ten tools in order with their input schemas, calls each
 * with valid arguments (the client checks structuredContent against each
 * outputSchema; we check it equals the text and follows the documented field
 * order) and with invalid ones (VALIDATION_ERROR results).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { DEMO_LOGIN_PASSWORD } from '../../src/services/demo-data.js';
import { expectOk } from '../support/http.js';
import { MCP_TOOL_NAMES, connectSdkClient } from '../support/mcp.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/sessions.js';

let server: TestServer;
const credentials: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  const key = expectOk(await server.api.post<string>('/v2/users/key-generate/12345'));
  credentials['X-Connectivity-API-Key (12345)'] = { 'X-Connectivity-API-Key': key };
  const { token } = await login(server.url, 'jsmith@example.com', DEMO_LOGIN_PASSWORD);
  credentials['Bearer token (4821)'] = { Authorization: `Bearer ${token}` };
});
afterAll(() => server?.close());

type Me = { networkId: number; mailboxId: number; userId: number; loginName: string };

/** Valid arguments for each tool, in scope for both callers where the tool takes an id. */
const VALID: Record<string, Record<string, (me: Me) => unknown>> = {
  'connectivity_system_hello-world': { request: () => ({}) },
  'connectivity_system_get-version': { request: () => ({}) },
  'connectivity_user_get-user-me': { request: () => ({}) },
  'connectivity_user_get-user-by-id': { request: (me) => ({ userId: me.userId }) },
  'connectivity_user_get-user-by-login': { request: (me) => ({ loginName: me.loginName.toUpperCase() }) },
  'connectivity_user_list-users': { request: (me) => ({ networkId: me.networkId }) },
  'connectivity_network_get-network-by-id': { request: (me) => ({ networkId: me.networkId }) },
  'connectivity_mailbox_get-mailbox-by-id': { request: (me) => ({ mailboxId: me.mailboxId }) },
  'connectivity_mailbox_list-mailboxes': { request: () => ({}) },
  'connectivity_mailbox_get-mailbox-by-name': { request: (me) => ({ networkId: me.networkId, name: 'mb' }) },
};

/** Invalid arguments for the tools that take parameters, and the field the message must name. */
const INVALID: Record<string, [unknown, string]> = {
  'connectivity_system_hello-world': [{ request: { name: 'x'.repeat(257) } }, 'name'],
  'connectivity_user_get-user-by-id': [{ request: { userId: 0 } }, 'userId'],
  'connectivity_user_get-user-by-login': [{ request: { loginName: 'a b' } }, 'loginName'],
  'connectivity_user_list-users': [{ request: { lockedOut: 'yes', networkId: 1 } }, 'lockedOut'],
  'connectivity_network_get-network-by-id': [{ request: { networkId: 1.5 } }, 'networkId'],
  'connectivity_mailbox_get-mailbox-by-id': [{ request: {} }, 'mailboxId'],
  'connectivity_mailbox_list-mailboxes': [{ request: { networkId: -3 } }, 'networkId'],
  'connectivity_mailbox_get-mailbox-by-name': [{ request: { networkId: 1001, name: '' } }, 'name'],
};

function textOf(result: { content?: unknown }): any {
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  expect(content[0]!.type).toBe('text');
  return JSON.parse(content[0]!.text);
}

describe.each(['X-Connectivity-API-Key (12345)', 'Bearer token (4821)'])('the SDK client with %s', (credential) => {
  let client: Client;
  let me: Me;

  beforeAll(async () => {
    client = await connectSdkClient(server.url, credentials[credential]!);
    const result = await client.callTool({ name: 'connectivity_user_get-user-me', arguments: { request: {} } });
    me = textOf(result);
  });
  afterAll(() => client?.close());

  it('negotiates the SDK\'s latest protocol version and learns who we are', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'ecgrid-identity', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
    expect(me.userId).toBe(credential.includes('12345') ? 12345 : 4821);
  });

  it('lists exactly the ten tools in order, read-only, with the documented input schema form', async () => {
    const { tools, nextCursor } = await client.listTools();
    expect(nextCursor).toBeUndefined();
    expect(tools.map((tool) => tool.name)).toEqual([...MCP_TOOL_NAMES]);
    for (const tool of tools) {
      expect(tool.annotations).toEqual({ readOnlyHint: true });
      expect(tool.description!.length).toBeGreaterThan(20);
      expect(tool.inputSchema).toMatchObject({ type: 'object', required: ['request'], properties: { request: { type: 'object' } } });
      expect(tool.outputSchema).toMatchObject({ type: 'object' });
    }
    const byId = tools.find((tool) => tool.name === 'connectivity_user_get-user-by-id')!;
    expect(byId.inputSchema.properties!.request).toEqual({
      type: 'object',
      properties: { userId: { type: 'integer', description: 'The user id', minimum: 1, maximum: 2147483647 } },
      required: ['userId'],
    });
  });

  it.each([...MCP_TOOL_NAMES])('calls %s with valid arguments: structuredContent = the text, in the documented field order', async (name) => {
    const { tools } = await client.listTools();
    const schema = tools.find((tool) => tool.name === name)!.outputSchema as { required: string[] };
    const result = await client.callTool({ name, arguments: { request: VALID[name]!.request!(me) } });
    expect(result.isError).toBeUndefined();
    const value = textOf(result);
    expect(result.structuredContent).toEqual(value);
    expect(Object.keys(value)).toEqual(schema.required);
    if ('count' in value) {
      const items = (value.users ?? value.mailboxes) as unknown[];
      expect(value.count).toBe(items.length);
      expect(value.count).toBeGreaterThan(0);
    }
  });

  it.each(Object.entries(INVALID))('calls %s with invalid arguments: a VALIDATION_ERROR result naming the field', async (name, [args, field]) => {
    const result = await client.callTool({ name, arguments: args as Record<string, unknown> });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    const error = textOf(result);
    expect(Object.keys(error)).toEqual(['code', 'message', 'userMessage', 'suggestedAction']);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
    for (const text of Object.values(error)) expect(text).toEqual(expect.stringMatching(/\S/));
  });

  it('gets a JSON-RPC error for an unknown tool (the key tools are not provided)', async () => {
    for (const name of ['connectivity_key_get-key', 'connectivity_key_list-keys', 'get-user-me']) {
      await expect(client.callTool({ name, arguments: { request: {} } })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool') });
    }
  });

  it('pings', async () => {
    await expect(client.ping()).resolves.toEqual({});
  });
});
