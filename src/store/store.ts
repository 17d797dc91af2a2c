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
import { KeyQueries } from './queries/keys.js';
import { AuditQueries } from './queries/audit.js';
import { SettingQueries } from './queries/settings.js';
import { SessionQueries } from './queries/sessions.js';

export class Repositories {
  readonly users: UserQueries;
  readonly networks: NetworkQueries;
  readonly mailboxes: MailboxQueries;
  readonly keys: KeyQueries;
  readonly audit: AuditQueries;
  readonly settings: SettingQueries;
  readonly sessions: SessionQueries;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.users = new UserQueries(db, dialect);
    this.networks = new NetworkQueries(db, dialect);
    this.mailboxes = new MailboxQueries(db, dialect);
    this.keys = new KeyQueries(db, dialect);
    this.audit = new AuditQueries(db, dialect);
    this.settings = new SettingQueries(db);
    this.sessions = new SessionQueries(db);
  }
}

const MAX_ATTEMPTS = 5;

export class Store extends Repositories {
  readonly dialectName: DialectName;

  constructor(private readonly dialect: Dialect) {
    super(dialect.db, dialect);
    this.dialectName = dialect.name;
  }

  /**
   * Runs `work` in one transaction and returns its result. Driver errors come
   * out as StoreConflict / StoreUnavailable; serialization failures and
   * deadlocks are retried a few times (so `work` must be safe to run again: no
   * side effects outside the transaction).
   */
  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dialect.db.transaction().execute((trx) => work(new Repositories(trx, this.dialect)));
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && this.dialect.isRetryable(error)) continue;
        throw this.dialect.mapError(error);
      }
    }
  }

  /** Runs `work` outside a transaction, mapping driver errors. */
  async read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    try {
      return await work(this);
    } catch (error) {
      throw this.dialect.mapError(error);
    }
  }

  async migrate(): Promise<string[]> {
    try {
      return await migrateToLatest(this.dialect.db as unknown as Kysely<unknown>, this.dialect.name);
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

  close(): Promise<void> {
    return this.dialect.close();
  }
}
