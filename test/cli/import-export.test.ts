/**
 * `ecgrid-identity import` and `export` as an operator runs them: the built CLI
 * in child processes on real databases of the dialect under test. A file
 * exported and imported into an empty database comes back field for field; bad
 * rows of every kind are reported by line and field with the API's words, and
 * without --continue-on-error leave every table exactly as it was (a dump of
 * every table, test/support/fuzz-db-dump.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/child-server.js';
import { describeChanges, dumpText, openDumper, type Dumper } from '../support/fuzz-db-dump.js';
import { runProcess } from '../support/process.js';
import { recordSecret } from '../support/secret-record.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { useFreshStore } from '../support/fresh-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import type { NewUser } from '../../src/store/queries/users.js';
import type { User } from '../../src/domain/types.js';
import { NO_PASSWORD_HASH, verifyPassword } from '../../src/security/passwords.js';
import { PASSWORD_POLICY_TEXT } from '../../src/domain/password-policy.js';

const MASTER_KEY = randomBytes(32).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'ecgrid-import-'));
const HEADER = 'login,email,firstName,lastName,company,phone,cellPhone,cellCarrier,timeZoneOffset,networkId,mailboxId,authLevel,status,password';

let source: TestDatabase;
let store: Store;
let dumper: Dumper;
/** Networks and mailboxes of the source database (the target databases get the same ids). */
let net: { a: number; b: number; a1: number; a2: number; b1: number };

useFreshStore((s, d) => ((store = s), (source = d)));

function cli(database: TestDatabase, args: string[]) {
  return runProcess(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...database.env, ECGRID_MASTER_KEY: MASTER_KEY },
    timeoutMs: 120_000,
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Users of every level, status and kind of text a file must carry. */
function sampleUsers(): NewUser[] {
  const base = { passwordHash: NO_PASSWORD_HASH, created: now, firstName: '', lastName: '' };
  return [
    { ...base, login: 'ops.root', email: 'root@example.com', networkId: 0, mailboxId: 0, authLevel: 'Root', status: 'Active', firstName: 'Ops' },
    { ...base, login: 'netops', email: 'netops@example.com', networkId: 0, mailboxId: 0, authLevel: 'NetOps', status: 'Suspended' },
    { ...base, login: 'a.admin', email: 'admin@a.example', networkId: net.a, mailboxId: 0, authLevel: 'NetworkAdmin', status: 'Active', firstName: 'Ann, "the boss"', lastName: 'Line one\nline two', company: 'Acme, Inc.', phone: '+1 (312) 555-0100', cellPhone: '3125550142', cellCarrier: 'Verizon', timeZoneOffset: -5.5 },
    { ...base, login: 'a.viewer', email: 'viewer@a.example', networkId: net.a, mailboxId: net.a1, authLevel: 'NetworkUser', status: 'Active', firstName: 'Zoë', lastName: '日本', timeZoneOffset: 14 },
    { ...base, login: 'a1.box', email: 'box@a.example', networkId: net.a, mailboxId: net.a1, authLevel: 'MailboxAdmin', status: 'Terminated', company: 'Box & Co', cellCarrier: 'ATT', timeZoneOffset: 0 },
    { ...base, login: 'a2.user+tag@x', email: 'user@a.example', networkId: net.a, mailboxId: net.a2, authLevel: 'MailboxUser', status: 'Active', timeZoneOffset: -12 },
    { ...base, login: 'a2.tp', email: 'tp@a.example', networkId: net.a, mailboxId: net.a2, authLevel: 'TPUser', status: 'Suspended', phone: '555' },
    { ...base, login: 'b.general', email: 'general@b.example', networkId: net.b, mailboxId: net.b1, authLevel: 'General', status: 'Active' },
    { ...base, login: 'shared', email: 'shared@b.example', networkId: net.b, mailboxId: 0, authLevel: 'NetworkUser', status: 'Active' },
    { ...base, login: 'Shared', email: 'shared@a.example', networkId: net.a, mailboxId: 0, authLevel: 'NetworkUser', status: 'Active' },
  ];
}

/** A database like the source: the same networks and mailboxes under the same ids, and no users. */
async function emptyTarget(): Promise<{ database: TestDatabase; store: Store }> {
  const database = await freshDatabase();
  const target = openStore({ databaseUrl: database.databaseUrl, sqliteFile: database.sqliteFile });
  await target.transaction(async (tx) => {
    for (const networkId of [net.a, net.b]) {
      const network = (await store.networks.findById(networkId))!;
      await tx.networks.insert({ networkId, uniqueId: network.uniqueId, companyName: network.companyName, status: network.status, created: now });
    }
    for (const mailboxId of [net.a1, net.a2, net.b1]) {
      const mailbox = (await store.mailboxes.findById(mailboxId))!;
      await tx.mailboxes.insert({ mailboxId, networkId: mailbox.networkId, uniqueId: mailbox.uniqueId, companyName: mailbox.companyName, status: mailbox.status, created: now });
    }
  });
  return { database, store: target };
}

const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await store.transaction(async (tx) => {
    const a = await tx.networks.insert({ uniqueId: 'IMPA', companyName: 'Import A', status: 'Active', created: now });
    const b = await tx.networks.insert({ uniqueId: 'IMPB', companyName: 'Import B', status: 'Active', created: now });
    const a1 = await tx.mailboxes.insert({ networkId: a.networkId, uniqueId: 'A1', companyName: 'A one', status: 'Active', created: now });
    const a2 = await tx.mailboxes.insert({ networkId: a.networkId, uniqueId: 'A2', companyName: 'A two', status: 'Active', created: now });
    const b1 = await tx.mailboxes.insert({ networkId: b.networkId, uniqueId: 'B1', companyName: 'B one', status: 'Active', created: now });
    net = { a: a.networkId, b: b.networkId, a1: a1.mailboxId, a2: a2.mailboxId, b1: b1.mailboxId };
  });
  await store.transaction((tx) => tx.users.insertMany(sampleUsers()));
  dumper = await openDumper(source);
});

afterAll(async () => {
  await dumper?.close();
  for (const step of cleanup) await step();
  rmSync(dir, { recursive: true, force: true });
});

describe('export → import round trip', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    it(`${format}: an export imported into an empty database exports the very same file; every field but the password is kept`, { timeout: 120_000 }, async () => {
      const exported = join(dir, `source.${format}`);
      const out = await cli(source, ['export', '--to', exported]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toBe(`Exported 10 users to ${exported} in ${/in (\d+\.\d) s/.exec(out.stdout)?.[1]} s.\n`);
      expect(out.stderr).toBe('');
      const text = readFileSync(exported, 'utf8');
      if (format === 'csv') expect(text.split('\n')[0]).toBe(HEADER.replace(',password', ''));
      expect(text).not.toContain('password');

      const target = await emptyTarget();
      cleanup.push(async () => (await target.store.close(), await target.database.drop()));
      const imported = await cli(target.database, ['import', '--from', exported]);
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/^Imported 10 users from .* \(10 rows read, 10 valid, 0 rejected\)\.\n$/);
      expect(imported.stderr).toBe('');

      const again = join(dir, `target.${format}`);
      expect((await cli(target.database, ['export', '--to', again])).status).toBe(0);
      expect(readFileSync(again, 'utf8')).toBe(text);

      // Field by field, as stored (the export could hide a loss in both directions).
      const system = { kind: 'system' } as const;
      const page = { pageNo: 1, recordsPerPage: 100 };
      const fields = (u: User) => {
        const { userId: _u, created: _c, modified: _m, version: _v, lastLogin: _l, ...rest } = u;
        return rest;
      };
      const before = (await store.users.list(system, {}, page)).users.map(fields);
      const after = (await target.store.users.list(system, {}, page)).users.map(fields);
      expect(after).toEqual(before);
      for (const user of (await target.store.users.list(system, {}, page)).users) {
        expect(await target.store.users.findPasswordHash(user.userId)).toBe(NO_PASSWORD_HASH);
      }
      // One audit event per user, by the operator, naming what was created.
      const events = await target.store.audit.list(system, { actorUserId: 0 }, page);
      expect(events.total).toBe(10);
      expect(events.events.every((e) => e.action === 'user.create' && e.requestId.startsWith('cli-'))).toBe(true);
      const admin = events.events.find((e) => (e.changes.login as { new: string }).new === 'a.admin')!;
      expect(admin.changes).toMatchObject({ lastName: { old: null, new: 'Line one\nline two' }, timeZoneOffset: { old: null, new: -5.5 }, authLevel: { old: null, new: 'NetworkAdmin' } });
    });
  }

  it('export --network N writes that network only; import --network N places rows without a network there and rejects other networks', { timeout: 120_000 }, async () => {
    const exported = join(dir, 'network-b.jsonl');
    expect((await cli(source, ['export', '--to', exported, '--network', String(net.b)])).status).toBe(0);
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { login: string; networkId: number });
    expect(lines.map((l) => l.login)).toEqual(['b.general', 'shared']);

    const target = await emptyTarget();
    cleanup.push(async () => (await target.store.close(), await target.database.drop()));
    const path = file('network.csv', `login,email,mailboxId,authLevel\nnew.one,one@b.example,${net.b1},MailboxUser\nnew.two,two@b.example,,NetworkUser\n`);
    const result = await cli(target.database, ['import', '--from', path, '--network', String(net.b)]);
    expect(result.status, result.stderr).toBe(0);
    const stored = await target.store.users.findByLogin('new.one', { kind: 'system' });
    expect(stored[0]).toMatchObject({ networkId: net.b, mailboxId: net.b1, authLevel: 'MailboxUser', status: 'Active' });

    const other = file('other-network.csv', `login,email,networkId,authLevel\nthird,three@a.example,${net.a},NetworkUser\n`);
    const refused = await cli(target.database, ['import', '--from', other, '--network', String(net.b)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`line 2: networkId: must be ${net.b} (the import is limited to --network ${net.b})\n`);
  });
});

describe('passwords', () => {
  it('are hashed with argon2id, work for logging in, and never appear in output or audit', { timeout: 120_000 }, async () => {
    const passwords = ['Imp0rt!One', 'Imp0rt!Two', 'Imp0rt!Three'];
    passwords.forEach((p) => recordSecret('import file password', p));
    const path = file('passwords.jsonl', passwords.map((password, i) => JSON.stringify({ login: `pw${i}`, email: `pw${i}@a.example`, networkId: net.a, authLevel: 'NetworkUser', password })).join('\n'));
    const result = await cli(source, ['import', '--from', path]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 passwords hashed');
    for (const [i, password] of passwords.entries()) {
      const user = (await store.users.findByLogin(`pw${i}`, { kind: 'system' }))[0]!;
      const hash = (await store.users.findPasswordHash(user.userId))!;
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(hash, password)).toBe(true);
      expect(result.stdout + result.stderr).not.toContain(password);
    }
    const audit = JSON.stringify(await store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 50 }));
    for (const password of passwords) expect(audit).not.toContain(password);
    // A user imported without one has no usable password: nothing matches it.
    expect(await verifyPassword(NO_PASSWORD_HASH, '')).toBe(false);
    expect(await verifyPassword(NO_PASSWORD_HASH, NO_PASSWORD_HASH)).toBe(false);
  });
});

describe('progress', () => {
  it('on a terminal shows bars with done/total, rate and time left; not on one, only the summary line', { timeout: 120_000 }, async () => {
    recordSecret('import file password', 'Tty!Passw0rd');
    const rows = [0, 1, 2].map((i) => `tty${i},tty${i}@a.example,,,,,,,,${net.a},0,NetworkUser,,${i === 0 ? 'Tty!Passw0rd' : ''}`);
    const path = file('tty.csv', `${HEADER}\n${rows.join('\n')}\n`);
    // `script` gives the command a terminal (a pseudo-terminal) for its output.
    const command = [process.execPath, CLI, 'import', '--from', path].join(' ');
    const result = await runProcess('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...source.env, ECGRID_MASTER_KEY: MASTER_KEY },
      timeoutMs: 120_000,
    });
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/checking \[[^\]]*\] 3\/3 rows \| [\d,]+\/s \| \d+s left/);
    expect(result.stdout).toMatch(/hashing passwords \[[^\]]*\] 1\/1 passwords/);
    expect(result.stdout).toMatch(/writing \[[^\]]*\] 3\/3 users/);
    expect(result.stdout).toContain('Imported 3 users from');
    expect(result.stdout).not.toContain('Tty!Passw0rd');
  });
});

describe('bad rows', () => {
  const weak = 'weakpass1';

  /** One file with a bad row of every kind; the good rows are g1…g3. */
  function badCsv(): Buffer {
    recordSecret('import file password', 'G00d!Passw0rd');
    const rows = [
      HEADER,
      `g1,g1@a.example,"Quoted, with comma","two\nlines",,,,,,${net.a},${net.a1},MailboxUser,,`, // lines 2–3
      `bad.email,not-an-address,,,,,,,,${net.a},0,NetworkUser,,`, // 4
      `g2,g2@a.example,,,,,,,,${net.a},0,NetworkUser,Suspended,G00d!Passw0rd`, // 5
      `G1,dup@a.example,,,,,,,,${net.a},${net.a1},MailboxUser,,`, // 6: g1 again in the file
      `A.ADMIN,taken@a.example,,,,,,,,${net.a},0,NetworkUser,,`, // 7: exists in the database
      `nonet,nonet@a.example,,,,,,,,987654,0,NetworkUser,,`, // 8
      `nobox,nobox@a.example,,,,,,,,${net.a},0,MailboxUser,,`, // 9: level needs a mailbox
      `wrongbox,wrongbox@a.example,,,,,,,,${net.a},${net.b1},MailboxUser,,`, // 10: mailbox of another network
      `weak,weak@a.example,,,,,,,,${net.a},0,NetworkUser,,${weak}`, // 11
      `badlevel,badlevel@a.example,,,,,,,,${net.a},0,Emperor,,`, // 12
      `short,short@a.example,${net.a}`, // 13
      `g3,g3@a.example,,,,,,Verizon,5.75,${net.b},${net.b1},General,,`, // 14
      `badtz,badtz@a.example,,,,,,,3.3,${net.a},0,NetworkUser,,`, // 15
    ].join('\n');
    const latin1 = Buffer.from(`latin,latin@a.example,Ren`, 'utf8');
    return Buffer.concat([Buffer.from(`${rows}\n`), latin1, Buffer.from([0xe9]), Buffer.from(`,,,,,,,${net.a},0,NetworkUser,,\n`)]); // 16
  }

  const expected = () => [
    'line 4: email: must be a valid email address',
    'line 6: login: "G1" appears more than once in network ' + net.a + ' of the file (first on line 2)',
    `line 7: login: "A.ADMIN" already exists in network ${net.a}`,
    'line 8: networkId: no such network',
    'line 9: mailboxId: a MailboxUser must belong to a mailbox',
    'line 10: mailboxId: no such mailbox in this network',
    `line 11: password: ${PASSWORD_POLICY_TEXT}`,
    'line 12: authLevel: must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser, General, NoChange',
    'line 13: has 3 fields where the header has 14',
    'line 15: timeZoneOffset: must be a multiple of 0.25',
    'line 16: firstName: is not UTF-8 text (save the file as UTF-8)',
  ];

  it('are each reported by line and field, and without --continue-on-error nothing is written', { timeout: 120_000 }, async () => {
    const path = file('bad.csv', badCsv());
    const before = await dumper.dump();
    const result = await cli(source, ['import', '--from', path]);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual(expected());
    expect(result.stdout).toBe('Nothing imported: 14 rows read, 3 valid, 11 rejected (fix them, or use --continue-on-error to import the valid rows).\n');
    expect(result.stdout + result.stderr).not.toContain(weak);
    const after = await dumper.dump();
    expect(dumpText(after), describeChanges(before, after)).toBe(dumpText(before));

    const dry = await cli(source, ['import', '--from', path, '--dry-run', '--continue-on-error']);
    expect(dry.status).toBe(1);
    expect(dry.stderr.trimEnd().split('\n')).toEqual(expected());
    expect(dry.stdout).toMatch(/^Dry run: 14 rows read, 3 valid, 11 rejected in \d+\.\d s; nothing written\.\n$/);
    expect(dumpText(await dumper.dump())).toBe(dumpText(before));
  });

  it('with --continue-on-error the good rows are written (and audited), the rest reported', { timeout: 120_000 }, async () => {
    // The same file with other good logins (latin1 keeps the bad byte a bad byte).
    const path = file('bad-continue.csv', Buffer.from(badCsv().toString('latin1').replace(/\bg(\d)\b/g, 'c$1').replace(/\bG1\b/, 'C1'), 'latin1'));
    const events = (await store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 })).total;
    const result = await cli(source, ['import', '--from', path, '--continue-on-error']);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual(expected().map((line) => line.replace('"G1"', '"C1"')));
    expect(result.stdout).toMatch(/^Imported 3 users from .* \(14 rows read, 3 valid, 11 rejected; 1 password hashed\)\.\n$/);
    const c1 = (await store.users.findByLogin('c1', { kind: 'system' }))[0]!;
    expect(c1).toMatchObject({ firstName: 'Quoted, with comma', lastName: 'two\nlines', networkId: net.a, mailboxId: net.a1 });
    expect((await store.users.findByLogin('c2', { kind: 'system' }))[0]).toMatchObject({ status: 'Suspended', authLevel: 'NetworkUser' });
    expect((await store.users.findByLogin('c3', { kind: 'system' }))[0]).toMatchObject({ authLevel: 'General', cellCarrier: 'Verizon', timeZoneOffset: 5.75 });
    for (const login of ['bad.email', 'nonet', 'nobox', 'wrongbox', 'weak', 'badlevel', 'short', 'badtz', 'latin']) {
      expect(await store.users.findByLogin(login, { kind: 'system' })).toEqual([]);
    }
    expect((await store.audit.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 1 })).total).toBe(events + 3);
  });

  it('JSON Lines: not JSON, not an object, an unknown field, a field given twice — by line, the text never echoed', { timeout: 60_000 }, async () => {
    recordSecret('import file password', 'Secr3t!InBrokenJson');
    const path = file('bad.jsonl', [
      JSON.stringify({ login: 'j1', email: 'j1@a.example', networkId: net.a, authLevel: 'NetworkUser' }),
      '{"login": "j2", "password": "Secr3t!InBrokenJson", ',
      '[1, 2]',
      JSON.stringify({ login: 'j3', email: 'j3@a.example', networkId: net.a, authLevel: 'NetworkUser', passwd: 'x' }),
      '{"login": "j4", "LOGIN": "j5", "email": "j4@a.example"}',
      '',
      JSON.stringify({ login: 'j6', email: 'j6@a.example', networkId: String(net.a), authLevel: 'networkuser', firstName: null }),
    ].join('\n'));
    const before = await dumper.dump();
    const result = await cli(source, ['import', '--from', path]);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'line 2: is not valid JSON',
      'line 3: must be a JSON object',
      'line 4: passwd: is not a field of a user (fields: login, email, firstName, lastName, company, phone, cellPhone, cellCarrier, timeZoneOffset, networkId, mailboxId, authLevel, status, password)',
      'line 5: LOGIN: given more than once',
    ]);
    expect(result.stdout + result.stderr).not.toContain('Secr3t');
    expect(dumpText(await dumper.dump())).toBe(dumpText(before));
  });

  it('files that cannot be read at all: empty, header only, unknown column, UTF-16, an unclosed quote', { timeout: 120_000 }, async () => {
    const before = await dumper.dump();
    const cases: Array<[string, string | Buffer, number, string, string]> = [
      ['empty.csv', '', 1, 'the file is empty (a CSV file needs a header row)', 'Nothing imported'],
      ['empty.jsonl', '\n\n', 1, 'the file is empty', 'Nothing imported'],
      ['header-only.csv', `${HEADER}\n`, 0, '', 'Nothing imported: 0 rows read, 0 valid, 0 rejected.'],
      ['unknown-column.csv', 'login,email,shoeSize\nx,x@a.example,44\n', 1, 'line 1: unknown column "shoeSize"', 'Nothing imported'],
      ['no-email.csv', 'login,firstName\nx,X\n', 1, 'line 1: no email column', 'Nothing imported'],
      ['utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('login,email\n', 'utf16le')]), 1, 'is UTF-16 text; save it as UTF-8', 'Nothing imported'],
      ['unclosed.csv', `login,email\nok,ok@a.example\n"never closed,x@a.example\n`, 1, 'line 3: not readable as CSV (quote not closed)', 'Nothing imported'],
    ];
    const results = await Promise.all(cases.map(([name, content]) => cli(source, ['import', '--from', file(name, content)])));
    results.forEach((result, i) => {
      const [name, , status, message, summary] = cases[i]!;
      expect({ name, status: result.status }).toEqual({ name, status });
      expect(result.stderr, name).toContain(message);
      expect(result.stdout, name).toContain(summary);
    });
    expect(dumpText(await dumper.dump())).toBe(dumpText(before));
  });

  it('command-line mistakes exit with 2 and name the option', { timeout: 60_000 }, async () => {
    const cases: Array<[string[], string]> = [
      [['import', '--from', file('users.txt', 'x')], '--from: '],
      [['import', '--from', join(dir, 'missing.csv')], '--from: cannot read'],
      [['import', '--from', file('ok.csv', `${HEADER}\n`), '--network', 'abc'], '--network:'],
      [['import'], "required option '--from"],
      [['export', '--to', join(dir, 'out.xml')], '--to: '],
      [['export', '--to', join(dir, 'no-such-dir', 'out.csv')], '--to: cannot write'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(source, args)));
    results.forEach((result, i) => {
      expect({ args: cases[i]![0], status: result.status }).toEqual({ args: cases[i]![0], status: 2 });
      expect(result.stderr).toContain(cases[i]![1]);
    });
  });
});
