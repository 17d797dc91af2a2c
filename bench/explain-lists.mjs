#!/usr/bin/env node
/**
 * `node bench/explain-lists.mjs [--users 1000000] [--set name=value …]`
 *
 * The plan PostgreSQL runs for every shape of POST /v2/users/list, as the
 * server sends it: a durable cluster with auto_explain logging
 * `EXPLAIN (ANALYZE, BUFFERS)` of every statement, the built server on it,
 * and list requests of each shape as Root, a NetworkAdmin and a MailboxAdmin
 * (first and 40th page). Each statement's plan is then read back from the log:
 * the indexes it used, rows it read beyond the page, pages of the buffer cache
 * it touched, its time. Each request is sent 8 times, so what is printed is
 * the plan PostgreSQL settled on (named statements switch to a generic plan
 * after 5 runs). Needs `npm run build` first.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres-cluster.mjs';
import { CLI, benchServerEnv, freePort, scriptArgs, seedUsers, startProcess, table } from './lib.mjs';

// --set name=value (repeatable): a PostgreSQL setting of the cluster, to see how a plan moves with it (e.g. random_page_cost=1.1).
const { values: args } = scriptArgs(import.meta.url, { options: { users: { type: 'string', default: '1000000' }, set: { type: 'string', multiple: true, default: [] } } });
const USERS = Number(args.users);
const log = (line) => process.stderr.write(`[explain] ${line}\n`);
const key = randomUUID();
const RUNS = 8;

const cluster = await startPostgres({
  log,
  durable: true,
  settings: {
    shared_preload_libraries: 'auto_explain',
    'auto_explain.log_min_duration': '-1', // switched on for the measured requests only (ALTER DATABASE below)
    'auto_explain.log_analyze': 'on',
    'auto_explain.log_buffers': 'on',
    'auto_explain.log_format': 'json',
    ...Object.fromEntries(args.set.map((pair) => pair.split('='))),
  },
});
const url = cluster.url.replace(/\/postgres$/, '/explain');
const admin = new pg.Client({ connectionString: cluster.url });
await admin.connect();
await admin.query('create database explain');
let server;
try {
  log(`seeding ${USERS} users…`);
  log(seedUsers({ DATABASE_URL: url }, USERS).trim());
  await admin.query('alter database explain set auto_explain.log_min_duration = 0');
  const port = await freePort();
  server = await startProcess('server', process.execPath, [CLI, 'serve'], benchServerEnv({ DATABASE_URL: url }, key, port));
  const base = `http://127.0.0.1:${port}`;
  const call = async (path, body, headers) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const json = await response.json();
    if (!json.success) throw new Error(`${path} ${JSON.stringify(body)}: ${response.status} ${json.message}`);
    return json.data;
  };
  const root = { 'x-api-key': key };
  const asUser = async (authLevel) => {
    const [user] = await call('/v2/users/list', { authLevel, status: 'Active', recordsPerPage: 1 }, root);
    const tokens = await call('/v2/auth/login', { login: user.login, password: 'Seed!Passw0rd' }, {});
    return { user, headers: { authorization: `Bearer ${tokens.token ?? tokens.accessToken}` } };
  };
  const networkAdmin = await asUser('NetworkAdmin');
  const mailboxAdmin = await asUser('MailboxAdmin');
  const otherNetwork = networkAdmin.user.networkId === 1 ? 2 : 1;
  const cases = [
    ['Root', root, { networkId: 3, status: 'Active' }],
    ['Root', root, {}],
    ['Root', root, { status: 'Suspended' }],
    ['Root', root, { authLevel: 'NetworkAdmin' }],
    // A level with almost no users: with the level a parameter, a plan for any value walked the whole table (520–990 ms).
    ['Root', root, { authLevel: 'Root' }],
    ['Root', root, { networkId: 3, mailboxId: 0, authLevel: 'NetworkUser' }],
    ['NetworkAdmin', networkAdmin.headers, {}],
    ['NetworkAdmin', networkAdmin.headers, { status: 'Active' }],
    ['NetworkAdmin', networkAdmin.headers, { networkId: otherNetwork }],
    ['MailboxAdmin', mailboxAdmin.headers, {}],
    ['MailboxAdmin', mailboxAdmin.headers, { status: 'Active' }],
    ['MailboxAdmin', mailboxAdmin.headers, { authLevel: 'TPUser' }],
  ];
  const rows = [];
  for (const [caller, headers, filter] of cases) {
    for (const pageNo of [1, 40]) {
      const logStart = readFileSync(join(cluster.dir, 'postgres.log'), 'utf8').length;
      for (let i = 0; i < RUNS; i++) await call('/v2/users/list', { ...filter, pageNo, recordsPerPage: 25 }, headers);
      const logged = readFileSync(join(cluster.dir, 'postgres.log'), 'utf8').slice(logStart);
      for (const plan of lastPlans(logged)) {
        rows.push({ caller, filter: JSON.stringify(filter), page: pageNo, ...plan });
      }
    }
  }
  process.stdout.write(`\n${table(rows, Object.keys(rows[0]))}\n`);
} finally {
  await server?.stop();
  await admin.end().catch(() => {});
  cluster.stop();
}

/**
 * The plans auto_explain logged, by statement: the last run of each (the
 * settled plan). Authentication (the key or session lookup) is left out.
 */
function lastPlans(text) {
  const byQuery = new Map();
  for (const chunk of text.split(/duration: [\d.]+ ms {2}plan:\n/).slice(1)) {
    const json = chunk.slice(0, chunk.search(/\n\d{4}-\d\d-\d\d /) >>> 0);
    let entry;
    try {
      entry = JSON.parse(json);
    } catch {
      continue;
    }
    const query = entry['Query Text'].replace(/\s+/g, ' ');
    if (/api_keys|sessions/.test(query)) continue;
    byQuery.set(query, entry);
  }
  return [...byQuery.values()].map((entry) => {
    const nodes = [];
    const walk = (node) => {
      nodes.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(entry.Plan);
    const indexes = [...new Set(nodes.map((n) => n['Index Name']).filter(Boolean))];
    const seqScans = nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
    const read = nodes.filter((n) => n['Relation Name'] || n['Index Name']).reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1) + (n['Rows Removed by Filter'] ?? 0), 0);
    return {
      statement: entry['Query Text'].replace(/\s+/g, ' ').replace(/^select .*? from /, 'from ').slice(0, 70),
      indexes: indexes.join(' ') || '-',
      'seq scan': seqScans.join(' ') || '-',
      'rows read': read,
      'buffers': (entry.Plan['Shared Hit Blocks'] ?? 0) + (entry.Plan['Shared Read Blocks'] ?? 0),
      'ms': Number(entry.Plan['Actual Total Time']).toFixed(3),
    };
  });
}
