/**
 * Runs the authorization matrix (authz-cases.ts) over real HTTP: builds every
 * (variant × caller × column) case, sends it with bounded concurrency, reads
 * the answer as a letter, and records every difference from the expected
 * table — wrong answer, a refusal that changed something, a 404 or 400 that
 * does not read exactly like the one for a missing object.
 */
import { isDeepStrictEqual } from 'node:util';
import { Api, type Reply } from './http.js';
import { login } from './sessions.js';
import { MATRIX, MISSING, variantName, type Case, type Column, type Letter, type Variant } from './authz-cases.js';
import { MISSING_ID, describeMember, type AuthzWorld, type Member } from './authz-world.js';

export interface Outcome {
  variant: string;
  operation: Variant['operation'];
  caller: string;
  column: string;
  expected: Letter;
  observed: Letter;
  why: string;
  status: number;
  message: string;
  subjectId?: number;
  named?: Case['named'];
  problems: string[];
}

/** How an actor proves who it is. */
export type Credential = (actor: Member) => Promise<Record<string, string>>;

export const byApiKey: Credential = async (actor) => ({ 'X-API-Key': actor.key });

/** A Bearer token from POST /v2/auth/login, one per user (fresh actors log in when first used). */
export function byBearer(baseUrl: string): Credential {
  const tokens = new Map<number, Promise<string>>();
  return async (actor) => {
    let token = tokens.get(actor.user.userId);
    if (!token) {
      token = login(baseUrl, actor.user.login).then((t) => t.token);
      tokens.set(actor.user.userId, token);
    }
    return { Authorization: `Bearer ${await token}` };
  };
}

interface Job {
  variant: Variant;
  caller: Member;
  column: Column;
}

const DENIALS = /^(F|N|P|I:)/;

/** The answer as a letter: success (or listed / not listed), 403, 404, 400 with its field; anything else '?…'. */
function letterOf(reply: Reply, lists: Case['lists']): Letter {
  const { status, body } = reply;
  if (status === 200 && body.success === true && body.errorCode === '') return lists ? (lists(body.data) ? 'L' : 'H') : 'A';
  if (body.success !== false || body.data !== null) return `?${status} (not an error envelope)`;
  if (status === 403 && body.errorCode === 'AccessDenied') return 'F';
  if (status === 404 && body.errorCode === 'ObjectNotFound') return 'N';
  if (status === 400 && body.errorCode === 'InvalidParameter') return `I:${body.message.split(':')[0]}`;
  if (status === 412 && body.errorCode === 'InvalidParameter') return 'P';
  return `?${status} ${body.errorCode}`;
}

async function run(api: Api, job: Job, credential: Credential): Promise<Outcome> {
  const built = await job.column.build();
  // Credential first: a login (Bearer) changes its user, and that is not the request under test.
  const headers = await credential(built.actor);
  const before = built.snapshot && DENIALS.test(built.expected) ? await built.snapshot() : undefined;
  const reply = await api.request(built.method, built.path, built.body, { key: null, headers: { ...headers, ...built.headers } });
  const observed = letterOf(reply, built.lists);
  const outcome: Outcome = {
    variant: variantName(job.variant),
    operation: job.variant.operation,
    caller: describeMember(job.caller),
    column: job.column.name,
    expected: built.expected,
    observed,
    why: built.why,
    status: reply.status,
    message: reply.body.message,
    subjectId: built.subjectId,
    named: built.named,
    problems: [],
  };
  if (observed !== built.expected) outcome.problems.push(`expected ${built.expected}, got ${observed}`);
  if (before !== undefined && DENIALS.test(observed) && !isDeepStrictEqual(before, await built.snapshot!())) {
    outcome.problems.push('a refused request changed the stored state');
  }
  return outcome;
}

/** `work` over `items`, at most `limit` at a time, results in order. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * PERMISSIONS.md: out of scope answers exactly like "does not exist" — a 404
 * names the object as for a missing one, a 400 for a destination out of scope
 * reads as for a destination that does not exist.
 */
function checkSameAsMissing(outcomes: Outcome[]): void {
  const rows = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const key = `${outcome.variant}|${outcome.caller}`;
    rows.set(key, [...(rows.get(key) ?? []), outcome]);
  }
  for (const row of rows.values()) {
    const missing = row.find((o) => o.column === MISSING && o.observed === 'N');
    for (const outcome of row) {
      if (!missing || outcome === missing || outcome.observed !== 'N' || outcome.subjectId === undefined) continue;
      const wanted = missing.message.replaceAll(String(MISSING_ID), String(outcome.subjectId));
      if (outcome.message !== wanted) outcome.problems.push(`404 message differs from a missing object's ("${wanted}")`);
    }
    for (const field of ['networkId', 'mailboxId'] as const) {
      const reference = row.find((o) => o.named?.[field] === MISSING_ID && o.observed === `I:${field}`);
      for (const outcome of row) {
        const named = outcome.named?.[field] ?? 0;
        if (!reference || outcome === reference || outcome.observed !== `I:${field}` || named === 0 || named === MISSING_ID) continue;
        if (outcome.message !== reference.message) outcome.problems.push(`400 message differs from a missing ${field}'s ("${reference.message}")`);
      }
    }
  }
}

export interface MatrixRun {
  outcomes: Outcome[];
  requests: number;
}

/**
 * Every case of every variant for these callers: the read phase first (lasting
 * subjects, small listings), then the writes on fresh subjects, then — one at
 * a time — the changes of shared networks and mailboxes.
 */
export async function runMatrix(world: AuthzWorld, callers: readonly Member[], credential: Credential, concurrency = 8): Promise<MatrixRun> {
  const api = new Api(world.server.url, null);
  const jobs: Job[] = Object.values(MATRIX).flat().flatMap((variant) =>
    callers.flatMap((caller) => variant.columns(world, caller).map((column) => ({ variant, caller, column }))),
  );
  const outcomes: Outcome[] = [];
  for (const [phase, limit] of [['read', concurrency], ['write', concurrency], ['serial', 1]] as const) {
    outcomes.push(...(await inParallel(jobs.filter((j) => j.variant.phase === phase), limit, (job) => run(api, job, credential))));
  }
  checkSameAsMissing(outcomes);
  return { outcomes, requests: outcomes.length };
}

/** The outcomes with problems, one line each, as a table for a failure message. */
export function mismatchTable(outcomes: readonly Outcome[]): string {
  const failed = outcomes.filter((o) => o.problems.length > 0);
  const header = '| endpoint | caller | subject | expected | got | rule | problem | message |';
  const lines = failed.map(
    (o) => `| ${o.variant} | ${o.caller} | ${o.column} | ${o.expected} | ${o.observed} | ${o.why} | ${o.problems.join('; ')} | ${o.message} |`,
  );
  return [`${failed.length} mismatch(es):`, header, ...lines].join('\n');
}
