/**
 * Bulk import of users (the operator's `ecgrid-identity import`): every row
 * passes the rules of POST /v2/users — the caller's right to create the level,
 * the placement (exists, live, in scope, fits the level), the login unique in
 * its network (in the database and within the file) — with the API's
 * messages. The schema check comes first, where the CLI reads the file with
 * POST /v2/users's schema (read-input.ts); this service does the rest.
 *
 * Writing: passwords hashed first (argon2id on the hashing threads, in
 * parallel, outside any transaction), then one transaction for all the rows:
 * multi-row inserts, one audit event per user (`user.create`, the caller as
 * actor) in the same transaction, the placements checked again inside it
 * (a network terminated meanwhile fails the whole import). So an import is
 * all or nothing; rows rejected beforehand are simply not part of it.
 */
import { ApiError } from '../contract/errors.js';
import type { ImportUserRow } from '../contract/users.js';
import { scopeOf } from '../domain/scopes.js';
import type { AuthLevel } from '../domain/levels.js';
import type { Status } from '../domain/statuses.js';
import { hashPassword, NO_PASSWORD_HASH } from '../security/passwords.js';
import type { Repositories, Store } from '../store/store.js';
import type { NewUser } from '../store/queries/users.js';
import { auditEvent, diff, userTarget } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import { StoreConflict } from '../store/errors.js';
import { checkPlacement, CREATED_FIELDS, loginTaken, newUserPlace } from './user-service.js';

/** A row as read from the file: its line and either its schema-checked value or what is wrong with it. */
export type ImportRowInput = { line: number; value: ImportUserRow; problem?: undefined } | { line: number; problem: string };

export interface RejectedRow {
  line: number;
  /** `field: what is wrong` as the API words it. */
  problem: string;
}

export interface AcceptedRow {
  line: number;
  user: Omit<NewUser, 'passwordHash' | 'created'>;
  password?: string;
}

export interface ImportPlan {
  accepted: AcceptedRow[];
  rejected: RejectedRow[];
}

export type OnProgress = (done: number, total: number) => void;

const AUDITED_FIELDS = [...CREATED_FIELDS, 'company', 'phone', 'cellPhone', 'cellCarrier', 'timeZoneOffset'] as const;
/** Rows per multi-row statement, and between progress reports while writing. */
const WRITE_BATCH = 500;
/** Rows from which an import counts as a bulk load (see Store.afterBulkLoad). */
const TIDY_AFTER_ROWS = 10_000;

function problemOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  throw error;
}

export class UserImportService {
  constructor(private readonly store: Store) {}

  /**
   * Checks every row against the rules of POST /v2/users as `context`'s caller would create it
   * (`networkId`: the network rows default to, and the only one they may name). Writes nothing.
   */
  async check(context: RequestContext, rows: ImportRowInput[], options: { networkId?: number } = {}, onProgress?: OnProgress): Promise<ImportPlan> {
    const caller = context.principal;
    const scope = scopeOf(caller);
    const rejected: RejectedRow[] = [];
    const accepted: AcceptedRow[] = [];
    const placements = new Map<string, string | null>();
    const firstLine = new Map<string, number>();
    let done = 0;
    for (const row of rows) {
      if (++done % 1000 === 0) onProgress?.(done, rows.length);
      if (row.problem !== undefined) {
        rejected.push({ line: row.line, problem: row.problem });
        continue;
      }
      const value = row.value;
      if (options.networkId !== undefined) {
        if (value.networkId === undefined) value.networkId = options.networkId;
        else if (value.networkId !== options.networkId) {
          rejected.push({ line: row.line, problem: `networkId: must be ${options.networkId} (the import is limited to --network ${options.networkId})` });
          continue;
        }
      }
      let place: { authLevel: AuthLevel; networkId: number; mailboxId: number };
      try {
        place = newUserPlace(caller, value);
      } catch (error) {
        rejected.push({ line: row.line, problem: problemOf(error) });
        continue;
      }
      // The same placement check as POST /v2/users, once per distinct (level, network, mailbox).
      const placeKey = `${place.authLevel}:${place.networkId}:${place.mailboxId}`;
      if (!placements.has(placeKey)) {
        placements.set(
          placeKey,
          await this.store.read((r) => checkPlacement(r, scope, place.authLevel, place.networkId, place.mailboxId)).then(() => null, problemOf),
        );
      }
      const placeProblem = placements.get(placeKey);
      if (placeProblem) {
        rejected.push({ line: row.line, problem: placeProblem });
        continue;
      }
      const loginKey = `${place.networkId}:${value.login.toLowerCase()}`;
      const earlier = firstLine.get(loginKey);
      if (earlier !== undefined) {
        rejected.push({ line: row.line, problem: `login: "${value.login}" appears more than once in network ${place.networkId} of the file (first on line ${earlier})` });
        continue;
      }
      firstLine.set(loginKey, row.line);
      accepted.push({
        line: row.line,
        user: {
          login: value.login,
          email: value.email,
          firstName: value.firstName ?? '',
          lastName: value.lastName ?? '',
          networkId: place.networkId,
          mailboxId: place.mailboxId,
          authLevel: place.authLevel,
          status: (value.status ?? 'Active') as Status,
          company: value.company ?? '',
          phone: value.phone ?? '',
          cellPhone: value.cellPhone ?? '',
          cellCarrier: value.cellCarrier ?? 'Undefined',
          timeZoneOffset: value.timeZoneOffset ?? null,
        },
        ...(value.password !== undefined ? { password: value.password } : {}),
      });
    }
    // Logins already taken in their network: one query per network and 500 logins.
    const byNetwork = new Map<number, AcceptedRow[]>();
    for (const row of accepted) {
      const networkRows = byNetwork.get(row.user.networkId);
      if (networkRows) networkRows.push(row);
      else byNetwork.set(row.user.networkId, [row]);
    }
    const taken = new Set<AcceptedRow>();
    for (const [networkId, networkRows] of byNetwork) {
      const logins = await this.store.read((r) => r.users.takenLogins(networkId, networkRows.map((row) => row.user.login)));
      for (const row of networkRows) {
        if (logins.has(row.user.login.toLowerCase())) {
          taken.add(row);
          rejected.push({ line: row.line, problem: loginTaken(row.user.login, networkId).message });
        }
      }
    }
    onProgress?.(rows.length, rows.length);
    rejected.sort((a, b) => a.line - b.line);
    return { accepted: taken.size > 0 ? accepted.filter((row) => !taken.has(row)) : accepted, rejected };
  }

  /**
   * Writes the accepted rows of a plan as `context`'s caller: passwords hashed in parallel on
   * the hashing threads, then one transaction (see the module comment). Returns the new user ids
   * in row order. `onHashed` and `onWritten` report progress.
   */
  async write(context: RequestContext, plan: ImportPlan, progress: { onHashed?: OnProgress; onWritten?: OnProgress } = {}): Promise<number[]> {
    const rows = plan.accepted;
    const withPassword = rows.filter((row) => row.password !== undefined).length;
    let hashed = 0;
    const hashes = await Promise.all(
      rows.map((row) =>
        row.password === undefined
          ? NO_PASSWORD_HASH
          : hashPassword(row.password).then((hash) => {
              progress.onHashed?.(++hashed, withPassword);
              return hash;
            }),
      ),
    );
    const scope = scopeOf(context.principal);
    const created = nowIso();
    const users: NewUser[] = rows.map((row, i) => ({ ...row.user, passwordHash: hashes[i]!, created }));
    let ids: number[];
    try {
      ids = await this.store.transaction(async (tx: Repositories) => {
        const places = new Map(users.map((user) => [`${user.authLevel}:${user.networkId}:${user.mailboxId}`, user]));
        for (const user of places.values()) await checkPlacement(tx, scope, user.authLevel, user.networkId, user.mailboxId);
        const ids: number[] = [];
        progress.onWritten?.(0, users.length);
        for (let start = 0; start < users.length; start += WRITE_BATCH) {
          const batch = users.slice(start, start + WRITE_BATCH);
          const batchIds = await tx.users.insertBatch(batch, WRITE_BATCH);
          await tx.audit.insertMany(
            batch.map((user, i) => {
              const after = { ...user, userId: batchIds[i]! };
              return auditEvent(context, 'user.create', userTarget(after), diff(null, after, AUDITED_FIELDS));
            }),
            WRITE_BATCH,
          );
          ids.push(...batchIds);
          progress.onWritten?.(ids.length, users.length);
        }
        return ids;
      });
    } catch (error) {
      if (error instanceof StoreConflict && error.constraint === 'users_login_unique') {
        throw ApiError.duplicate('login', 'a login of the file was taken by another writer meanwhile; nothing was imported — run the import again');
      }
      throw error;
    }
    // A large import is a bulk load: the store tidies after it (Store.afterBulkLoad), a small one leaves that to
    // autovacuum. The rows are committed by now: a tidying that fails must not report the import as failed.
    if (ids.length >= TIDY_AFTER_ROWS) await this.store.afterBulkLoad().catch(() => undefined);
    return ids;
  }
}
