/**
 * API keys: stored as a SHA-256 hash; the primary key also as AES-256-GCM
 * ciphertext. Plain reads (list) never select hash or ciphertext.
 */
import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { ApiKey, KeyVisibility } from '../../domain/types.js';
import type { Database } from '../schema.js';
import type { Dialect } from '../dialects/dialect.js';
import type { User } from '../../domain/types.js';
import { CALLER_STANDING_COLUMNS, STANDING_COLUMNS, toCallerStanding, toStanding, type Standing } from './standing.js';
import { USER_COLUMNS, toUser, type UserRow } from './users.js';
import { prepare } from '../prepared.js';
import { TurnBatch, inOrderAsked } from '../turn-batch.js';

/** The UPDATE that revokes every live key of a user, its sealed copy dropped (a termination: AuditQueries.insertCounting). */
export function revokeKeysOfUser(db: QueryCreator<Database>, userId: number, at: string) {
  return db.updateTable('api_keys').set({ revoked_at: at, key_ciphertext: null }).where('user_id', '=', userId).where('revoked_at', 'is', null);
}

/** The UPDATE that revokes a user's live primary key, its sealed copy dropped (AuditQueries.insertIssuingPrimaryKey). */
export function revokePrimaryOfUser(db: QueryCreator<Database>, userId: number, at: string) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at, key_ciphertext: null })
    .where('user_id', '=', userId)
    .where('is_primary', '=', 1)
    .where('revoked_at', 'is', null);
}

/** The INSERT of a key (KeyQueries.insert, AuditQueries.insertIssuingPrimaryKey). */
export function insertKey(db: QueryCreator<Database>, key: NewKey) {
  return db.insertInto('api_keys').values({
    ...(key.keyId !== undefined ? { key_id: key.keyId } : {}),
    user_id: key.userId,
    key_hash: key.keyHash,
    key_hint: key.hint,
    visibility: key.visibility,
    is_primary: key.isPrimary ? 1 : 0,
    key_ciphertext: key.ciphertext,
    created: key.created,
    expires_at: key.expiresAt,
  });
}

const KEY_COLUMNS = ['key_id', 'user_id', 'visibility', 'is_primary', 'key_hint', 'created', 'expires_at', 'revoked_at'] as const;

// Every request authenticated by key runs this: compiled once (see prepared.ts).
const FIND_CREDENTIAL = prepare((db, _dialect, keyHash: string) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.user_id', 'k.user_id')
    .leftJoin('networks as n', 'n.network_id', 'u.network_id')
    .leftJoin('mailboxes as m', 'm.mailbox_id', 'u.mailbox_id')
    .select(['k.key_id', 'k.key_hash', 'k.expires_at', 'k.revoked_at', ...STANDING_COLUMNS])
    .where('k.key_hash', '=', keyHash),
);

/** The named user's columns under their own names (the caller's are `caller_`, CALLER_STANDING_COLUMNS). */
const NAMED_USER_COLUMNS = USER_COLUMNS.map((column) => `t.${column}` as const);

/**
 * FIND_CREDENTIAL and, in the same statement, the user a request names (the
 * `t` row, all nulls when there is none): GET /v2/users/{id} in one statement
 * instead of two (issue 16). Only a row: whether the caller may see it is the
 * service's decision, made after authentication as always.
 */
const FIND_CREDENTIAL_READING_USER = prepare((db, _dialect, keyHash: string, userId: number) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.user_id', 'k.user_id')
    .leftJoin('networks as n', 'n.network_id', 'u.network_id')
    .leftJoin('mailboxes as m', 'm.mailbox_id', 'u.mailbox_id')
    .leftJoin('users as t', (join) => join.on('t.user_id', '=', userId))
    .select(['k.key_id', 'k.key_hash', 'k.expires_at', 'k.revoked_at', ...CALLER_STANDING_COLUMNS, ...NAMED_USER_COLUMNS])
    .where('k.key_hash', '=', keyHash),
);

/**
 * FIND_CREDENTIAL_READING_USER for every key lookup of one event-loop turn, in
 * one statement (TurnBatch; PostgreSQL, where a statement is a round trip):
 * lookup `i` (1-based, in the order asked) is the pair (keyHashes[i],
 * userIds[i]), a null user id reading no user. A lookup whose key matches
 * nothing has no row.
 */
const FIND_CREDENTIALS = prepare((db, _dialect, keyHashes: readonly string[], userIds: readonly (number | null)[]) =>
  db
    .selectFrom(
      sql<{ key_hash: string; user_id: number | null; i: number }>`unnest(${keyHashes}::text[], ${userIds}::int[]) with ordinality`.as<'x'>(
        sql`x(key_hash, user_id, i)`,
      ),
    )
    .innerJoin('api_keys as k', 'k.key_hash', 'x.key_hash')
    .innerJoin('users as u', 'u.user_id', 'k.user_id')
    .leftJoin('networks as n', 'n.network_id', 'u.network_id')
    .leftJoin('mailboxes as m', 'm.mailbox_id', 'u.mailbox_id')
    .leftJoin('users as t', 't.user_id', 'x.user_id')
    .select(['x.i', 'k.key_id', 'k.key_hash', 'k.expires_at', 'k.revoked_at', ...CALLER_STANDING_COLUMNS, ...NAMED_USER_COLUMNS]),
);

type CredentialRow = NonNullable<Awaited<ReturnType<typeof FIND_CREDENTIAL_READING_USER.first>>>;
type Lookup = { keyHash: string; userId: number | null };

/** The key lookups of one turn on `db` (the store's, outside any transaction) as one FIND_CREDENTIALS. */
export function keyBatch(db: Kysely<Database>, dialect: Dialect): TurnBatch<Lookup, CredentialRow | undefined> {
  // Key hashes are unique: one row per lookup at most.
  return new TurnBatch<Lookup, CredentialRow | undefined>(async (lookups) =>
    inOrderAsked(await FIND_CREDENTIALS.rows(db, dialect, [lookups.map((l) => l.keyHash), lookups.map((l) => l.userId)]), lookups.length),
  );
}

export interface NewKey {
  keyId?: number;
  userId: number;
  keyHash: string;
  hint: string;
  visibility: KeyVisibility;
  isPrimary: boolean;
  ciphertext: string | null;
  created: string;
  expiresAt: string | null;
}

/** What authentication needs to know about a key and everything it depends on. */
export interface KeyCredential extends Standing {
  keyId: number;
  keyHash: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export class KeyQueries {
  /** `batch`: where key lookups go on a store that gathers them by turn (keyBatch); none in a transaction. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly batch?: TurnBatch<Lookup, CredentialRow | undefined>,
  ) {}

  #toKey = (row: {
    key_id: number; user_id: number; visibility: string; is_primary: number; key_hint: string;
    created: string | Date; expires_at: string | Date | null; revoked_at: string | Date | null;
  }): ApiKey => ({
    keyId: row.key_id,
    userId: row.user_id,
    visibility: row.visibility as KeyVisibility,
    isPrimary: row.is_primary === 1,
    hint: row.key_hint,
    created: this.dialect.readTime(row.created),
    expiresAt: row.expires_at === null ? null : this.dialect.readTime(row.expires_at),
    revokedAt: row.revoked_at === null ? null : this.dialect.readTime(row.revoked_at),
  });

  /**
   * The key with this hash joined with its user's, network's and mailbox's
   * status; null when no key has this hash (revoked keys are returned: the
   * caller decides).
   */
  async findCredential(keyHash: string): Promise<KeyCredential | null> {
    if (this.batch) {
      const row = await this.batch.get({ keyHash, userId: null });
      return row ? this.#toCredential(row, toCallerStanding(row)) : null;
    }
    const row = await FIND_CREDENTIAL.first(this.db, this.dialect, [keyHash]);
    return row ? this.#toCredential(row, toStanding(row)) : null;
  }

  /** findCredential, and the user with id `userId` (null when there is none) read in the same statement. */
  async findCredentialReadingUser(keyHash: string, userId: number): Promise<{ credential: KeyCredential; user: User | null } | null> {
    const row = this.batch
      ? await this.batch.get({ keyHash, userId })
      : await FIND_CREDENTIAL_READING_USER.first(this.db, this.dialect, [keyHash, userId]);
    if (!row) return null;
    const credential = this.#toCredential(row, toCallerStanding(row));
    // Left-joined: a user id no user has leaves every `t` column null.
    return { credential, user: row.user_id === null ? null : toUser(row as UserRow, this.dialect) };
  }

  #toCredential(
    row: { key_id: number; key_hash: string; expires_at: string | Date | null; revoked_at: string | Date | null },
    standing: Standing,
  ): KeyCredential {
    return {
      keyId: row.key_id,
      keyHash: row.key_hash,
      expiresAt: row.expires_at === null ? null : this.dialect.readTime(row.expires_at),
      revokedAt: row.revoked_at === null ? null : this.dialect.readTime(row.revoked_at),
      ...standing,
    };
  }

  /** Inserts a key; StoreConflict('api_keys_hash_unique') if the hash exists (a UUID collision: never in practice). */
  async insert(key: NewKey): Promise<ApiKey> {
    const row = await insertKey(this.db, key).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
    if (key.keyId !== undefined) await this.dialect.syncIdentity(this.db, 'api_keys');
    return this.#toKey(row);
  }

  /** The user's live primary key with its ciphertext; null when it has none. */
  async findPrimary(userId: number): Promise<{ key: ApiKey; ciphertext: string } | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .select([...KEY_COLUMNS, 'key_ciphertext'])
      .where('user_id', '=', userId)
      .where('is_primary', '=', 1)
      .where('revoked_at', 'is', null)
      .orderBy('key_id', 'desc')
      .executeTakeFirst();
    if (!row || row.key_ciphertext === null) return null;
    return { key: this.#toKey(row), ciphertext: row.key_ciphertext };
  }

  /** The key with this id, revoked or not; null on a miss. */
  async findById(keyId: number): Promise<ApiKey | null> {
    const row = await this.db.selectFrom('api_keys').select(KEY_COLUMNS).where('key_id', '=', keyId).executeTakeFirst();
    return row ? this.#toKey(row) : null;
  }

  /** The user's live keys (not revoked), by id, optionally of one visibility. */
  async listLive(userId: number, visibility?: KeyVisibility): Promise<ApiKey[]> {
    let query = this.db.selectFrom('api_keys').select(KEY_COLUMNS).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (visibility) query = query.where('visibility', '=', visibility);
    const rows = await query.orderBy('key_id').execute();
    return rows.map(this.#toKey);
  }

  /** Revokes the user's primary key (and drops its ciphertext); returns how many were revoked. */
  async revokePrimary(userId: number, at: string): Promise<number> {
    const result = await revokePrimaryOfUser(this.db, userId, at).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Revokes one key; returns whether it was live. */
  async revoke(keyId: number, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at, key_ciphertext: null })
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
