/**
 * API keys (API.md §5). A key is shown in full once, when it is created; later
 * only the primary key can be read back (it alone is also stored sealed, see
 * primary-keys.ts), every other key only as its hint (first 4 + … + last 4).
 *
 * Decision: `keys/create` makes additional, non-primary keys of any visibility
 * (`Private` included); the primary key comes only from
 * POST /v2/users/key-generate/{id}. A `Session` key stops working the token
 * lifetime after its creation (`expires_at`; authentication refuses it after).
 */
import { ApiError } from '../contract/errors.js';
import type { CreateKeyBody, DeleteKeyBody, ListKeysBody } from '../contract/keys.js';
import { canManageUser, canReadApiKey } from '../domain/permissions.js';
import type { ApiKey, User } from '../domain/types.js';
import { generateApiKey, hashApiKey, keyHint } from '../security/api-keys.js';
import type { KeyVault } from '../security/key-vault.js';
import type { Store } from '../store/store.js';
import { enforce } from './access.js';
import { auditEvent } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import { readPrimaryKey } from './primary-keys.js';
import { loadUserForUpdate, refuseTerminated, userNotFound } from './user-service.js';

/** A key as a caller may see it: `key` is the full key or, for keys that cannot be shown, its hint. */
export interface ShownKey {
  info: ApiKey;
  key: string;
}

/** Decision: at most this many live keys besides the primary per user (rows cannot grow without bound). */
export const MAX_EXTRA_KEYS = 100;

export const keyNotFound = (id: number) => () => ApiError.notFound('Key', id);

function keyTarget(keyId: number, owner: Pick<User, 'networkId' | 'mailboxId'>) {
  return { type: 'key' as const, id: keyId, networkId: owner.networkId, mailboxId: owner.mailboxId };
}

/** Live: not revoked and, for a Session key, not yet expired. */
function isLive(key: ApiKey, nowMs: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || Date.parse(key.expiresAt) > nowMs);
}

export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly vault: KeyVault,
    private readonly tokenTtlSeconds: number,
  ) {}

  /** POST /v2/keys/create: own keys for anyone active, others' per `canManageUser`. */
  async create(context: RequestContext, body: CreateKeyBody): Promise<ShownKey> {
    const key = generateApiKey();
    return this.store.transaction(async (tx) => {
      const owner = await loadUserForUpdate(tx, body.userId);
      enforce(canManageUser(context.principal, owner), userNotFound(body.userId));
      refuseTerminated(owner);
      const now = Date.now();
      const extra = (await tx.keys.listLive(owner.userId)).filter((k) => !k.isPrimary && isLive(k, now));
      if (extra.length >= MAX_EXTRA_KEYS) {
        throw ApiError.invalid('userId', `user ${owner.userId} already has ${MAX_EXTRA_KEYS} keys; delete one first`);
      }
      const created = new Date(now).toISOString();
      const expiresAt = body.visibility === 'Session' ? new Date(now + this.tokenTtlSeconds * 1000).toISOString() : null;
      const info = await tx.keys.insert({
        userId: owner.userId,
        keyHash: hashApiKey(key),
        hint: keyHint(key),
        visibility: body.visibility,
        isPrimary: false,
        ciphertext: null,
        created,
        expiresAt,
      });
      await tx.audit.insert(
        auditEvent(context, 'key.create', keyTarget(info.keyId, owner), {
          userId: { old: null, new: owner.userId },
          visibility: { old: null, new: info.visibility },
          ...(expiresAt !== null ? { expiresAt: { old: null, new: expiresAt } } : {}),
        }),
      );
      return { info, key };
    });
  }

  /** POST /v2/keys/get-key: the user's primary key in full (`canReadApiKey`); the read is audited. */
  async getPrimary(context: RequestContext, userId: number): Promise<ShownKey> {
    return this.store.transaction((tx) => readPrimaryKey(tx, this.vault, context, userId));
  }

  /**
   * POST /v2/keys/list: the user's live keys by keyId. Decision: the primary key
   * is shown in full only to a caller who may read it (`canReadApiKey`, and
   * that read is audited like get-key); otherwise it is masked like the rest.
   */
  async list(context: RequestContext, body: ListKeysBody): Promise<ShownKey[]> {
    return this.store.transaction(async (tx) => {
      const owner = await tx.users.findById(body.userId);
      if (!owner) throw userNotFound(body.userId)();
      enforce(canManageUser(context.principal, owner), userNotFound(body.userId));
      const now = Date.now();
      const keys = (await tx.keys.listLive(owner.userId, body.visibility)).filter((k) => isLive(k, now));
      const showPrimary = canReadApiKey(context.principal, owner).allow;
      const shown: ShownKey[] = [];
      for (const info of keys) {
        shown.push(info.isPrimary && showPrimary ? await readPrimaryKey(tx, this.vault, context, owner.userId) : { info, key: info.hint });
      }
      return shown;
    });
  }

  /**
   * DELETE /v2/keys: revokes the key at once. A key that is unknown, already
   * deleted, or whose owner is outside the caller's scope is 404 alike.
   */
  async delete(context: RequestContext, body: DeleteKeyBody): Promise<void> {
    await this.store.transaction(async (tx) => {
      const key = await tx.keys.findById(body.keyId);
      if (!key || key.revokedAt !== null) throw keyNotFound(body.keyId)();
      const owner = await tx.users.findByIdForUpdate(key.userId);
      if (!owner) throw keyNotFound(body.keyId)();
      enforce(canManageUser(context.principal, owner), keyNotFound(body.keyId));
      const revokedAt = nowIso();
      // A concurrent delete of the same key may have won while this one waited for the owner's row.
      if (!(await tx.keys.revoke(key.keyId, revokedAt))) throw keyNotFound(body.keyId)();
      await tx.audit.insert(
        auditEvent(context, 'key.revoke', keyTarget(key.keyId, owner), {
          revokedAt: { old: null, new: revokedAt },
          ...(key.isPrimary ? { primary: { old: true, new: false } } : {}),
        }),
      );
    });
  }
}
