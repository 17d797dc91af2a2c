/**
 * The operator commands as an operator runs them: the built CLI in child
 * processes, straight on a fresh database of the dialect under test, no API
 * key. Output, exit statuses (0 done, 1 refused/failed, 2 usage) and what is
 * stored afterwards — nothing when a command fails.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/child-server.js';
import { expectError, expectOk } from '../support/http.js';
import { runProcess } from '../support/process.js';
import { startTestServer } from '../support/server.js';
import type { TestDatabase } from '../support/test-db.js';
import { useFreshStore } from '../support/fresh-store.js';
import type { Store } from '../../src/store/store.js';
import { verifyPassword } from '../../src/security/passwords.js';
import type { AuditEventInfo } from '../../src/contract/audit.js';
import type { NetworkIDInfo } from '../../src/contract/tenancy.js';
import type { UserIDInfo } from '../../src/contract/users.js';

const MASTER_KEY = randomBytes(32).toString('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let database: TestDatabase;
let store: Store;

/** Only what a shell would pass, plus the database settings. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...database.env, ECGRID_MASTER_KEY: MASTER_KEY, ...extra };
}

function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return runProcess(process.execPath, [CLI, ...args], { env: cliEnv(options.env), input: options.input, timeoutMs: 30_000 });
}

/** How much is stored: a failed command must leave all of it as it was. */
async function counts() {
  const system = { kind: 'system' } as const;
  const page = { pageNo: 1, recordsPerPage: 1 };
  return {
    networks: (await store.networks.list(system, {}, page)).total,
    users: (await store.users.list(system, {}, page)).total,
    events: (await store.audit.list(system, {}, page)).total,
  };
}

async function lastEvent() {
  return (await store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 })).events[0]!;
}

useFreshStore((s, d) => ((store = s), (database = d)));

describe('help', () => {
  it('every command has --help (exit 0) listing its options; the program lists the commands', { timeout: 60_000 }, async () => {
    const expected: Array<[string[], string[]]> = [
      [[], ['network', 'user', 'key', 'audit', 'serve']],
      [['network', 'create'], ['--unique-id', '--company-name', '--status', '--state', '--website', '--json', '--db', '--database-url', '--master-key']],
      [['network', 'list'], ['--status', '--json', '--database-url']],
      [['user', 'create'], ['--login', '--email', '--level', '--network', '--mailbox', '--password-stdin', '--json']],
      [['key', 'rotate'], ['--user', '--db']],
      [['audit', 'tail'], ['--lines', '--follow', '--json']],
    ];
    const results = await Promise.all(expected.map(([command]) => cli([...command, '--help'])));
    results.forEach((result, i) => {
      expect(result.status, result.stderr).toBe(0);
      for (const word of expected[i]![1]) expect(result.stdout).toContain(word);
    });
  });
});

describe('network create and list', () => {
  it('creates a network, prints it, stores it and audits it as the operator (actor 0)', async () => {
    const result = await cli(['network', 'create', '--unique-id', 'OPNET1', '--company-name', 'Operator Network', '--state', 'ny', '--city', 'Albany']);
    expect(result.status, result.stderr).toBe(0);
    const match = /^Created network (\d+) OPNET1 "Operator Network" \(Active\)\.\n$/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const networkId = Number(match![1]);
    expect(await store.networks.findById(networkId)).toMatchObject({ uniqueId: 'OPNET1', companyName: 'Operator Network', status: 'Active', state: 'NY', city: 'Albany' });
    expect(await lastEvent()).toMatchObject({
      actorUserId: 0,
      action: 'network.create',
      targetType: 'network',
      targetId: networkId,
      changes: { uniqueId: { old: null, new: 'OPNET1' }, state: { old: null, new: 'NY' } },
      requestId: expect.stringMatching(/^cli-/),
    });
  });

  it('--json prints the NetworkIDInfo; --status sets the status', async () => {
    const result = await cli(['network', 'create', '--unique-id', 'OPNET2', '--company-name', 'Second', '--status', 'development', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const network = JSON.parse(result.stdout) as NetworkIDInfo;
    expect(network).toMatchObject({ uniqueId: 'OPNET2', companyName: 'Second', status: 'Development' });
    expect((await store.networks.findById(network.networkId))?.status).toBe('Development');
  });

  it('a taken uniqueId (any case) fails with 1 and writes nothing', async () => {
    const before = await counts();
    const result = await cli(['network', 'create', '--unique-id', 'opnet1', '--company-name', 'Again']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--unique-id: "opnet1" already exists');
    expect(result.stdout).toBe('');
    expect(await counts()).toEqual(before);
  });

  it('bad command lines exit with 2, name the option, and write nothing', { timeout: 90_000 }, async () => {
    const before = await counts();
    const cases: Array<[string[], string]> = [
      [['network', 'create', '--unique-id', 'bad id!', '--company-name', 'X'], '--unique-id:'],
      [['network', 'create', '--unique-id', 'THIRTEENCHARS', '--company-name', 'X'], '--unique-id:'],
      [['network', 'create', '--unique-id', 'OK1', '--company-name', 'X', '--website', 'ftp://x.example'], '--website:'],
      [['network', 'create', '--unique-id', 'OK1', '--company-name', 'X', '--state', 'New York'], '--state:'],
      [['network', 'create', '--unique-id', 'OK1', '--company-name', 'X', '--status', 'Closed'], '--status:'],
      [['network', 'create', '--unique-id', 'OK1', '--company-name', '   '], '--company-name:'],
      [['network', 'create', '--unique-id', 'OK1'], "required option '--company-name"],
      [['network', 'create', '--unique-id', 'OK1', '--company-name', 'X', '--colour', 'red'], "unknown option '--colour'"],
      [['network', 'list', '--status', 'Gone'], '--status:'],
      [['network'], 'Usage:'],
      [['network', 'frobnicate'], 'frobnicate'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((result, i) => {
      expect({ args: cases[i]![0], status: result.status }).toEqual({ args: cases[i]![0], status: 2 });
      expect(result.stderr).toContain(cases[i]![1]);
    });
    expect(await counts()).toEqual(before);
  });

  it('lists every network by id, as a table or as JSON, optionally by status', async () => {
    const table = await cli(['network', 'list']);
    expect(table.status, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^networkId\s+uniqueId\s+status\s+companyName$/);
    expect(lines.some((line) => /^\d+\s+OPNET1\s+Active\s+Operator Network$/.test(line))).toBe(true);

    const json = await cli(['network', 'list', '--json']);
    const listed = JSON.parse(json.stdout) as NetworkIDInfo[];
    const stored = await store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 500 });
    expect(listed.map((n) => n.networkId)).toEqual(stored.networks.map((n) => n.networkId));
    expect(lines).toHaveLength(stored.total + 1);

    const development = JSON.parse((await cli(['network', 'list', '--status', 'Development', '--json'])).stdout) as NetworkIDInfo[];
    expect(development.map((n) => n.uniqueId)).toEqual(['OPNET2']);
  });
});

describe('user create', () => {
  it('creates a Root (no network), audited as the operator, and says how to give it a key', async () => {
    const result = await cli(['user', 'create', '--login', 'ops', '--email', 'ops@example.com', '--level', 'root', '--first-name', 'Ops']);
    expect(result.status, result.stderr).toBe(0);
    const match = /^Created user (\d+) "ops" \(Root, network 0, mailbox 0\)\.\n$/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const userId = Number(match![1]);
    expect(result.stderr).toContain(`key rotate --user ${userId}`);
    expect(await store.users.findById(userId)).toMatchObject({ login: 'ops', authLevel: 'Root', networkId: 0, mailboxId: 0, status: 'Active', firstName: 'Ops' });
    expect(await lastEvent()).toMatchObject({ actorUserId: 0, action: 'user.create', targetId: userId, changes: { authLevel: { old: null, new: 'Root' } } });
  });

  it('places a user in a network and mailbox with the password read from standard input (--json)', async () => {
    const network = (await store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 500 })).networks.find((n) => n.uniqueId === 'OPNET1')!;
    const mailbox = await store.transaction((tx) =>
      tx.mailboxes.insert({ networkId: network.networkId, uniqueId: 'OPBOX1', companyName: 'Box', status: 'Active', created: new Date().toISOString() }),
    );
    const args = ['user', 'create', '--login', 'boxuser', '--email', 'box@example.com', '--level', 'MailboxUser', '--network', String(network.networkId), '--mailbox', String(mailbox.mailboxId), '--password-stdin', '--json'];
    const result = await cli(args, { input: 'Cl1-Passw0rd!\n' });
    expect(result.status, result.stderr).toBe(0);
    const user = JSON.parse(result.stdout) as UserIDInfo;
    expect(user).toMatchObject({ login: 'boxuser', authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId, status: 'Active' });
    const hash = (await store.users.findPasswordHash(user.userId))!;
    expect(await verifyPassword(hash, 'Cl1-Passw0rd!')).toBe(true);
    expect(JSON.stringify(await lastEvent())).not.toContain('Cl1-Passw0rd!');
  });

  it('refusals by the rules (duplicate login, missing network, level without mailbox) fail with 1 and write nothing', async () => {
    const before = await counts();
    const cases: Array<[string[], string]> = [
      [['user', 'create', '--login', 'OPS', '--email', 'x@example.com', '--level', 'Root'], '--login: "OPS" already exists'],
      [['user', 'create', '--login', 'nobody1', '--email', 'x@example.com', '--network', '999999', '--level', 'NetworkUser'], '--network: no such network'],
      [['user', 'create', '--login', 'nobody2', '--email', 'x@example.com', '--level', 'MailboxUser'], '--network:'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((result, i) => {
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toContain(cases[i]![1]);
    });
    expect(await counts()).toEqual(before);
  });

  it('bad values exit with 2 naming the option, and write nothing', { timeout: 90_000 }, async () => {
    const before = await counts();
    const cases: Array<[string[], string, string?]> = [
      [['user', 'create', '--login', 'bad login', '--email', 'x@example.com'], '--login:'],
      [['user', 'create', '--login', 'okay', '--email', 'not-an-address'], '--email:'],
      [['user', 'create', '--login', 'okay', '--email', 'x@example.com', '--level', 'Emperor'], '--level:'],
      [['user', 'create', '--login', 'okay', '--email', 'x@example.com', '--network', 'one'], '--network:'],
      [['user', 'create', '--login', 'okay', '--email', 'x@example.com', '--password-stdin'], '--password-stdin:', 'weak\n'],
      [['user', 'create', '--email', 'x@example.com'], "required option '--login"],
    ];
    const results = await Promise.all(cases.map(([args, , input]) => cli(args, { input })));
    results.forEach((result, i) => {
      expect(result.status, `${cases[i]![0].join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(cases[i]![1]);
    });
    expect(await counts()).toEqual(before);
  });
});

describe('user set-role', () => {
  it('changes a level and moves the user, audited as the operator; refusals fail with 1 and write nothing', async () => {
    const network = (await store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 500 })).networks.find((n) => n.uniqueId === 'OPNET1')!;
    const created = await cli(['user', 'create', '--login', 'promoted', '--email', 'p@example.com', '--level', 'NetworkUser', '--network', String(network.networkId), '--json']);
    expect(created.status, created.stderr).toBe(0);
    const userId = (JSON.parse(created.stdout) as UserIDInfo).userId;

    const result = await cli(['user', 'set-role', '--user', String(userId), '--level', 'networkadmin']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`User ${userId} "promoted" is now NetworkAdmin (network ${network.networkId}, mailbox 0).\n`);
    expect(await store.users.findById(userId)).toMatchObject({ authLevel: 'NetworkAdmin', networkId: network.networkId, mailboxId: 0 });
    expect(await lastEvent()).toMatchObject({ actorUserId: 0, action: 'user.role', targetId: userId, changes: { authLevel: { old: 'NetworkUser', new: 'NetworkAdmin' } } });

    const root = await cli(['user', 'set-role', '--user', String(userId), '--level', 'Root', '--network', '0', '--json']);
    expect(root.status, root.stderr).toBe(0);
    expect(JSON.parse(root.stdout)).toMatchObject({ userId, authLevel: 'Root', networkId: 0, mailboxId: 0 });

    const before = await counts();
    const versionBefore = (await store.users.findById(userId))!.version;
    const refused = await cli(['user', 'set-role', '--user', String(userId), '--level', 'MailboxUser', '--network', String(network.networkId)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('--mailbox:');
    const missing = await cli(['user', 'set-role', '--user', '987654', '--level', 'General']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('User 987654 not found');
    const usage = await cli(['user', 'set-role', '--user', String(userId), '--level', 'NoChange']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--level:');
    expect(await counts()).toEqual(before);
    expect((await store.users.findById(userId))!.version).toBe(versionBefore);
  });
});

describe('key rotate', () => {
  it('prints a new primary key once; it works over the API at once and the previous one stops', async () => {
    const ops = (await store.users.findByLogin('ops', { kind: 'system' }))[0]!;
    const first = await cli(['key', 'rotate', '--user', String(ops.userId)]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const oldKey = first.stdout.trim();
    expect(oldKey).toMatch(UUID);
    expect(first.stderr).toContain('printed only this once');
    expect(await lastEvent()).toMatchObject({ actorUserId: 0, action: 'key.generate-primary', targetType: 'key' });

    const second = await cli(['key', 'rotate', '--user', String(ops.userId)]);
    const newKey = second.stdout.trim();
    expect(newKey).toMatch(UUID);
    expect(newKey).not.toBe(oldKey);

    // A server on the same database and master key: the operator has recovered access.
    const server = await startTestServer({ ...database.env, ECGRID_MASTER_KEY: MASTER_KEY });
    try {
      const me = expectOk(await server.api.as(newKey).get<UserIDInfo>('/v2/users/me'));
      expect(me).toMatchObject({ userId: ops.userId, authLevel: 'Root' });
      expect(expectOk(await server.api.as(newKey).get<string>(`/v2/users/key/${ops.userId}`))).toBe(newKey);
      expectError(await server.api.as(oldKey).get('/v2/users/me'), 401, 'InvalidAPIKey');
    } finally {
      await server.stop();
      await server.database.drop();
    }
  });

  it('an unknown or Terminated user fails with 1; a bad or missing --user is a usage error (2); nothing written', async () => {
    const victim = await store.transaction((tx) =>
      tx.users.insert({
        login: 'gone', email: 'gone@example.com', firstName: '', lastName: '', networkId: 0, mailboxId: 0, authLevel: 'TechOps',
        status: 'Terminated', passwordHash: 'x', created: new Date().toISOString(),
      }),
    );
    const before = await counts();
    const [unknown, terminated, word, missing] = await Promise.all([
      cli(['key', 'rotate', '--user', '999999']),
      cli(['key', 'rotate', '--user', String(victim.userId)]),
      cli(['key', 'rotate', '--user', 'root']),
      cli(['key', 'rotate']),
    ]);
    expect([unknown.status, terminated.status, word.status, missing.status]).toEqual([1, 1, 2, 2]);
    expect(unknown.stderr).toContain('User 999999 not found.');
    expect(terminated.stderr).toContain(`--user: user ${victim.userId} is Terminated`);
    expect(word.stderr).toContain('--user: must be an integer');
    expect(missing.stderr).toContain("required option '--user");
    for (const result of [unknown, terminated, word, missing]) expect(result.stdout).toBe('');
    expect(await counts()).toEqual(before);
    expect(await store.keys.listLive(victim.userId)).toEqual([]);
  });
});

describe('audit tail', () => {
  it('prints the most recent events oldest first, as lines or JSON', async () => {
    expect((await cli(['network', 'create', '--unique-id', 'TAILED', '--company-name', 'Tailed'])).status).toBe(0);
    const text = await cli(['audit', 'tail', '-n', '3']);
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  #\d+  operator  network\.create  network \d+  uniqueId: null → "TAILED"/);

    const json = await cli(['audit', 'tail', '--lines', '5', '--json']);
    const events = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as AuditEventInfo);
    expect(events).toHaveLength(5);
    const ids = events.map((e) => e.eventId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const stored = (await store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 5 })).events;
    expect(ids).toEqual(stored.map((e) => e.eventId).reverse());
    expect(events.at(-1)).toMatchObject({ actorUserId: 0, action: 'network.create', requestId: expect.stringMatching(/^cli-/) });
  });

  it('--follow prints new events as they happen and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'audit', 'tail', '-n', '1', '--follow', '--interval', '200'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (predicate: () => boolean, what: string) => {
      for (let waited = 0; !predicate(); waited += 50) {
        if (waited > 20_000) throw new Error(`timed out waiting for ${what}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await waitFor(() => stderr.includes('Following'), 'the follow loop');
      const created = await cli(['network', 'create', '--unique-id', 'FOLLOWED', '--company-name', 'Seen live']);
      expect(created.status, created.stderr).toBe(0);
      await waitFor(() => stdout.includes('network.create') && stdout.includes('"FOLLOWED"'), 'the new event');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('--lines out of range is a usage error', async () => {
    const results = await Promise.all([cli(['audit', 'tail', '-n', '0']), cli(['audit', 'tail', '--lines', 'many'])]);
    for (const result of results) {
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('--lines:');
    }
  });
});

describe('configuration', () => {
  it('bad settings exit with 2; an unreachable database exits with 1 and says which', async () => {
    const [badUrl, noMasterKey, unreachable] = await Promise.all([
      cli(['network', 'list'], { env: { DATABASE_URL: 'mysql://db/x' } }),
      cli(['network', 'list'], { env: { DATABASE_URL: 'postgres://127.0.0.1:1/x', ECGRID_MASTER_KEY: '' } }),
      cli(['network', 'list'], { env: { DATABASE_URL: 'postgres://ecgrid:secret@127.0.0.1:1/x' } }),
    ]);
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('DATABASE_URL:');
    expect(noMasterKey.status).toBe(2);
    expect(noMasterKey.stderr).toContain('ECGRID_MASTER_KEY:');
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the PostgreSQL database postgres://ecgrid:***@127.0.0.1:1/x');
    expect(unreachable.stderr).not.toContain('secret');
  });

  it('the flags --db / --master-key-file work like the variables; a new SQLite database is created and migrated, its key file 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecgrid-cli-'));
    try {
      const db = join(dir, 'data', 'ops.db');
      const env = { PATH: process.env.PATH, HOME: process.env.HOME };
      const created = await runProcess(process.execPath, [CLI, 'user', 'create', '--login', 'first', '--email', 'first@example.com', '--level', 'Root', '--db', db], { env });
      expect(created.status, created.stderr).toBe(0);
      const rotated = await runProcess(process.execPath, [CLI, 'key', 'rotate', '--user', '1', '--db', db], { env });
      expect(rotated.status, rotated.stderr).toBe(0);
      expect(statSync(join(dir, 'data', 'master.key')).mode & 0o777).toBe(0o600);
      const listed = await runProcess(process.execPath, [CLI, 'audit', 'tail', '--json', '--db', db], { env });
      expect(listed.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as AuditEventInfo).action)).toEqual(['user.create', 'key.generate-primary']);
      // An explicit key file elsewhere is used instead (and created 0600 too).
      const keyFile = join(dir, 'keys', 'other.key');
      const other = await runProcess(process.execPath, [CLI, 'network', 'create', '--unique-id', 'X1', '--company-name', 'X', '--db', join(dir, 'b.db'), '--master-key-file', keyFile], { env });
      expect(other.status, other.stderr).toBe(0);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
