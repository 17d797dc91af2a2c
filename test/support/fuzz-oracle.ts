/**
 * What must hold for every fuzzed request (issue 8):
 *
 * - an answer comes within the deadline (no hang), and afterwards the server
 *   still answers /healthz (no crash) and no prototype of this process — the
 *   server runs in it — gained a property (no prototype pollution);
 * - never a 5xx;
 * - the answer is exactly the envelope of API.md §1 — `{success, data,
 *   errorCode, message}` in that order, JSON, `success` true exactly on 2xx,
 *   on an error `data` null, a non-empty message and an errorCode the status
 *   may carry — with the headers every answer carries (no-store, nosniff);
 * - a rejected request (any non-2xx) leaves every table byte-for-byte as it
 *   was, except the writes REJECTION_WRITES names for its operation.
 */
import type { OperationId } from '../../src/contract/operation-routes.js';
import { describeChanges, dumpText, type Dump, type Dumper, type Omitted } from './fuzz-db-dump.js';
import { describeRequest, sendHttp, type FuzzReply, type FuzzRequest } from './fuzz-http.js';

/**
 * API.md §1: the errorCodes each error status may carry; also 412 (a stale
 * If-Match, extension) and 431 (headers over Node's limit,
 * http/protocol-answers.ts). 429 is not among them: the fuzz server runs
 * without rate limits.
 */
const ERROR_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ['InvalidParameter', 'DuplicateObject'],
  401: ['InvalidAPIKey', 'InvalidSession'],
  403: ['AccessDenied'],
  404: ['ObjectNotFound'],
  405: ['InvalidParameter'],
  412: ['InvalidParameter'],
  413: ['InvalidParameter'],
  415: ['InvalidParameter'],
  431: ['InvalidParameter'],
};

const FAILED_PASSWORD: Omitted = { columns: { users: ['failed_logins', 'locked_until'] }, auditActions: ['user.password-rejected', 'user.lockout'] };

/**
 * The only writes a rejected request may make, each deliberate behaviour of
 * the spec rather than a leak: for these operations and statuses the oracle
 * compares dumps that leave out exactly these columns and audit events; every
 * other byte must still be equal.
 * - login answered 401: a wrong password for an existing login is counted
 *   towards the lockout (API.md §4) and audited;
 * - changePassword answered 400 (wrong currentPassword): counted like a
 *   failed login of the caller (a stolen token is no free password oracle);
 * - refreshToken answered 401: a rotated refresh token presented again ends
 *   its session (reuse detection, RFC 9700 §4.14.2).
 */
const REJECTION_WRITES: Partial<Record<OperationId, { status: number; omitted: Omitted }>> = {
  login: { status: 401, omitted: FAILED_PASSWORD },
  changePassword: { status: 400, omitted: FAILED_PASSWORD },
  refreshToken: { status: 401, omitted: { columns: { sessions: ['revoked_at'] } } },
};

/** The problem with an answer, or null when it is the envelope the contract promises. */
function envelopeProblem(request: FuzzRequest, reply: FuzzReply): string | null {
  const { status, headers, text } = reply;
  if (status >= 500) return `server error ${status}`;
  const success = status >= 200 && status < 300;
  if (!success && !ERROR_CODES[status]) return `status ${status} is not in the contract`;
  if (headers['x-content-type-options'] !== 'nosniff' || headers['cache-control'] !== 'no-store') return 'the headers of every answer are missing';
  if (request.method === 'HEAD') return text === '' ? null : 'an answer to HEAD with a body';
  if (headers['content-type'] !== 'application/json; charset=utf-8') return `content type ${headers['content-type']}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'the answer is not JSON';
  }
  if (JSON.stringify(Object.keys(body ?? {})) !== '["success","data","errorCode","message"]') return 'not exactly the envelope';
  if (body.success !== success) return `success ${String(body.success)} with status ${status}`;
  if (typeof body.message !== 'string') return 'message is not a string';
  if (success) return body.errorCode === '' ? null : 'a success with an errorCode';
  if (body.data !== null) return 'an error with data';
  if (!ERROR_CODES[status]!.includes(body.errorCode as string)) return `status ${status} with errorCode ${String(body.errorCode)}`;
  return body.message === '' ? 'an error without a message' : null;
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype];
const shapeOfPrototypes = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join()).join('|');

/** Sends fuzz requests one at a time and checks each answer and the database around it. */
export class FuzzOracle {
  /** The last dump of the database and the version marker read just before it; it holds while the marker is unchanged. */
  #before: { dump: Dump; text: string; version: string } | null = null;
  readonly #prototypes = shapeOfPrototypes();

  constructor(
    private readonly baseUrl: string,
    private readonly dumper: Dumper,
    private readonly timeoutMs = 5000,
  ) {}

  /** Call after writing fixtures: the next check dumps the database afresh. */
  forget(): void {
    this.#before = null;
  }

  /** Sends the request and checks the answer; throws what is wrong, with the request and the answer. */
  async check(operation: OperationId | null, request: FuzzRequest): Promise<FuzzReply> {
    const permitted = operation ? REJECTION_WRITES[operation] : undefined;
    if (this.#before?.version !== (await this.dumper.version())) this.#before = await this.#dump();
    const before = this.#before;
    const beforeWithout = permitted && (await this.#dump(permitted.omitted));
    const fail = (problem: string, reply?: FuzzReply) =>
      new Error(`${problem}\n  request: ${describeRequest(request)}\n  answer: ${reply ? `${reply.status} ${reply.text.slice(0, 300)}` : 'none'}`);
    const reply = await sendHttp(this.baseUrl, request, this.timeoutMs).catch((error: Error) => {
      throw fail(error.message);
    });
    const problem = envelopeProblem(request, reply);
    if (problem) throw fail(problem, reply);
    if (reply.status < 300) return reply;
    // No write committed since the dump before the request: every table is as it was.
    if ((await this.dumper.version()) === before.version) return reply;
    let [old, now] = [before, await this.#dump()];
    // The dump after a rejection is the one before the next request.
    this.#before = now;
    if (permitted?.status === reply.status) [old, now] = [beforeWithout!, await this.#dump(permitted.omitted)];
    if (old.text !== now.text) throw fail(`a rejected request changed the database:\n${describeChanges(old.dump, now.dump)}`, reply);
    return reply;
  }

  async #dump(omitted?: Omitted): Promise<{ dump: Dump; text: string; version: string }> {
    const version = await this.dumper.version();
    const dump = await this.dumper.dump(omitted);
    return { dump, text: dumpText(dump), version };
  }

  /** The server still answers /healthz, and no prototype of this process gained or lost a property. */
  async checkAlive(): Promise<void> {
    const reply = await sendHttp(this.baseUrl, { method: 'GET', path: '/healthz', headers: [] }, this.timeoutMs);
    if (reply.status !== 200) throw new Error(`/healthz answered ${reply.status} ${reply.text}`);
    if (shapeOfPrototypes() !== this.#prototypes) throw new Error('a prototype was polluted');
  }
}
