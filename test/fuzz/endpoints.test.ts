/**
 * Property-based fuzzing (issue 8) of every operation of the route table
 * (src/contract/operation-routes.ts) and of routes that do not exist, over
 * real HTTP to a real server on the dialect under test: random and
 * adversarial bodies, credentials, headers, content types and path ids,
 * from valid callers of several levels, broken credentials and nobody.
 * fuzz-oracle.ts says what each answer must satisfy (no 5xx, no hang, the
 * envelope, a rejection changes nothing in the database); after each
 * operation the server must still answer /healthz.
 *
 * Prints the cases per operation and the total; FUZZ_SEED=<seed> replays a run.
 *
 * The same file is what `npm run fuzz` (scripts/fuzz.mjs) runs at volume: it
 * runs vitest on this file, round after round, with the size and seed of each
 * round in the environment (FUZZ_CASES, FUZZ_SEED, FUZZ_ONLY, FUZZ_PATH) and
 * reads what each property did from FUZZ_REPORT. One copy of the properties,
 * run by the same harness (global setup, template database, test server) in
 * CI and at volume; see scripts/fuzz.mjs for why it is not a second runner.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_ROUTES, type OperationId } from '../../src/contract/operation-routes.js';
import { OPERATION_SCHEMAS } from '../../src/contract/operation-schemas.js';
import type { TokenInfo } from '../../src/contract/auth.js';
import {
  anyJson, contentType, garbageSecret, hostileBodyText, jwtShaped, pathId, schemaBody, tamper, toJsonText, type BodySchema, type Known,
} from '../support/fuzz-arbitraries.js';
import { openDumper, type Dumper } from '../support/fuzz-db-dump.js';
import { rawQuery } from '../support/raw-query.js';
import { describeRequest, type FuzzRequest } from '../support/fuzz-http.js';
import { FuzzOracle } from '../support/fuzz-oracle.js';
import { expectOk } from '../support/http.js';
import { createMailbox, createUser, createWorld, startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';
import { DIALECT } from '../support/test-db.js';

/** Cases per operation: by default (CI) 100, about 60 s per dialect on two cores in all; `npm run fuzz` sets FUZZ_CASES. */
const CASES = process.env.FUZZ_CASES ? Number(process.env.FUZZ_CASES) : 100;
/** Operation i (in route-table order; unknown routes last) runs with seed SEED + i. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
/** Replay (npm run fuzz): only this property (an operationId or `unknownRoutes`), only the case at this fast-check path. */
const ONLY = process.env.FUZZ_ONLY || null;
const PATH = process.env.FUZZ_PATH || undefined;
/** `npm run fuzz`: one JSON line per property run (its status counts; the counterexample of a failure) is appended here. */
const REPORT = process.env.FUZZ_REPORT || null;
if (!Number.isSafeInteger(CASES) || CASES < 1 || !Number.isSafeInteger(SEED)) throw new Error('FUZZ_CASES must be a positive integer, FUZZ_SEED an integer');
if (ONLY !== null && ONLY !== 'unknownRoutes' && !(ONLY in OPERATION_ROUTES)) throw new Error(`FUZZ_ONLY: no property ${ONLY}`);
const UNKNOWN_ROUTES = 'unknown routes';
/** Time a property may take: a case takes ~12 ms on an idle machine; 250 ms leaves room for a busy one. */
const PROPERTY_TIMEOUT_MS = 60_000 + CASES * 250;

type Headers = Array<[string, string]>;

let server: TestServer;
let dumper: Dumper;
let oracle: FuzzOracle;
const started = performance.now();
const statuses = new Map<string, Map<number, number>>();
let failures = 0;

beforeAll(async () => {
  server = await startTestServer();
  dumper = await openDumper(server.database);
  oracle = new FuzzOracle(server.url, dumper);
});
afterAll(async () => {
  const rows = [...statuses].map(([name, counts]) => {
    const cases = [...counts.values()].reduce((a, b) => a + b, 0);
    return { name, cases, text: [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ') };
  });
  const total = rows.reduce((sum, row) => sum + row.cases, 0);
  for (const row of rows) console.log(`fuzz [${DIALECT}] ${row.name}: ${row.cases} cases (${row.text})`);
  console.log(
    `fuzz [${DIALECT}]: ${Object.keys(OPERATION_ROUTES).length} operations + unknown routes, ${total} cases, ${failures} failures, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`,
  );
  await dumper?.close();
  await server?.close();
});

/**
 * Fresh callers for each operation (an earlier batch may have regenerated
 * their keys, changed their roles or ended their sessions): the createWorld
 * users and a Root by API key, a MailboxAdmin by Bearer token. And what is
 * worth aiming at: their ids and key ids, an empty mailbox, a user with a cell
 * phone, logins, the password, keys, tokens and a refresh token already
 * rotated away.
 */
async function hireCallers() {
  const world = await createWorld(server);
  const root = await createUser(server, { authLevel: 'Root', networkId: 0, mailboxId: 0 });
  const emptyMailbox = await createMailbox(server, world.netA.networkId);
  const api = server.api.as(root.key);
  expectOk(await api.post('/v2/users/update-config', { userId: world.mbUserA1.user.userId, cellPhone: '555 0100', cellCarrier: 'Verizon' }));
  const first = expectOk(await api.post<TokenInfo>('/v2/auth/login', { login: world.mbAdminA1.user.login, password: TEST_PASSWORD }));
  const session = expectOk(await api.post<TokenInfo>('/v2/auth/refresh', { token: first.refreshToken }));
  oracle.forget();

  const users = [root, world.techOps, world.netAdminA, world.mbUserA1, world.mbAdminA1, world.mbUserB1];
  const keys = users.map((u) => u.key);
  const tokens = [session.token, session.refreshToken, first.refreshToken];
  const keyIds = await rawQuery(server.database, `select key_id from api_keys where user_id in (${users.map((u) => u.user.userId).join(',')})`);
  const byField = {
    userId: users.map((u) => u.user.userId),
    networkId: [0, world.netA.networkId, world.netB.networkId],
    mailboxId: [0, world.mbA1.mailboxId, world.mbA2.mailboxId, world.mbB1.mailboxId, emptyMailbox.mailboxId],
    keyId: keyIds.map((row) => Number(row.key_id)),
    login: users.map((u) => u.user.login),
    password: [TEST_PASSWORD],
    currentPassword: [TEST_PASSWORD],
    token: tokens,
  };
  const known: Known = { byField, ids: [...byField.userId, ...byField.networkId, ...byField.mailboxId, ...byField.keyId] };
  const valid: Headers[] = [...keys.slice(0, 4).map((key): Headers => [['X-API-Key', key]]), [['Authorization', `Bearer ${session.token}`]]];
  const key = fc.constantFrom(...keys);
  const token = fc.constantFrom(...tokens);
  const broken: fc.Arbitrary<Headers> = fc.oneof(
    fc.oneof(garbageSecret, key.chain(tamper), key.map((k) => ` ${k.toUpperCase()} `), token).map((v): Headers => [['X-API-Key', v]]),
    fc.oneof(jwtShaped, token.chain(tamper), token, key, garbageSecret).map((v): Headers => [['Authorization', `Bearer ${v}`]]),
    fc.tuple(fc.constantFrom('Basic ', 'bearer   ', 'Bearer', '', 'Token '), fc.oneof(token, garbageSecret)).map(([scheme, v]): Headers => [['Authorization', scheme + v]]),
    fc.tuple(garbageSecret, key).map(([g, k]): Headers => [['X-API-Key', g], ['x-api-key', k]]),
    fc.tuple(key, jwtShaped).map(([k, t]): Headers => [['X-API-Key', k], ['Authorization', `Bearer ${t}`]]),
  );
  const credentials = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...valid) }, { weight: 3, arbitrary: broken }, { weight: 1, arbitrary: fc.constant<Headers>([]) });
  return { known, credentials };
}

/** Request headers besides credentials and Content-Type that a server might read. */
const otherHeaders: fc.Arbitrary<Headers> = fc.oneof(fc.constant<Headers>([]), fc.array(
  fc.tuple(
    fc.constantFrom('X-Request-Id', 'If-Match', 'X-Forwarded-For', 'Accept', 'Accept-Encoding', 'Expect', 'Origin', 'Cookie', 'X-HTTP-Method-Override'),
    fc.oneof(garbageSecret, fc.constantFrom('*', 'W/"x"', '"1.1"', 'gzip, br', '100-continue', 'DELETE', '::1, 999.1.1.1')),
  ),
  { minLength: 1, maxLength: 3 },
));
const query = fc.option(fc.constantFrom('?x=1', '?__proto__[polluted]=1', '?constructor[prototype][polluted]=1', '?userId=1&userId=2', `?${'a'.repeat(5000)}`), { nil: '', freq: 6 });

/** A request for an operation: its method and path with fuzzed ids, credentials, headers and a body of any kind. */
function requestsFor(id: OperationId, known: Known, credentials: fc.Arbitrary<Headers>): fc.Arbitrary<FuzzRequest> {
  const route = OPERATION_ROUTES[id];
  const schema = (OPERATION_SCHEMAS[id] as { body?: BodySchema }).body;
  const path = pathId(known.ids).map((id) => route.path.replace('{id}', id));
  const body = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: schemaBody(schema, known).map(toJsonText) },
    { weight: 1, arbitrary: anyJson.map(toJsonText) },
    { weight: 1, arbitrary: hostileBodyText(server.config.bodyLimit, Object.keys(schema?.properties ?? {})) },
  );
  return fc.record({ path, query, credentials, otherHeaders, body, contentType }).map((c) => ({
    method: route.method,
    path: c.path + c.query,
    headers: [...c.credentials, ...c.otherHeaders, ...(c.contentType === undefined ? [] : [['Content-Type', c.contentType] as [string, string]])],
    ...(c.body === undefined ? {} : { body: c.body }),
  }));
}

/** Requests to no route: unknown paths under /v2 and elsewhere, misspelled known ones, known paths with a method they do not take. */
function unknownRoutes(credentials: fc.Arbitrary<Headers>): fc.Arbitrary<FuzzRequest> {
  const known = Object.values(OPERATION_ROUTES).map((r) => r.path.replace('{id}', '1'));
  const path = fc.oneof(
    fc.webPath().map((p) => `/v2${p.startsWith('/') ? p : `/${p}`}`),
    fc.constantFrom(...known).chain((p) => fc.constantFrom(p.toUpperCase(), `${p}/`, `/${p}`, `${p}/x`, p.replace('/v2', '/v1'), p.replace('/v2/', '/v2//'), `${p}%00`, `${p}/..`)),
    // Not '/': it is the console's front door (a redirect to /console/, test/browser/console-shell.test.ts), not an API answer.
    fc.constantFrom('/v2', '/v2/', '/v3/users', '/%', '/v2/%zz', '/v2/users/..%2f..%2fhealthz', '/v2/__proto__', '/v2/users/constructor/prototype', `/v2/${'a'.repeat(10_000)}`),
  );
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path: fc.oneof(path, fc.constantFrom(...known)),
    credentials,
    body: fc.option(anyJson.map(toJsonText), { nil: undefined }),
  }).map(({ method, path, credentials, body }) => ({
    method,
    path,
    headers: body === undefined ? credentials : [...credentials, ['Content-Type', 'application/json'] as [string, string]],
    ...(body === undefined || method === 'HEAD' ? {} : { body }),
  }));
}

async function fuzz(name: string, operation: OperationId | null, requests: fc.Arbitrary<FuzzRequest>, seed: number): Promise<void> {
  const counts = new Map<number, number>();
  statuses.set(name, counts);
  const result = await fc.check(
    fc.asyncProperty(requests, async (request) => {
      const reply = await oracle.check(operation, request);
      counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
    }),
    // No shrinking: each step is a round trip, and the failure already shows the request; seed and path replay it.
    { numRuns: CASES, seed, endOnFailure: true, ...(PATH === undefined ? {} : { path: PATH }) },
  );
  if (result.failed) failures++;
  const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  let alive: string | null = null;
  if (!result.failed) alive = await oracle.checkAlive().then(() => null, (error: Error) => error.message);
  if (REPORT) {
    const [request] = result.counterexample ?? [];
    const failure = result.failed
      ? { seed, path: result.counterexamplePath, afterCases: result.numRuns, message: cause, request: request && describeRequest(request) }
      : alive && { seed, path: null, afterCases: result.numRuns, message: `after the property: ${alive}`, request: null };
    appendFileSync(REPORT, `${JSON.stringify({ name, only: operation ?? 'unknownRoutes', counts: Object.fromEntries(counts), failure })}\n`);
  }
  const replay = `FUZZ_SEED=${SEED}${result.counterexamplePath ? `, or npm run fuzz -- --store ${DIALECT} --seed ${SEED} --cases ${CASES} --only ${operation ?? 'unknownRoutes'} --path ${result.counterexamplePath}` : ''}`;
  expect(result.failed, `${name} failed after ${result.numRuns} cases (replay: ${replay})\n${cause}`).toBe(false);
  expect(alive, `${name}: after the property`).toBeNull();
}

describe(`fuzzing every operation (seed ${SEED})`, () => {
  const operations = Object.keys(OPERATION_ROUTES) as OperationId[];

  it('the oracle sees a write of a rejected request, and lets only the named ones pass', async () => {
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: 0, mailboxId: 0 });
    oracle.forget();
    const wrongPassword: FuzzRequest = {
      method: 'POST',
      path: '/v2/auth/login',
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify({ login: user.login, password: 'Wrong-Passw0rd!' }),
    };
    // A failed login counts against the user: a write, which the oracle refuses on any other operation…
    await expect(oracle.check('getVersion', wrongPassword)).rejects.toThrow(/a rejected request changed the database:\naudit_events \+ .*password-rejected.*\nusers - .*\nusers \+/);
    // …and lets pass on login alone, where API.md §4 asks for it.
    expect((await oracle.check('login', wrongPassword)).status).toBe(401);
    const [row] = await rawQuery(server.database, 'select failed_logins from users where user_id = $1', [user.userId]);
    expect(Number(row!.failed_logins)).toBe(2);
  });

  const picked = (name: string) => ONLY === null || ONLY === name;
  it.each(operations.map((id, i) => [id, i] as const).filter(([id]) => picked(id)))('%s', async (id, i) => {
    const { known, credentials } = await hireCallers();
    await fuzz(id, id, requestsFor(id, known, credentials), SEED + i);
  }, PROPERTY_TIMEOUT_MS);

  it.runIf(picked('unknownRoutes'))(UNKNOWN_ROUTES, async () => {
    const { credentials } = await hireCallers();
    await fuzz(UNKNOWN_ROUTES, null, unknownRoutes(credentials), SEED + operations.length);
  }, PROPERTY_TIMEOUT_MS);
});
