/**
 * MCP.md §7, §8 #9: one log line per tool call (tool, outcome, duration,
 * caller, request id) and never an argument, a result or a credential — even
 * at trace level; the Prometheus counter moves per tool and outcome.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callToolRaw, mcpPost } from '../support/mcp.js';
import { createUser, startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/sessions.js';
import { recordSecret } from '../support/secret-record.js';
import { SecretMatcher } from '../support/secret-scan.js';
import { captureOutput, type RunLog } from '../support/test-run.js';

let server: TestServer;
let logs = '';
let runLog: RunLog | null;

beforeAll(async () => {
  const stream = new PassThrough();
  // Kept here for the assertions, and in the recorded run for the final secrets check.
  runLog = captureOutput(stream, 'mcp-trace', (chunk) => (logs += chunk));
  server = await startTestServer({ LOG_LEVEL: 'trace', ECGRID_DEMO: '1' }, stream);
});
afterAll(async () => {
  await server?.close();
  await runLog?.close();
});

const linesWithSecrets = (text: string, secrets: string[]) => {
  const matcher = new SecretMatcher(secrets.map((value) => ({ source: 'test', value })));
  return text.split('\n').filter((line) => matcher.find(line).length > 0).length;
};

const toolLines = (text: string) =>
  text.split('\n').filter((line) => line.includes('"msg":"mcp tool call"')).map((line) => JSON.parse(line) as Record<string, unknown>);

async function counter(tool: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`ecgrid_mcp_tool_calls_total{tool="${tool}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('MCP logging', () => {
  it('logs each tool call once, without arguments, results or credentials', async () => {
    const { user, key } = await createUser(server, { authLevel: 'MailboxAdmin', networkId: 1, mailboxId: 101 });
    const { token } = await login(server.url, user.login);
    const secret = `Secr3t-${randomUUID()}`;
    recordSecret('secret-looking MCP argument', secret);
    const before = logs.length;
    const calls: Array<[Record<string, string>, string, unknown]> = [
      [{ 'x-connectivity-api-key': key }, 'connectivity_system_hello-world', { request: { name: secret } }],
      [{ 'x-connectivity-api-key': key }, 'connectivity_user_get-user-by-login', { request: { loginName: secret } }],
      [{ 'x-api-key': key }, 'connectivity_user_list-users', { request: { name: secret.slice(0, 40) } }],
      [{ authorization: `Bearer ${token}` }, 'connectivity_user_get-user-by-id', { request: { userId: secret } }],
      [{ authorization: `Bearer ${token}` }, 'connectivity_user_get-user-me', { request: { password: secret, apiKey: secret } }],
    ];
    for (const [credential, name, args] of calls) await callToolRaw(server.url, credential, name, args);
    await mcpPost(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: `unknown-${'n'.repeat(100)}`, arguments: { request: { token: secret } } } }, { 'x-connectivity-api-key': key });
    // Let the log stream flush.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = logs.slice(before);
    expect(linesWithSecrets(logged, [key, token, secret]), 'log lines holding a credential or an argument').toBe(0);
    const lines = toolLines(logged);
    expect(lines.map((line) => [line.mcpTool, line.outcome])).toEqual([
      ['connectivity_system_hello-world', 'ok'],
      ['connectivity_user_get-user-by-login', 'NOT_FOUND'],
      ['connectivity_user_list-users', 'ok'],
      ['connectivity_user_get-user-by-id', 'VALIDATION_ERROR'],
      ['connectivity_user_get-user-me', 'ok'],
      [`unknown-${'n'.repeat(56)}`, 'UNKNOWN_TOOL'],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 30, userId: user.userId, reqId: expect.any(String) });
      if (line.outcome !== 'UNKNOWN_TOOL') expect(line.durationMs).toEqual(expect.any(Number));
    }
  });

  it('logs other methods by name', async () => {
    const before = logs.length;
    await mcpPost(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'x-connectivity-api-key': server.rootKey });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs.slice(before)).toContain('"mcpMethod":"tools/list"');
  });
});

describe('MCP metrics', () => {
  it('counts tool calls per tool and outcome, unknown names as tool="unknown"', async () => {
    const auth = { 'x-connectivity-api-key': server.rootKey };
    const okBefore = await counter('connectivity_system_get-version', 'ok');
    const notFoundBefore = await counter('connectivity_network_get-network-by-id', 'NOT_FOUND');
    const unknownBefore = await counter('unknown', 'UNKNOWN_TOOL');
    await callToolRaw(server.url, auth, 'connectivity_system_get-version', {});
    await callToolRaw(server.url, auth, 'connectivity_system_get-version', {});
    await callToolRaw(server.url, auth, 'connectivity_network_get-network-by-id', { networkId: 424242 });
    await mcpPost(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'connectivity_key_get-key', arguments: {} } }, auth);
    expect(await counter('connectivity_system_get-version', 'ok')).toBe(okBefore + 2);
    expect(await counter('connectivity_network_get-network-by-id', 'NOT_FOUND')).toBe(notFoundBefore + 1);
    expect(await counter('unknown', 'UNKNOWN_TOOL')).toBe(unknownBefore + 1);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/ecgrid_http_requests_total\{route="\/mcp",method="POST",status="200"\} \d+/);
    expect(text).not.toContain('connectivity_key_get-key');
  });
});
