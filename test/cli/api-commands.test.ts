/**
 * The client CLI in subprocesses against a live server: a command for every
 * operation, tables by default and raw JSON with --json, exit codes 0 / 1
 * (API error, its message on stderr) / 2 (usage error).
 */
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/child-server.js';
import { runProcess } from '../support/process.js';
import { useWorldServer, type World } from '../support/world-server.js';
import type { TestServer } from '../support/server.js';
import { OPERATION_ROUTES } from '../../src/contract/operation-routes.js';
import { DEMO_LOGIN_PASSWORD } from '../../src/services/demo-data.js';
import type { KeyInfo } from '../../src/contract/keys.js';
import type { UserIDInfo } from '../../src/contract/users.js';

let server: TestServer;
let world: World;
useWorldServer((s, w) => ((server = s), (world = w)));

function cli(args: string[], options: { key?: string | null; input?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ECGRID_URL: server.url, ...options.env };
  if (options.key !== null) env.ECGRID_API_KEY = options.key ?? server.rootKey;
  return runProcess(process.execPath, [CLI, ...args], { env, input: options.input, timeoutMs: 30_000 });
}

describe('client CLI', () => {
  it('has a command for every operation of the contract table', async () => {
    const groups = new Map<string, string[]>();
    for (const route of Object.values(OPERATION_ROUTES)) {
      const [group, method] = route.client.split('.') as [string, string];
      groups.set(group, [...(groups.get(group) ?? []), method.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)]);
    }
    const helps = await Promise.all([...groups.keys()].map((group) => cli([group, '--help'])));
    [...groups.entries()].forEach(([group, commands], i) => {
      expect(helps[i]!.status, group).toBe(0);
      for (const command of commands) expect(helps[i]!.stdout, `${group} ${command}`).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    });
  });

  it('users get prints a readable table; --json prints the data', async () => {
    const table = await cli(['users', 'get', '1042']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^login\s+jsmith$/m);
    expect(table.stdout).toMatch(/^authLevel\s+MailboxAdmin$/m);
    const json = await cli(['users', 'get', '1042', '--json']);
    expect((JSON.parse(json.stdout) as UserIDInfo).login).toBe('jsmith');
  });

  it('users update --user-id … --email … changes the stored user (the seed call)', async () => {
    const result = await cli(['users', 'update', '--user-id', '1042', '--email', 'john.smith@example.com', '--first-name', 'John', '--last-name', 'Smith', '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ userId: 1042, email: 'john.smith@example.com' });
    expect((await server.store.users.findById(1042))?.email).toBe('john.smith@example.com');
  });

  it('users list --network-id --status filters; paged lists print their totals', async () => {
    const result = await cli(['users', 'list', '--network-id', String(world.netA.networkId), '--status', 'active']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^userId\s+login\s+email/);
    expect(lines.length).toBeGreaterThan(3);
    const networks = await cli(['networks', 'list'], { key: world.netAdminA.key });
    expect(networks.stdout).toMatch(/\(page 1, 25 per page, 1 in all\)/);
  });

  it('keys create makes a key that works; the call is made as the given credential', async () => {
    const result = await cli(['keys', 'create', '--user-id', String(world.mbUserA1.user.userId), '--visibility', 'shared', '--json'], { key: world.mbUserA1.key });
    expect(result.status, result.stderr).toBe(0);
    const key = JSON.parse(result.stdout) as KeyInfo;
    const me = await cli(['users', 'me', '--json'], { key: key.key });
    expect((JSON.parse(me.stdout) as UserIDInfo).userId).toBe(world.mbUserA1.user.userId);
  });

  it('auth login reads the password from standard input with `-`; the token works as --bearer', async () => {
    const login = await cli(['auth', 'login', '--login', 'jsmith@example.com', '--password', '-', '--json'], { key: null, input: `${DEMO_LOGIN_PASSWORD}\n` });
    expect(login.status, login.stderr).toBe(0);
    const { token } = JSON.parse(login.stdout) as { token: string };
    const session = await cli(['auth', 'session', '--bearer', token, '--json'], { key: null });
    expect(JSON.parse(session.stdout)).toMatchObject({ userId: 4821 });
  });

  it('API errors exit 1 with the errorCode and message on stderr', async () => {
    const missing = await cli(['users', 'get', '987654']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('ObjectNotFound (404): User 987654 not found.');
    const invalid = await cli(['users', 'update', '--user-id', '1042', '--email', 'nope']);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('InvalidParameter (400): email: must be a valid email address');
    const denied = await cli(['users', 'me'], { key: 'not-a-key' });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('InvalidAPIKey (401)');
  });

  it('usage errors exit 2 and send nothing', async () => {
    const before = (await server.store.users.findById(1043))!;
    for (const args of [
      ['users', 'update', '--email', 'x@example.com'],
      ['users', 'update', '--user-id', 'ten', '--first-name', 'X'],
      ['users', 'list', '--status', 'Sleeping'],
      ['users', 'get', '-5'],
      ['users', 'frobnicate'],
    ]) {
      const result = await cli(args);
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(2);
    }
    const noServer = await cli(['users', 'me'], { env: { ECGRID_URL: '' } });
    expect(noServer.status).toBe(2);
    expect(noServer.stderr).toContain('ECGRID_URL');
    expect(await server.store.users.findById(1043)).toEqual(before);
  });
});
