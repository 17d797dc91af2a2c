#!/usr/bin/env node
/**
 * `node bench/sqlite-floor.mjs [--users 10000] [--transactions 25000] [--group 25]`
 *
 * What SQLite alone costs a PUT /v2/users, without HTTP, Fastify or any of our
 * JavaScript around it: the statements of the seed's transaction (the locking
 * read, the UPDATE of e-mail and names with its RETURNING, the audit INSERT,
 * the savepoint around them), written by hand as the server runs them, on a
 * database the built CLI seeded, with the writer's own settings (WAL,
 * synchronous NORMAL, no auto-checkpoint), one COMMIT per `--group`
 * transactions as the group commit makes them (the bench's PUT load averages
 * ~25 per COMMIT: profile-floor.mjs prints it). Pinned to core 0 like the server.
 *
 * Prints µs per transaction for each part, the WAL frames (pages) each
 * transaction adds, and what a frame costs at COMMIT; then the frames with each
 * index the PUT writes left out in turn, to show where the pages come from.
 * Issue 16 asks PUT ≥ 0.30 × a bare node:http server (~30 µs a request here),
 * i.e. ≤ ~100 µs of CPU per PUT: this is the part of it that is SQLite's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { HAS_TASKSET, scriptArgs, seedUsers } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, {
  options: {
    users: { type: 'string', default: '10000' },
    transactions: { type: 'string', default: '25000' },
    group: { type: 'string', default: '25' },
    pinned: { type: 'boolean', default: false },
  },
});
// Re-run pinned to core 0, as the bench pins the server.
if (HAS_TASKSET && !args.pinned) {
  const run = spawnSync('taskset', ['-c', '0', process.execPath, ...process.argv.slice(1), '--pinned'], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const Database = createRequire(import.meta.url)('better-sqlite3');
const USERS = Number(args.users);
const N = Number(args.transactions);
const GROUP = Number(args.group);

const dir = mkdtempSync(join(tmpdir(), 'ecgrid-sqlite-floor-'));
const seeded = join(dir, 'seeded.db');
seedUsers({ ECGRID_DB: seeded }, USERS);

function open(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -16000');
  return db;
}

/** A copy of the seeded database, its WAL empty, with `dropIndexes` gone. */
function copy(name, dropIndexes = []) {
  const file = join(dir, `${name}.db`);
  copyFileSync(seeded, file);
  const db = open(file);
  for (const index of dropIndexes) db.exec(`drop index ${index}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, file };
}

/** N transactions of the PUT's statements, COMMIT every `group`; µs per transaction of each part, and WAL frames. */
function run(name, dropIndexes = [], group = GROUP, quiet = false) {
  const { db, file } = copy(name, dropIndexes);
  const columns = db.prepare('select * from users limit 1').raw(true).columns().map((c) => c.name).filter((c) => c !== 'password_hash');
  const read = db.prepare(`select ${columns.join(', ')} from users where user_id = ?`).raw(true);
  const update = db
    .prepare(`update users set email = ?, email_key = ?, first_name = ?, last_name = ?, modified = ?, version = version + 1 where user_id = ? returning ${columns.join(', ')}`)
    .raw(true);
  const audit = db.prepare(
    'insert into audit_events (at, actor_user_id, action, target_type, target_id, target_network_id, target_mailbox_id, changes, request_id, client_ip) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const [begin, savepoint, release, commit] = ['begin immediate', 'savepoint tx', 'release tx', 'commit'].map((s) => db.prepare(s));
  const parts = { read: 0n, update: 0n, audit: 0n, savepoints: 0n, commit: 0n };
  const now = () => process.hrtime.bigint();
  const started = now();
  for (let i = 0; i < N; i++) {
    if (i % group === 0) begin.run();
    let t = now();
    savepoint.run();
    parts.savepoints += now() - t;
    const id = 1 + Math.floor(Math.random() * USERS);
    const email = `u${id}.w${i}.floor@example.com`;
    t = now();
    read.all(id);
    parts.read += now() - t;
    t = now();
    update.all(email, email, `F${i}`, `L${i}`, new Date().toISOString(), id);
    parts.update += now() - t;
    t = now();
    audit.run(new Date().toISOString(), 1, 'user.update', 'user', id, 1 + (id % 10), 0,
      JSON.stringify({ email: { old: `u${id}@example.com`, new: email }, firstName: { old: 'F', new: `F${i}` }, lastName: { old: 'L', new: `L${i}` } }),
      `req-${i}`, '127.0.0.1');
    parts.audit += now() - t;
    t = now();
    release.run();
    parts.savepoints += now() - t;
    if (i % group === group - 1 || i === N - 1) {
      t = now();
      commit.run();
      parts.commit += now() - t;
    }
  }
  const total = Number(now() - started) / N / 1000;
  const frames = (statSync(`${file}-wal`).size - 32) / (4096 + 24);
  db.close();
  const us = (part) => (Number(part) / N / 1000).toFixed(1);
  if (!quiet) process.stdout.write(
    `${name.padEnd(34)} ${total.toFixed(1).padStart(5)} µs/tx: read ${us(parts.read)}, update ${us(parts.update)}, audit ${us(parts.audit)}, ` +
      `savepoints ${us(parts.savepoints)}, COMMIT ${us(parts.commit)} | ${(frames / N).toFixed(2)} WAL frames/tx, ` +
      `${(Number(parts.commit) / 1000 / frames).toFixed(1)} µs per frame at COMMIT\n`,
  );
}

try {
  process.stdout.write(`SQLite's part of a PUT: ${N} transactions over ${USERS} users (µs of CPU per transaction, core 0)\n`);
  // Unprinted: the JIT and the file cache settle first (a first pass measured ~25 % more).
  run('warm-up', [], GROUP, true);
  run(`as the server (COMMIT per ${GROUP})`);
  run('COMMIT per transaction', [], 1);
  run('COMMIT per 50', [], 50);
  run('without audit_target_idx', ['audit_target_idx']);
  run('without audit_network_idx', ['audit_network_idx']);
  run('without users_email_idx', ['users_email_idx']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
