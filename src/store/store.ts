/**
 * The Store: repositories in domain terms over one dialect. `transaction`
 * gives the same repositories bound to one transaction; everything else runs
 * in autocommit.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect, DialectName } from './dialects/dialect.js';
import { StoreUnavailable } from './errors.js';
import { migrateToLatest } from './migrations/index.js';
import { UserQueries } from './queries/users.js';
import { MailboxQueries, NetworkQueries } from './queries/tenancy.js';
import { KeyQueries, keyBatch } from './queries/keys.js';
import { AuditQueries } from './queries/audit.js';
import { SettingQueries } from './queries/settings.js';
import { SessionQueries, sessionBatch } from './queries/sessions.js';
import { LoginStateQueries } from './queries/login-state.js';
import { OutboxQueries } from './queries/outbox.js';
import { sharedShape, type GuardedUserInsert, type GuardedUserUpdate } from './queries/users.js';
import { TurnBatch } from './turn-batch.js';
import type { User } from '../domain/types.js';

/**
 * The credential lookups every authenticated request makes, gathered by turn
 * of the event loop into one statement each (TurnBatch; Dialect.readsInBatches).
 */
interface CredentialLookups {
  keys: ReturnType<typeof keyBatch>;
  sessions: ReturnType<typeof sessionBatch>;
}

export class Repositories {
  readonly users: UserQueries;
  readonly networks: NetworkQueries;
  readonly mailboxes: MailboxQueries;
  readonly keys: KeyQueries;
  readonly audit: AuditQueries;
  readonly settings: SettingQueries;
  readonly sessions: SessionQueries;
  readonly loginState: LoginStateQueries;
  readonly outbox: OutboxQueries;

  /** `lookups`: the store's own repositories, on a dialect that reads in batches (CredentialLookups); none in a transaction. */
  constructor(db: Kysely<Database>, dialect: Dialect, lookups?: CredentialLookups) {
    this.users = new UserQueries(db, dialect);
    this.networks = new NetworkQueries(db, dialect);
    this.mailboxes = new MailboxQueries(db, dialect);
    this.keys = new KeyQueries(db, dialect, lookups?.keys);
    this.audit = new AuditQueries(db, dialect);
    this.settings = new SettingQueries(db);
    this.sessions = new SessionQueries(db, dialect, lookups?.sessions);
    this.loginState = new LoginStateQueries(db, dialect);
    this.outbox = new OutboxQueries(db, dialect);
  }
}

/**
 * Lock order: every transaction that locks more than one row takes its locks
 * in this order, so two transactions can wait for each other only one way
 * (PostgreSQL; SQLite has one writer and its lock helpers are no-ops).
 *
 *   1. users, FOR UPDATE, in ascending userId when there are several
 *      (the user changed; the owner of a key or session being changed);
 *   2. the destination network, then mailbox, FOR SHARE (checkPlacement;
 *      role and set-network-mailbox take them in step 1's statement, after
 *      the user: UserQueries.findForUpdateWithDestination, whose locking
 *      clauses name the tables in this order, which is the order PostgreSQL
 *      locks them in): a placement keeps them from changing status until commit. A
 *      transaction that holds a share lock never asks for FOR UPDATE on the
 *      same row: two holders upgrading wait for each other (a deadlock on
 *      every collision of two moves into one mailbox, found by `npm run stress`);
 *   3. rows written by the statement itself: the users row (UPDATE, which also
 *      takes FOR KEY SHARE on its network and mailbox), then user_counts by its
 *      trigger, its two rows in group-key order (migration 0003);
 *   4. inserts only: audit events, sessions, keys, outbox.
 * PUT /v2/users on PostgreSQL (updateUserGuarded) is one statement that takes
 * step 3's locks in the same order: the users row by its UPDATE, user_counts by
 * the trigger, then the audit insert and the sessions it ends.
 * Changes of a network or mailbox lock that one row FOR UPDATE and no user
 * row (they count users without locking them). A key being revoked is read
 * without a lock, then its owner is locked (step 1) and the key re-checked in
 * the UPDATE's WHERE clause; a session refresh or logout changes its one
 * session row with a conditional UPDATE and locks nothing else.
 */
const MAX_ATTEMPTS = 5;
/** A result or the error that took its place: one per change of a shared statement. */
type Settled<T> = { value: T } | { error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
const unsettle = <T>(settled: Settled<T>): T => {
  if ('error' in settled) throw settled.error;
  return settled.value;
};
/** A read on a dead connection: tried again after 5, then 10 ms. */
const READ_ATTEMPTS = 3;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A connection that died under the work (worth another try); not a wait for a pooled connection that timed out. */
const deadConnection = (mapped: unknown) => mapped instanceof StoreUnavailable && !mapped.poolExhausted;

export class Store extends Repositories {
  readonly dialectName: DialectName;
  /** See Dialect.writesInOneStatement: whether updateUserGuarded is one statement (one round trip). */
  readonly writesInOneStatement: boolean;

  /** Credential lookups gathered by turn (Dialect.readsInBatches), for metrics. */
  readonly #lookups: CredentialLookups | undefined;
  /** Guarded user updates gathered by turn into shared statements (updateUserGuarded), where writes are one statement. */
  readonly #updates: TurnBatch<GuardedUserUpdate, Settled<User | null>> | undefined;

  constructor(private readonly dialect: Dialect) {
    const lookups = dialect.readsInBatches ? { keys: keyBatch(dialect.db, dialect), sessions: sessionBatch(dialect.db, dialect) } : undefined;
    super(dialect.db, dialect, lookups);
    this.#lookups = lookups;
    this.dialectName = dialect.name;
    this.writesInOneStatement = dialect.writesInOneStatement;
    this.#updates = dialect.writesInOneStatement ? new TurnBatch((changes) => this.#updateTogether(changes)) : undefined;
  }

  /**
   * Runs `work` in one transaction and returns its result. Driver errors come
   * out as StoreConflict / StoreUnavailable. Run again, a few times, on
   * serialization failures and deadlocks, and when the connection died before
   * the commit was sent (the database rolled it back, so nothing was written),
   * but not when no pooled connection freed up in time (that would only wait
   * as long again). A failure of the commit itself is not retried: its outcome is unknown.
   * So `work` must have no side effects outside the transaction.
   */
  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let committing = false;
      try {
        return await this.dialect.db.transaction().execute(async (trx) => {
          const run = () => work(new Repositories(trx, this.dialect));
          const result = await (this.dialect.holding ? this.dialect.holding(trx, run) : run());
          committing = true;
          return result;
        });
      } catch (error) {
        const mapped = this.dialect.mapError(error);
        const retry = this.dialect.isRetryable(error) || (deadConnection(mapped) && !committing);
        if (retry && attempt < MAX_ATTEMPTS) {
          await delay(attempt * 5);
          continue;
        }
        throw mapped;
      }
    }
  }

  /**
   * A change of one user decided on the row as read (GuardedUserUpdate), with
   * its audit event: one statement where the dialect writes several tables in
   * one (PostgreSQL: one round trip, no BEGIN/COMMIT; the statement is its own
   * transaction), else one transaction. Null when the row had moved on from the
   * version decided on: nothing was written, and the caller decides again.
   */
  async updateUserGuarded(change: GuardedUserUpdate): Promise<User | null> {
    if (this.#updates && sharedShape(change) !== undefined) return unsettle(await this.#updates.get(change));
    if (this.dialect.writesInOneStatement) return this.#statement((r) => r.users.updateWithEvent(change));
    return this.transaction(async (tx) => {
      const after = await tx.users.update(change.userId, change.patch, change.modified, change.version);
      if (!after) return null;
      if (change.revokeSessions) await tx.sessions.endAllOfUser(change.userId, change.modified);
      await tx.audit.insert(change.event);
      return after;
    });
  }

  /**
   * The guarded updates asked for in one turn (TurnBatch), written together:
   * those of one sharedShape, each of another user, in one statement
   * (UserQueries.updateManyWithEvent: one round trip, one COMMIT and one WAL
   * flush for all of them); any other alone. A shared statement that fails
   * wrote nothing, and each of its changes is then written alone, so that
   * each gets its own answer or its own error; a change whose row moved on
   * meanwhile finds itself null, as it would have alone. That holds even when
   * the shared statement's outcome is unknown (its connection lost): a change
   * it did write finds its row past the version it was decided on, writes
   * nothing again, and its caller decides again on the row as it now is.
   */
  async #updateTogether(changes: readonly GuardedUserUpdate[]): Promise<Settled<User | null>[]> {
    const alone = (change: GuardedUserUpdate) => settle(this.#statement((r) => r.users.updateWithEvent(change)));
    const groups = new Map<string, GuardedUserUpdate[]>();
    const usersOfShape = new Map<string, Set<number>>();
    const results = new Map<GuardedUserUpdate, Promise<Settled<User | null>>>();
    for (const change of changes) {
      const shape = sharedShape(change)!;
      const seen = usersOfShape.get(shape) ?? usersOfShape.set(shape, new Set()).get(shape)!;
      // A user's second change in one turn goes alone, after the shared statement is answered: its guard then sees the first.
      if (seen.has(change.userId)) continue;
      seen.add(change.userId);
      (groups.get(shape) ?? groups.set(shape, []).get(shape)!).push(change);
    }
    for (const group of groups.values()) {
      const written =
        group.length === 1
          ? [alone(group[0]!)]
          : this.#statement((r) => r.users.updateManyWithEvent(group)).then(
              (rows) => rows.map((user) => Promise.resolve<Settled<User | null>>({ value: user })),
              () => group.map(alone),
            );
      group.forEach((change, i) => results.set(change, Promise.resolve(written).then((all) => all[i]!)));
    }
    const shared = await Promise.all(changes.map((change) => results.get(change)));
    return Promise.all(changes.map((change, i) => shared[i] ?? alone(change)));
  }

  /**
   * A new user placed as decided on its destination as read (GuardedUserInsert),
   * with its audit event: one statement where the dialect writes several tables
   * in one (PostgreSQL), else one transaction. Null when the destination's
   * statuses are no longer those read: nothing was written, and the caller
   * decides again. A login taken in the network: StoreConflict, as insert.
   */
  async insertUserGuarded(guarded: GuardedUserInsert): Promise<User | null> {
    if (this.dialect.writesInOneStatement) return this.#statement((r) => r.users.insertWithEvent(guarded));
    return this.transaction(async (tx) => {
      const { destination } = guarded;
      if (destination) {
        const { network, mailbox } = destination;
        const now = await tx.mailboxes.findDestinationForShare(network.networkId, mailbox?.mailboxId ?? 0);
        if (now?.network.status !== network.status || (now.mailbox?.status ?? null) !== (mailbox?.status ?? null)) return null;
      }
      const user = await tx.users.insert(guarded.user);
      await tx.audit.insert({ ...guarded.event, targetId: user.userId });
      return user;
    });
  }

  /**
   * One writing statement in autocommit, mapping driver errors. Run again on a
   * deadlock or serialization failure (the statement was rolled back); never on
   * a lost connection, after which its outcome is unknown.
   */
  async #statement<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(this);
      } catch (error) {
        if (this.dialect.isRetryable(error) && attempt < MAX_ATTEMPTS) {
          await delay(attempt * 5);
          continue;
        }
        throw this.dialect.mapError(error);
      }
    }
  }

  /**
   * Runs `work` outside a transaction, mapping driver errors. A read on a dead
   * connection is tried again (a read changes nothing), after a pause: when the
   * database dropped every pooled connection at once (a restart, a failover,
   * pg_terminate_backend), the pool learns of each from its socket, and only
   * once the event loop has read them; retried at once, the read took the next
   * dead connection (seen under load in CI: two requests in a row answered 503).
   */
  async read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(this);
      } catch (error) {
        const mapped = this.dialect.mapError(error);
        if (deadConnection(mapped) && attempt < READ_ATTEMPTS) {
          await delay(attempt * 5);
          continue;
        }
        throw mapped;
      }
    }
  }

  /** Applies pending migrations; returns their names. `onProgress(done, pending)`: see migrateToLatest. */
  async migrate(onProgress?: (done: number, total: number) => void): Promise<string[]> {
    try {
      return await migrateToLatest(this.dialect.db as unknown as Kysely<unknown>, this.dialect.name, onProgress);
    } catch (error) {
      throw this.dialect.mapError(error);
    }
  }

  /** Resolves when the database answers a trivial query. */
  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.dialect.db);
    } catch (error) {
      const mapped = this.dialect.mapError(error);
      throw mapped instanceof StoreUnavailable ? mapped : new StoreUnavailable(String((error as Error).message), { cause: error });
    }
  }

  /** See Dialect.afterBulkLoad: called once a seed or an import has written its rows. */
  async afterBulkLoad(): Promise<void> {
    try {
      await this.dialect.afterBulkLoad();
    } catch (error) {
      throw this.dialect.mapError(error);
    }
  }

  /** Connection/pool figures of the dialect, for metrics. */
  stats(): Record<string, number> {
    if (!this.#lookups) return this.dialect.stats();
    const { keys, sessions } = this.#lookups;
    return {
      ...this.dialect.stats(),
      key_lookups_total: keys.counters.lookups,
      key_lookup_statements_total: keys.counters.statements,
      session_lookups_total: sessions.counters.lookups,
      session_lookup_statements_total: sessions.counters.statements,
      ...(this.#updates && { user_updates_gathered_total: this.#updates.counters.lookups, user_update_batches_total: this.#updates.counters.statements }),
    };
  }

  close(): Promise<void> {
    return this.dialect.close();
  }
}
