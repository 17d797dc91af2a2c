/**
 * `backup` and `restore` as an operator runs them: the built CLI in child
 * processes next to the built server (a child process too), real SQLite files,
 * real HTTP. A backup taken while a write load runs holds every write
 * acknowledged before it started; a restore puts it in place atomically, never
 * over a database in use, never from a bad file, and a restored database is
 * useless without its master key. On PostgreSQL both commands point at
 * pg_dump/pg_restore (the README's recipe).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, closeSync, writeSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../support/global-setup.js';
import { CLI, startChildServer, type ChildServer } from '../support/child-server.js';
import { Api, expectOk } from '../support/http.js';
import { runProcess } from '../support/process.js';
import { adminQuery, DIALECT, freshDatabase, type TestDatabase } from '../support/test-db.js';
import type { UserIDInfo } from '../../src/contract/users.js';
import { backupSqliteDatabase } from '../../src/store/backup/sqlite-backup.js';

const MASTER_KEY = randomBytes(32).toString('hex');
const ROOT_KEY = randomUUID();

function cli(args: string[], env: Record<string, string> = {}) {
  return runProcess(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeoutMs: 60_000 });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** Users with this login (and first name), read straight from the file. */
function countUsers(file: string, login: string, firstName?: string): number {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const sql = `select count(*) as n from users where login = ?${firstName === undefined ? '' : ' and first_name = ?'}`;
    return (db.prepare(sql).get(...(firstName === undefined ? [login] : [login, firstName])) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A mailbox the seed made, for the users the load creates. */
function seededMailbox(file: string): { networkId: number; mailboxId: number } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("select network_id, mailbox_id from mailboxes where status = 'Active' order by mailbox_id limit 1").get() as { network_id: number; mailbox_id: number };
    return { networkId: row.network_id, mailboxId: row.mailbox_id };
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (DIALECT === 'sqlite') {
  let database: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  /** Servers started by a test, stopped after the file whatever happens. */
  const servers: ChildServer[] = [];
  let goodBackup: string;

  beforeAll(async () => {
    database = await freshDatabase();
    dir = mkdtempSync(join(database.sqliteFile, '..', 'backup-'));
    env = { ECGRID_DB: database.sqliteFile, ECGRID_MASTER_KEY: MASTER_KEY, ECGRID_ROOT_API_KEY: ROOT_KEY, ECGRID_DEMO: '1' };
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGKILL')));
    await database?.drop();
  });

  async function serve(serverEnv: Record<string, string>): Promise<ChildServer> {
    const server = await startChildServer(serverEnv);
    servers.push(server);
    return server;
  }

  describe('backup of a running server under a write load, restored into a new path', () => {
    it('the restored database holds every write acknowledged before the backup started; the server kept serving during it', { timeout: 120_000 }, async () => {
      // 20,000 seeded users, so the copy takes several steps (1024 pages each) while writes go on.
      const seeded = await cli(['seed', '--users', '20000'], env);
      expect(seeded.status, seeded.stderr).toBe(0);
      const home = seededMailbox(database.sqliteFile);
      const server = await serve(env);
      const api = new Api(server.url, ROOT_KEY);
      const targets: number[] = [];
      for (let i = 0; i < 8; i++) {
        targets.push(expectOk(await api.post<UserIDInfo>('/v2/users', { login: `load${i}`, password: 'L0ad!Backup', email: `load${i}@example.com`, ...home })).userId);
      }

      // Per user one PUT at a time, its sequence number in the fields; every acknowledgement timed.
      const acks = new Map<number, Array<{ seq: number; at: number }>>();
      const lastSent = new Map<number, number>();
      const createdAcked: Array<{ login: string; userId: number; at: number }> = [];
      let stop = false;
      const updater = async (userId: number) => {
        for (let seq = 1; !stop; seq++) {
          lastSent.set(userId, seq);
          const reply = await api.put<UserIDInfo>('/v2/users', { userId, firstName: `s${seq}`, lastName: `s${seq}`, email: `s${seq}.u${userId}@example.com` });
          if (reply.status !== 200) throw new Error(`PUT answered ${reply.status}: ${reply.text}`);
          const list = acks.get(userId) ?? [];
          list.push({ seq, at: Date.now() });
          acks.set(userId, list);
        }
      };
      const creator = async (worker: number) => {
        for (let n = 0; !stop; n++) {
          const login = `bk${worker}x${n}`;
          const reply = await api.post<UserIDInfo>('/v2/users', { login, password: 'L0ad!Backup', email: `${login}@example.com`, ...home });
          if (reply.status !== 200) throw new Error(`POST answered ${reply.status}: ${reply.text}`);
          createdAcked.push({ login, userId: reply.body.data.userId, at: Date.now() });
        }
      };
      const load = Promise.all([...targets.map(updater), creator(1), creator(2)]);
      const ackCount = () => [...acks.values()].reduce((n, list) => n + list.length, 0);
      while (ackCount() < 80 || createdAcked.length < 3) await sleep(20);

      // The backup starts mid-load, as a separate process, while the load goes on.
      goodBackup = join(dir, 'under-load.db');
      // What was acknowledged before the backup started is counted here, not by clock: an ack and the start can share a millisecond.
      const ackedBefore = new Map([...acks].map(([userId, list]) => [userId, list.length]));
      const createsBefore = createdAcked.slice();
      const backupStartedAt = Date.now();
      const backup = await cli(['backup', '--to', goodBackup], env);
      const backupEndedAt = Date.now();
      await sleep(200);
      stop = true;
      await load;

      expect(backup.status, backup.stderr).toBe(0);
      const summary = /^Backed up .+ to (.+): (\d+) pages \(([\d.]+) MiB\), (\d+) users, schema (\S+), in ([\d.]+) s \(copy ([\d.]+) s, verify ([\d.]+) s\); consistent as of (\S+); verified \(integrity_check ok\); SHA-256 in (.+)\.\n$/.exec(backup.stdout);
      expect(summary, backup.stdout).not.toBeNull();
      expect(summary![1]).toBe(goodBackup);
      const snapshotAt = Date.parse(summary![9]!);
      expect(snapshotAt).toBeGreaterThanOrEqual(backupStartedAt);
      expect(snapshotAt).toBeLessThanOrEqual(backupEndedAt);
      // The server was neither stopped nor stalled: writes were acknowledged after the snapshot, while the backup ran.
      const ackTimes = [...[...acks.values()].flat().map((ack) => ack.at), ...createdAcked.map((c) => c.at)];
      const ackedDuringBackup = ackTimes.filter((at) => at > snapshotAt && at < backupEndedAt).length;
      expect(ackedDuringBackup).toBeGreaterThan(0);
      // Never the master key; always where it is and what it is for.
      expect(backup.stdout + backup.stderr).not.toContain(MASTER_KEY);
      expect(backup.stderr).toContain('The backup holds no master key. Back up the master key (ECGRID_MASTER_KEY) too, and store it apart from the backup');
      expect(statSync(goodBackup).mode & 0o777).toBe(0o600);
      // One self-contained file and its checksum: no -wal beside it, no temporary file left.
      expect(readdirSync(dir).sort()).toEqual(['under-load.db', 'under-load.db.sha256']);
      expect(summary![10]).toBe(`${goodBackup}.sha256`);
      expect(readFileSync(`${goodBackup}.sha256`, 'utf8')).toBe(`${sha256(goodBackup)}  under-load.db\n`);
      await server.kill('SIGTERM');

      // Restore into a new path, start a server on it.
      const restoredDb = join(dir, 'restored', 'ecgrid.db');
      const restoredEnv = { ...env, ECGRID_DB: restoredDb };
      const restore = await cli(['restore', '--from', goodBackup], restoredEnv);
      expect(restore.status, restore.stderr).toBe(0);
      expect(restore.stdout).toMatch(new RegExp(`^Restored ${goodBackup} into ${restoredDb}: \\d+ pages .*\\(verify [\\d.]+ s; integrity_check ok; SHA-256 matches ${goodBackup}\\.sha256\\)\\.\\n$`));
      expect(restore.stderr).toContain("Master key (ECGRID_MASTER_KEY) opens this backup's sealed secrets.");
      expect(restore.stdout + restore.stderr).not.toContain(MASTER_KEY);
      const restored = await serve(restoredEnv);
      const restoredApi = new Api(restored.url, ROOT_KEY);

      let checkedPuts = 0;
      for (const userId of targets) {
        const user = expectOk(await restoredApi.get<UserIDInfo>(`/v2/users/${userId}`));
        const seq = user.firstName === 'first' || !/^s\d+$/.test(user.firstName) ? 0 : Number(user.firstName.slice(1));
        const before = (acks.get(userId) ?? []).slice(0, ackedBefore.get(userId) ?? 0);
        const lastBefore = before.length ? before[before.length - 1]!.seq : 0;
        checkedPuts += before.length;
        // Every acknowledged-before write is there (a later one may be too: the snapshot came after the start), whole.
        expect(seq, `user ${userId}`).toBeGreaterThanOrEqual(lastBefore);
        expect(seq).toBeLessThanOrEqual(lastSent.get(userId)!);
        if (seq > 0) expect(user).toMatchObject({ lastName: `s${seq}`, email: `s${seq}.u${userId}@example.com` });
      }
      for (const created of createsBefore) {
        expect(expectOk(await restoredApi.get<UserIDInfo>(`/v2/users/${created.userId}`)).login).toBe(created.login);
      }
      // The seeded users came along, and the sealed primary key opens: Root reads its own key back.
      expect(Number(summary![4])).toBeGreaterThanOrEqual(20_000);
      const me = expectOk(await restoredApi.get<UserIDInfo>('/v2/users/me'));
      expect(expectOk(await restoredApi.get<string>(`/v2/users/key/${me.userId}`))).toBe(ROOT_KEY);
      expect(checkedPuts).toBeGreaterThanOrEqual(80);
      expect(createsBefore.length).toBeGreaterThanOrEqual(3);
      console.log(
        `backup under load [sqlite]: ${summary![2]} pages (${summary![3]} MiB, ${summary![4]} users) backed up in ${summary![6]} s (copy ${summary![7]} s, verify ${summary![8]} s) by the backup command ` +
          `(${backupEndedAt - backupStartedAt} ms with process start); ${ackedDuringBackup} writes acknowledged between its snapshot and its end; ` +
          `${checkedPuts} PUTs and ${createsBefore.length} creates acknowledged before it started, all found after restore`,
      );
    });
  });

  describe('the backup function: progress, and one snapshot while another connection writes', () => {
    it('reports pages step by step and never starts over; the copy is the database as of its start, not of its end', { timeout: 60_000 }, async () => {
      const source = join(dir, 'snapshot-source.db');
      const seeded = await cli(['seed', '--users', '5000'], { ECGRID_DB: source, ECGRID_MASTER_KEY: MASTER_KEY });
      expect(seeded.status, seeded.stderr).toBe(0);
      const writer = new BetterSqlite3(source);
      writer.pragma('journal_mode = WAL');
      const firstUser = writer.prepare('select min(user_id) as id from users').get() as { id: number };
      const firstName = () => (writer.prepare('select first_name from users where user_id = ?').get(firstUser.id) as { first_name: string }).first_name;
      const original = firstName();
      const rename = writer.prepare('update users set first_name = ? where user_id = ?');
      const progress: Array<[number, number]> = [];
      let writes = 0;
      const target = join(dir, 'snapshot-copy.db');
      try {
        // A commit by another connection between every two steps: without the read snapshot each one restarts the copy
        // (it would never end; capped so that such a regression fails on the assertions below instead of timing out).
        const result = await backupSqliteDatabase(source, target, {
          pagesPerStep: 50,
          onProgress: (done, total) => {
            progress.push([done, total]);
            if (writes < 500) rename.run(`w${++writes}`, firstUser.id);
          },
        });
        const total = result.database.pages;
        expect(progress.length).toBeGreaterThanOrEqual(Math.floor(total / 50));
        expect(progress.every(([, t]) => t === total)).toBe(true);
        expect(progress.every(([done], i) => i === 0 || done > progress[i - 1]![0]), 'pages copied only ever grow: no restart').toBe(true);
        expect(progress[progress.length - 1]).toEqual([total, total]);
        expect(firstName()).toBe(`w${writes}`);
      } finally {
        writer.close();
      }
      const copy = new BetterSqlite3(target, { readonly: true });
      try {
        expect((copy.prepare('select first_name from users where user_id = ?').get(firstUser.id) as { first_name: string }).first_name).toBe(original);
        expect((copy.prepare('select count(*) as n from users').get() as { n: number }).n).toBeGreaterThanOrEqual(5000);
        expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      } finally {
        copy.close();
      }
      expect(writes).toBeGreaterThanOrEqual(5);
    });
  });

  describe('an interrupted backup', () => {
    it('stops at the next step and leaves neither the target nor a partial file', async () => {
      const out = mkdtempSync(join(dir, 'interrupted-'));
      const target = join(out, 'never.db');
      const interrupt = new AbortController();
      let steps = 0;
      const backup = backupSqliteDatabase(join(dir, 'snapshot-source.db'), target, {
        pagesPerStep: 50,
        signal: interrupt.signal,
        onProgress: () => {
          if (++steps === 3) interrupt.abort();
        },
      });
      await expect(backup).rejects.toThrow('backup interrupted: no backup file was written');
      expect(steps).toBe(3);
      expect(readdirSync(out)).toEqual([]);
    });
  });

  describe('restore refuses a database in use', () => {
    it('a running server on the target path: exit 1, "in use", the database unchanged and still served', { timeout: 60_000 }, async () => {
      const runningDb = join(dir, 'running', 'ecgrid.db');
      const runningEnv = { ...env, ECGRID_DB: runningDb, ECGRID_DEMO: '0' };
      const server = await serve(runningEnv);
      const api = new Api(server.url, ROOT_KEY);
      const root = expectOk(await api.get<UserIDInfo>('/v2/users/me'));
      expectOk(await api.put('/v2/users', { userId: root.userId, firstName: 'Marker' }));
      const result = await cli(['restore', '--from', goodBackup], runningEnv);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`ecgrid-identity: the database at ${runningDb} is in use (a process — a running server? — has it open): stop it first; nothing was changed\n`);
      expect(result.stdout).toBe('');
      // Still its own database, still served: the marker is there, the backup's users are not.
      expect(expectOk(await api.get<UserIDInfo>(`/v2/users/${root.userId}`)).firstName).toBe('Marker');
      expect(countUsers(runningDb, 'load0')).toBe(0);
      expect(readdirSync(join(dir, 'running')).filter((name) => name.startsWith('.'))).toEqual([]);

      // Stopped (SIGTERM), the same restore goes through.
      await server.kill('SIGTERM');
      const again = await cli(['restore', '--from', goodBackup], runningEnv);
      expect(again.status, again.stderr).toBe(0);
      expect(countUsers(runningDb, 'load0')).toBe(1);
      expect(countUsers(runningDb, 'root', 'Marker')).toBe(0);
    });

    it('a server killed with SIGKILL does not hold the database: its WAL is checkpointed, then the restore replaces it', { timeout: 60_000 }, async () => {
      const killedDb = join(dir, 'killed', 'ecgrid.db');
      const killedEnv = { ...env, ECGRID_DB: killedDb, ECGRID_DEMO: '0' };
      const server = await serve(killedEnv);
      const api = new Api(server.url, ROOT_KEY);
      const root = expectOk(await api.get<UserIDInfo>('/v2/users/me'));
      expectOk(await api.put('/v2/users', { userId: root.userId, firstName: 'Killed' }));
      await server.kill('SIGKILL');
      expect(countUsers(killedDb, 'root', 'Killed')).toBe(1);
      const result = await cli(['restore', '--from', goodBackup], killedEnv);
      expect(result.status, result.stderr).toBe(0);
      expect(['-wal', '-shm', '-journal'].filter((suffix) => existsSync(`${killedDb}${suffix}`))).toEqual([]);
      expect(countUsers(killedDb, 'root', 'Killed')).toBe(0);
      expect(countUsers(killedDb, 'load0')).toBe(1);
    });
  });

  describe('a bad backup file is refused with a clear message and nothing is restored', () => {
    /** A stopped server's database with known content, whose bytes must not change. */
    let targetDb: string;
    let targetEnv: Record<string, string>;
    let targetHash: string;

    beforeAll(async () => {
      targetDb = join(dir, 'target', 'ecgrid.db');
      targetEnv = { ...env, ECGRID_DB: targetDb, ECGRID_DEMO: '0' };
      const made = await cli(['network', 'create', '--unique-id', 'KEEPME', '--company-name', 'Must survive'], targetEnv);
      expect(made.status, made.stderr).toBe(0);
      targetHash = sha256(targetDb);
    });

    /** A copy of the good backup, spoilt by `make`; with its checksum file when `checksum` (copied before the damage). */
    function variant(name: string, make: (file: string) => void, checksum = false): string {
      const file = join(dir, name);
      copyFileSync(goodBackup, file);
      if (checksum) copyFileSync(`${goodBackup}.sha256`, `${file}.sha256`);
      make(file);
      return file;
    }

    /** Changes one letter inside an audit event's JSON: every page and index stays well-formed. */
    function flipRecordByte(file: string): void {
      const bytes = readFileSync(file);
      const at = bytes.indexOf('"firstName"');
      expect(at).toBeGreaterThan(0);
      bytes[at + 1] = 'F'.charCodeAt(0);
      writeFileSync(file, bytes);
    }

    function pageOf(file: string, table: string): { page: number; pageSize: number } {
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        const { rootpage } = db.prepare("select rootpage from sqlite_schema where type = 'table' and name = ?").get(table) as { rootpage: number };
        return { page: rootpage, pageSize: db.pragma('page_size', { simple: true }) as number };
      } finally {
        db.close();
      }
    }

    it.each([
      ['truncated to half its size', () => variant('half.db', (f) => truncateSync(f, Math.floor(statSync(f).size / 2 / 4096) * 4096)), /is truncated: its header says \d+ pages of 4096 bytes \(\d+ bytes\), the file has \d+ bytes$/],
      ['cut inside a page', () => variant('ragged.db', (f) => truncateSync(f, statSync(f).size - 1000)), /is truncated: its header says/],
      [
        'a b-tree page overwritten with garbage',
        () =>
          variant('garbage.db', (f) => {
            const { page, pageSize } = pageOf(f, 'users');
            const fd = openSync(f, 'r+');
            writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
            closeSync(fd);
          }),
        /is corrupt: PRAGMA integrity_check found \d+ problem\(s\): .*Tree \d+ page \d+/,
      ],
      ['not a database at all', () => variant('text.db', (f) => writeFileSync(f, 'user,key\nroot,abc\n'.repeat(400))), /is not an SQLite database \(7200 bytes, no SQLite header\)$/],
      ['an empty file', () => variant('empty.db', (f) => writeFileSync(f, '')), /is not an SQLite database \(0 bytes, no SQLite header\)$/],
      [
        "an SQLite database that is not ecgrid-identity's",
        () =>
          variant('other.db', (f) => {
            writeFileSync(f, '');
            const db = new BetterSqlite3(f);
            db.exec('create table notes (id integer primary key, body text)');
            db.close();
          }),
        /is an SQLite database but not an ecgrid-identity one \(it has no kysely_migration table\)$/,
      ],
      [
        'made by a newer ecgrid-identity',
        () =>
          variant('newer.db', (f) => {
            const db = new BetterSqlite3(f);
            db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999-from-the-future', new Date().toISOString());
            db.close();
          }),
        /was written by a newer ecgrid-identity: migration\(s\) 9999-from-the-future unknown to this build \(its latest is 0005-users-network-order-index\); use that version or newer$/,
      ],
      ['missing', () => join(dir, 'no-such-backup.db'), /no-such-backup\.db: no such file$/],
      [
        'one byte of a record changed, with its checksum file beside it',
        () => variant('flipped.db', flipRecordByte, true),
        /flipped\.db does not match its checksum file .*flipped\.db\.sha256 \(SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}\): it changed after the backup was made$/,
      ],
      [
        'a checksum file that is not one',
        () => variant('bad-sum.db', (f) => writeFileSync(`${f}.sha256`, 'not a checksum\n')),
        /bad-sum\.db\.sha256 is not a SHA-256 checksum file \(expected "<64 hex digits>  bad-sum\.db"\)$/,
      ],
    ])('%s', async (_name, make, message) => {
      const file = make();
      const result = await cli(['restore', '--from', file], targetEnv);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, 'one line, no stack trace').toHaveLength(1);
      expect(lines[0]).toMatch(/^ecgrid-identity: /);
      expect(lines[0]).toMatch(message);
      expect(lines[0], 'names the file the operator gave').toContain(file);
      // Never half-restored: the target's bytes as before, no companion or temporary file left beside it.
      expect(sha256(targetDb)).toBe(targetHash);
      expect(readdirSync(join(dir, 'target')).sort()).toEqual(['ecgrid.db']);
    });

    it('without its checksum file the same changed byte gets through integrity_check: restore says it checked the structure only', async () => {
      const file = variant('flipped-alone.db', flipRecordByte);
      const elsewhere = join(dir, 'flipped-target', 'ecgrid.db');
      const result = await cli(['restore', '--from', file], { ...targetEnv, ECGRID_DB: elsewhere });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`(verify `);
      expect(result.stdout).toContain(`integrity_check ok; no ${file}.sha256 beside it: structure checked only).`);
    });

    it('the good backup still restores over that target (the refusals above were about the files)', async () => {
      const result = await cli(['restore', '--from', goodBackup], targetEnv);
      expect(result.status, result.stderr).toBe(0);
      expect(sha256(targetDb)).not.toBe(targetHash);
    });
  });

  describe('backup refuses what it must not do', () => {
    it('never overwrites an existing file, nor writes onto the database itself', async () => {
      const existing = join(dir, 'existing.db');
      writeFileSync(existing, 'keep me');
      const result = await cli(['backup', '--to', existing], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`ecgrid-identity: ${existing} already exists: a backup never overwrites a file; choose a new name\n`);
      expect(readFileSync(existing, 'utf8')).toBe('keep me');
      writeFileSync(join(dir, 'fresh.db.sha256'), 'keep me too');
      const besideChecksum = await cli(['backup', '--to', join(dir, 'fresh.db')], env);
      expect(besideChecksum.status).toBe(1);
      expect(besideChecksum.stderr).toBe(`ecgrid-identity: ${join(dir, 'fresh.db.sha256')} already exists: a backup never overwrites a file; choose a new name\n`);
      expect(readFileSync(join(dir, 'fresh.db.sha256'), 'utf8')).toBe('keep me too');
      expect(existsSync(join(dir, 'fresh.db'))).toBe(false);
      const self = await cli(['backup', '--to', database.sqliteFile], env);
      expect(self.status).toBe(1);
      expect(self.stderr).toBe(`ecgrid-identity: ${database.sqliteFile} is the database itself\n`);
      const missing = await cli(['backup', '--to', join(dir, 'x.db')], { ...env, ECGRID_DB: join(dir, 'nothing-here.db') });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe(`ecgrid-identity: no SQLite database at ${join(dir, 'nothing-here.db')}\n`);
      expect(existsSync(join(dir, 'x.db'))).toBe(false);
      const usage = await cli(['backup'], env);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain("required option '--to <file>'");
    });
  });

  describe('a backup without its master key is useless', () => {
    it('restored beside no master key: warned; the server then refuses to start; with only a JWT secret it starts but cannot read primary keys back', { timeout: 60_000 }, async () => {
      const lostDb = join(dir, 'lost-key', 'ecgrid.db');
      // The operator kept the database but not the key: no ECGRID_MASTER_KEY, no master.key beside the new path.
      const lostEnv = { ECGRID_DB: lostDb };
      const restore = await cli(['restore', '--from', goodBackup], lostEnv);
      expect(restore.status, restore.stderr).toBe(0);
      expect(restore.stderr).toBe(
        `Warning: no master key: there is no key file at ${join(dir, 'lost-key', 'master.key')} and ECGRID_MASTER_KEY is unset. ` +
          'Put the master key this backup was made with there before starting the server: without it the server will not start on this database ' +
          '(it cannot open the stored JWT signing secret, unless ECGRID_JWT_SECRET is set) and no primary API key in it can be read back.\n',
      );
      // The server makes itself a new master key, which opens nothing in this database: it refuses to start.
      await expect(startChildServer(lostEnv)).rejects.toThrow(/cannot open the stored JWT signing secret \(setting jwt-secret\).*restore the master key it was sealed with/s);
      // A restore now finds that (wrong) key and says so.
      const wrongKey = await cli(['restore', '--from', goodBackup], lostEnv);
      expect(wrongKey.status).toBe(0);
      expect(wrongKey.stderr).toMatch(/^Warning: the master key \(the key file .*master\.key\) does not open this backup's sealed secrets: it is not the key the backup was made with\./);
      // With a JWT secret of its own it starts, keys still authenticate (by hash), but no primary key can be read back.
      const started = await serve({ ...lostEnv, ECGRID_JWT_SECRET: randomBytes(32).toString('hex') });
      const api = new Api(started.url, ROOT_KEY);
      const me = expectOk(await api.get<UserIDInfo>('/v2/users/me'));
      const read = await api.get(`/v2/users/key/${me.userId}`);
      expect(read.status).toBe(500);
      expect(read.text).not.toContain(ROOT_KEY);
      await started.kill('SIGTERM');
    });

    it('the README says so plainly, and how to keep the key', () => {
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const section = readme.slice(readme.indexOf('### Backup and restore'), readme.indexOf('## Key storage'));
      expect(section).toContain('A backup without the master key is useless');
      expect(section).toContain('pg_dump -Fc');
      expect(section).toContain('pg_restore');
    });
  });
} else {
  describe('backup and restore on PostgreSQL', () => {
    let database: TestDatabase;
    let dir: string;
    const extraDatabases: string[] = [];
    const servers: ChildServer[] = [];
    beforeAll(async () => {
      database = await freshDatabase();
      dir = mkdtempSync(join(database.sqliteFile, '..', 'pgdump-'));
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.kill('SIGKILL')));
      for (const name of extraDatabases) await adminQuery(`drop database if exists ${name} with (force)`);
      await database?.drop();
    });

    /** A new, empty database, as `createdb` makes it. */
    async function createDatabase(): Promise<string> {
      const name = `t_${randomBytes(6).toString('hex')}`;
      await adminQuery(`create database ${name}`);
      extraDatabases.push(name);
      return withDatabase(inject('pgUrl'), name);
    }

    it.each([['backup', '--to'], ['restore', '--from']])('%s answers with one line pointing at pg_dump/pg_restore (exit 1)', async (command, option) => {
      const result = await cli([command, option, join(dir, 'unused.dump')], { ...database.env, ECGRID_MASTER_KEY: MASTER_KEY });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `ecgrid-identity: ${command}: this configuration uses PostgreSQL (DATABASE_URL): back it up with \`pg_dump -Fc\` and restore with \`pg_restore\`, ` +
          'keeping the master key (ECGRID_MASTER_KEY) with the dump — see the README, "Backup and restore"\n',
      );
    });

    it("the README's recipe: pg_dump -Fc of a running server, pg_restore into a new database, a server on it with the same master key finds everything", { timeout: 90_000 }, async () => {
      const env = { ...database.env, ECGRID_MASTER_KEY: MASTER_KEY, ECGRID_ROOT_API_KEY: ROOT_KEY, ECGRID_DEMO: '1' };
      const server = await startChildServer(env);
      servers.push(server);
      const api = new Api(server.url, ROOT_KEY);
      const created = expectOk(await api.post<UserIDInfo>('/v2/users', { login: 'dumped', password: 'Dump3d!Pass', email: 'dumped@example.com', networkId: 1, mailboxId: 101 }));
      const dump = join(dir, 'ecgrid.dump');
      const dumped = await runProcess('pg_dump', ['-Fc', '--no-owner', '--no-privileges', '-d', database.databaseUrl!, '-f', dump], { timeoutMs: 60_000 });
      expect(dumped.status, dumped.stderr).toBe(0);
      expect((await runProcess('pg_restore', ['--list', dump])).status).toBe(0);
      await server.kill('SIGTERM');

      const restoredUrl = await createDatabase();
      const restore = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '-d', restoredUrl, dump];
      const restored = await runProcess('pg_restore', restore, { timeoutMs: 60_000 });
      expect(restored.status, restored.stderr).toBe(0);
      const onRestored = await startChildServer({ ...env, DATABASE_URL: restoredUrl });
      servers.push(onRestored);
      const restoredApi = new Api(onRestored.url, ROOT_KEY);
      expect(expectOk(await restoredApi.get<UserIDInfo>(`/v2/users/${created.userId}`)).login).toBe('dumped');
      const me = expectOk(await restoredApi.get<UserIDInfo>('/v2/users/me'));
      expect(expectOk(await restoredApi.get<string>(`/v2/users/key/${me.userId}`))).toBe(ROOT_KEY);
      await onRestored.kill('SIGTERM');

      // A truncated dump: pg_restore fails and, in one transaction, leaves the new database empty.
      const truncated = join(dir, 'truncated.dump');
      copyFileSync(dump, truncated);
      truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
      const emptyUrl = await createDatabase();
      const failed = await runProcess('pg_restore', [...restore.slice(0, -3), '-d', emptyUrl, truncated], { timeoutMs: 60_000 });
      expect(failed.status).not.toBe(0);
      expect(failed.stderr).toMatch(/pg_restore: error/);
      const client = new pg.Client({ connectionString: emptyUrl });
      await client.connect();
      try {
        const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        expect(rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    });
  });
}
