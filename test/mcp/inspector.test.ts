/**
 * MCP.md §8 #3: a client nobody here wrote — the MCP Inspector in CLI mode
 * (@modelcontextprotocol/inspector 1.0.x, `mcp-inspector --cli`) — lists the tools and calls one against a
 * running server. Should the Inspector not start on this Node, each test fails
 * with the reason: it is a devDependency, so not starting is a defect, not a skip.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_TOOL_NAMES } from '../support/mcp.js';
import { startTestServer, type TestServer } from '../support/server.js';

const require = createRequire(import.meta.url);
/** The `mcp-inspector` bin of @modelcontextprotocol/inspector (its CLI reads that package's package.json). */
const LAUNCHER = join(dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'cli', 'build', 'cli.js');

let server: TestServer;
let unusable: string | null = null;

/** Runs the Inspector; its output stays in memory (its command line carries the key). */
function inspector(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { timeout: 60_000, maxBuffer: 10 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  const probe = await inspector(['--help']);
  if (probe.code !== 0) unusable = `the MCP Inspector CLI does not start on Node ${process.versions.node}: ${probe.stderr.trim().split('\n').pop()}`;
}, 90_000);
afterAll(() => server?.close());

const connect = () => ['--cli', `${server.url}/mcp`, '--transport', 'http', '--header', `X-Connectivity-API-Key: ${server.rootKey}`];

describe('the MCP Inspector CLI', () => {
  it('lists the ten tools', async () => {
    expect(unusable).toBeNull();
    const run = await inspector([...connect(), '--method', 'tools/list']);
    expect(run.code, run.stderr.slice(-500)).toBe(0);
    const listed = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
    expect(listed.tools.map((tool: { name: string }) => tool.name)).toEqual([...MCP_TOOL_NAMES]);
  }, 90_000);

  it('calls get-user-by-id with the documented request wrapper', async () => {
    expect(unusable).toBeNull();
    const run = await inspector([...connect(), '--method', 'tools/call', '--tool-name', 'connectivity_user_get-user-by-id', '--tool-arg', 'request={"userId":1042}']);
    expect(run.code, run.stderr.slice(-500)).toBe(0);
    const result = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
    expect(result.isError).toBeUndefined();
    expect(JSON.parse(result.content[0].text)).toMatchObject({ userId: 1042, loginName: 'jsmith', networkId: 1, mailboxId: 101 });
    expect(result.structuredContent).toMatchObject({ userId: 1042 });
  }, 90_000);

  it('is refused without a credential', async () => {
    expect(unusable).toBeNull();
    const run = await inspector(['--cli', `${server.url}/mcp`, '--transport', 'http', '--method', 'tools/list']);
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/401|Unauthorized|UNAUTHORIZED/i);
  }, 90_000);
});
