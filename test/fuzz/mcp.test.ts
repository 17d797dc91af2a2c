/**
 * Property-based fuzzing of POST /mcp (MCP.md §8 #8), over real HTTP to a
 * real server on the dialect under test: generated `tools/call` arguments
 * (random JSON, boundary integers, huge and odd strings, either argument
 * form) for every tool and for unknown names, and generated JSON-RPC bodies
 * and headers (framing, ids, methods, versions, Accept, content types,
 * credentials). What must hold for every answer: no 5xx, no hang, never an
 * INTERNAL_ERROR tool result, a well-formed JSON-RPC answer (one SSE event or
 * JSON, 202 empty, or the refusal shape of §2.3); afterwards the server still
 * answers /healthz, no prototype grew, and the database is unchanged (every
 * tool only reads).
 *
 * FUZZ_SEED=<seed> replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyJson, contentType, garbageSecret, hostileBodyText, toJsonText } from '../support/fuzz-arbitraries.js';
import { dumpText, openDumper, type Dumper } from '../support/fuzz-db-dump.js';
import { describeRequest, sendHttp, type FuzzReply, type FuzzRequest } from '../support/fuzz-http.js';
import { MCP_TOOL_NAMES, parseMcpAnswer } from '../support/mcp.js';
import { createWorld, startTestServer, type TestServer } from '../support/server.js';
import { DIALECT } from '../support/test-db.js';

const CASES = 150;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const REFUSALS: Record<number, string[]> = {
  400: ['PARSE_ERROR', 'INVALID_REQUEST'],
  401: ['UNAUTHORIZED'],
  405: ['METHOD_NOT_ALLOWED'],
  406: ['NOT_ACCEPTABLE'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};
const TOOL_ERROR_CODES = ['VALIDATION_ERROR', 'NOT_FOUND', 'FORBIDDEN'];
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype];
const shapeOfPrototypes = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join()).join('|');

type Headers = Array<[string, string]>;

let server: TestServer;
let dumper: Dumper;
let keys: string[] = [];
let ids: number[] = [];
const statuses = new Map<string, Map<string, number>>();

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  const world = await createWorld(server);
  keys = [server.rootKey, world.netAdminA.key, world.mbUserA1.key, world.netUserA.key];
  ids = [1, 2, 101, 1042, 1001, 5001, world.netA.networkId, world.mbA1.mailboxId, world.mbUserA1.user.userId, world.netAdminB.user.userId];
  dumper = await openDumper(server.database);
});
afterAll(async () => {
  for (const [name, counts] of statuses) {
    console.log(`fuzz [${DIALECT}] mcp ${name}: ${[...counts].sort().map(([k, n]) => `${k}×${n}`).join(' ')} (seed ${SEED})`);
  }
  await dumper?.close();
  await server?.close();
});

/** The problem with an answer, or null when it is what MCP.md promises. Also names the outcome, for the summary. */
function problemOf(reply: FuzzReply): { problem: string | null; outcome: string } {
  const { status, headers, text } = reply;
  if (status >= 500) return { problem: `server error ${status}`, outcome: String(status) };
  if (status === 202) return { problem: text === '' ? null : 'a 202 with a body', outcome: '202' };
  // Headers over Node's limit are refused before any route sees them: the server-wide answer (http/protocol-answers.ts).
  if (status === 431) return { problem: JSON.parse(text).errorCode === 'InvalidParameter' ? null : 'not the 431 envelope', outcome: '431' };
  if (status !== 200) {
    if (!REFUSALS[status]) return { problem: `status ${status} is not in the contract`, outcome: String(status) };
    if (headers['content-type'] !== 'application/json; charset=utf-8') return { problem: `refusal with content type ${headers['content-type']}`, outcome: String(status) };
    const body = JSON.parse(text);
    const shape = JSON.stringify(Object.keys(body)) === '["jsonrpc","id","error"]' && body.jsonrpc === '2.0' && body.id === null &&
      JSON.stringify(Object.keys(body.error)) === '["code","message","data"]' && Number.isInteger(body.error.code) && typeof body.error.message === 'string' &&
      REFUSALS[status]!.includes(body.error.data.code) && body.error.data.retryable === false;
    return { problem: shape ? null : 'not the refusal shape of §2.3', outcome: `${status} ${body.error?.data?.code}` };
  }
  let message: any;
  try {
    message = parseMcpAnswer(String(headers['content-type']), text);
  } catch (error) {
    return { problem: `unparsable answer: ${(error as Error).message}`, outcome: '200' };
  }
  if (message?.jsonrpc !== '2.0' || !(typeof message.id === 'string' || typeof message.id === 'number')) return { problem: 'not a JSON-RPC answer', outcome: '200' };
  if ('error' in message) {
    const ok = Number.isInteger(message.error.code) && typeof message.error.message === 'string' && !('result' in message);
    return { problem: ok ? null : 'malformed JSON-RPC error', outcome: `rpc ${message.error.code}` };
  }
  const result = message.result;
  if (result === null || typeof result !== 'object') return { problem: 'result is not an object', outcome: '200' };
  if (!Array.isArray(result.content)) return { problem: null, outcome: 'result' };
  if (result.content.length !== 1 || result.content[0].type !== 'text') return { problem: 'tool result content is not one text', outcome: 'tool' };
  let value: any;
  try {
    value = JSON.parse(result.content[0].text);
  } catch {
    return { problem: 'tool result text is not JSON', outcome: 'tool' };
  }
  if (result.isError !== true) return { problem: null, outcome: 'tool ok' };
  const wellFormed = JSON.stringify(Object.keys(value)) === '["code","message","userMessage","suggestedAction"]' &&
    Object.values(value).every((v) => typeof v === 'string' && v.length > 0);
  if (!wellFormed) return { problem: 'malformed tool error', outcome: 'tool error' };
  if (!TOOL_ERROR_CODES.includes(value.code)) return { problem: `tool error ${value.code}`, outcome: value.code };
  return { problem: null, outcome: value.code };
}

async function fuzz(name: string, requests: fc.Arbitrary<FuzzRequest>, seed: number): Promise<void> {
  const counts = new Map<string, number>();
  statuses.set(name, counts);
  const prototypes = shapeOfPrototypes();
  const before = dumpText(await dumper.dump());
  const result = await fc.check(
    fc.asyncProperty(requests, async (request) => {
      const fail = (problem: string, reply?: FuzzReply) =>
        new Error(`${problem}\n  request: ${describeRequest(request)}\n  answer: ${reply ? `${reply.status} ${reply.text.slice(0, 300)}` : 'none'}`);
      const reply = await sendHttp(server.url, request, 5000).catch((error: Error) => {
        throw fail(error.message);
      });
      const { problem, outcome } = problemOf(reply);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      if (problem) throw fail(problem, reply);
    }),
    { numRuns: CASES, seed, endOnFailure: true },
  );
  const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  expect(result.failed, `${name} failed after ${result.numRuns} cases (replay: FUZZ_SEED=${SEED})\n${cause}`).toBe(false);
  const health = await sendHttp(server.url, { method: 'GET', path: '/healthz', headers: [] }, 5000);
  expect(health.status).toBe(200);
  expect(shapeOfPrototypes()).toBe(prototypes);
  expect(dumpText(await dumper.dump()), 'MCP requests changed the database').toBe(before);
}

const BOUNDARY_INTEGERS = [0, 1, -1, -2, 2147483647, 2147483648, -2147483648, 9007199254740991, 1e21, 0.5, -0];
const PARAM_NAMES = ['userId', 'USERID', 'networkId', 'mailboxId', 'loginName', 'name', 'lockedOut', 'request', 'Request', '__proto__', 'constructor'];

const value = fc.oneof(
  { weight: 3, arbitrary: anyJson.map(toJsonText) },
  { weight: 2, arbitrary: fc.constantFrom(...BOUNDARY_INTEGERS).map(String) },
  { weight: 2, arbitrary: fc.constantFrom(1, 2, 101, 1042, 1001, 5001).chain((id) => fc.constantFrom(String(id), JSON.stringify(String(id)), JSON.stringify(` ${id} `))) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', '"true"', 'null', '[]', '{}', '""', '"   "', '"jsmith"', '"SMITH"', '"%"', '"_"', `"${'x'.repeat(5000)}"`, '"a\\u0000b"', '"\\ud800"') },
);
const request = fc.array(fc.tuple(fc.constantFrom(...PARAM_NAMES), value), { maxLength: 5 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
const argumentsText = fc.oneof(
  { weight: 4, arbitrary: request.map((r) => `{"request":${r}}`) },
  { weight: 2, arbitrary: request },
  { weight: 1, arbitrary: fc.tuple(value, request).map(([v, r]) => `{"request":${v},"extra":${r}}`) },
  { weight: 1, arbitrary: anyJson.map(toJsonText) },
);
const toolName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...MCP_TOOL_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom('connectivity_key_get-key', 'get-user-me', 'CONNECTIVITY_USER_GET-USER-ME', '', '__proto__', 'x'.repeat(5000)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

function credentials(): fc.Arbitrary<Headers> {
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    { weight: 8, arbitrary: key.map((k): Headers => [['X-Connectivity-API-Key', k]]) },
    { weight: 2, arbitrary: key.map((k): Headers => [['X-API-Key', k]]) },
    { weight: 1, arbitrary: garbageSecret.map((g): Headers => [['X-Connectivity-API-Key', g]]) },
    { weight: 1, arbitrary: fc.tuple(garbageSecret, key).map(([g, k]): Headers => [['Authorization', `Bearer ${g}`], ['X-API-Key', k]]) },
    { weight: 1, arbitrary: fc.constant<Headers>([]) },
  );
}
const accept = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json, text/event-stream') },
  { weight: 2, arbitrary: fc.constantFrom('application/json', 'text/event-stream', '*/*', 'text/*', 'text/html', '', 'application/json;q=0', ';;,', 'text/event-stream;q=abc') },
);
const version = fc.option(fc.constantFrom('2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2099-01-01', '', 'x'.repeat(300)), { nil: undefined, freq: 3 });

function post(body: fc.Arbitrary<string | Buffer>, jsonMostly = true): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    credentials: credentials(),
    accept,
    version,
    contentType: jsonMostly ? fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>('application/json') }, { weight: 1, arbitrary: contentType }) : contentType,
    body,
  }).map((c) => ({
    method: 'POST',
    path: '/mcp',
    headers: [
      ...c.credentials,
      ['Accept', c.accept],
      ...(c.version === undefined ? [] : [['Mcp-Protocol-Version', c.version] as [string, string]]),
      ...(c.contentType === undefined ? [] : [['Content-Type', c.contentType] as [string, string]]),
    ] as Headers,
    body: c.body,
  }));
}

describe(`fuzzing POST /mcp (seed ${SEED})`, () => {
  it('tools/call with generated arguments', async () => {
    const body = fc.tuple(fc.oneof(fc.integer(), fc.string({ maxLength: 10 })), toolName, argumentsText).map(
      ([id, name, args]) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${args}}}`,
    );
    await fuzz('tools/call', post(body), SEED);
  }, 120_000);

  it('generated JSON-RPC framing and headers', async () => {
    const id = fc.oneof(fc.integer().map(String), fc.constantFrom('null', '"x"', '1.5', '{}', '[]', 'true', '1e400', '-0'), fc.constant(undefined));
    const method = fc.oneof(fc.constantFrom('"initialize"', '"ping"', '"tools/list"', '"tools/call"', '"notifications/initialized"', '"resources/list"', '7', 'null', '""', '"__proto__"'), anyJson.map(toJsonText));
    const params = fc.option(fc.oneof(anyJson.map(toJsonText), fc.constantFrom('{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"f","version":"1"}}', '{"name":"connectivity_system_get-version"}', '{"protocolVersion":7}')), { nil: undefined });
    const rpc = fc.record({ jsonrpc: fc.constantFrom('"2.0"', '"2.0"', '"1.0"', '2', 'null'), id, method, params }).map((m) =>
      `{"jsonrpc":${m.jsonrpc}${m.id === undefined ? '' : `,"id":${m.id}`},"method":${m.method}${m.params === undefined ? '' : `,"params":${m.params}`}}`,
    );
    const body = fc.oneof(
      { weight: 6, arbitrary: rpc },
      { weight: 1, arbitrary: fc.array(rpc, { maxLength: 3 }).map((items) => `[${items.join(',')}]`) },
      { weight: 2, arbitrary: hostileBodyText(server.config.bodyLimit, ['jsonrpc', 'method', 'params', 'id']) },
      { weight: 1, arbitrary: anyJson.map(toJsonText) },
    );
    await fuzz('framing', post(body, false), SEED + 1);
  }, 120_000);
});
