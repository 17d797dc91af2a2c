/**
 * Issuing and reading a user's primary API key: used by key-generate, the
 * Root bootstrap, the keys API and the operator CLI alike.
 */
import { ApiError } from '../contract/errors.js';
import { canReadApiKey } from '../domain/permissions.js';
import { generateApiKey, hashApiKey, keyHint } from '../security/api-keys.js';
import type { KeyVault } from '../security/key-vault.js';
import type { Repositories } from '../store/store.js';
import type { ApiKey, User } from '../domain/types.js';
import type { RequestContext, SystemContext } from './context.js';
import { nowIso } from './context.js';
import { auditEvent } from './audit-trail.js';
import { enforce } from './access.js';

/**
 * Inside a transaction: revokes the user's primary key, stores `key` (or a new
 * random one) as the primary — hash plus sealed copy — and audits it.
 * Returns the key in clear, for the caller to hand out once.
 */
export async function issuePrimaryKey(
  tx: Repositories,
  vault: KeyVault,
  user: Pick<User, 'userId' | 'networkId' | 'mailboxId'>,
  context: RequestContext | SystemContext,
  key: string = generateApiKey(),
  keyId?: number,
): Promise<{ key: string }> {
  const now = nowIso();
  // The event's target and primaryKeyId are the new key's id, which the store fills in (the id is not known before).
  const event = auditEvent(context, 'key.generate-primary', { type: 'key', id: 0, networkId: user.networkId, mailboxId: user.mailboxId }, {});
  await tx.audit.insertIssuingPrimaryKey(
    {
      keyId,
      userId: user.userId,
      keyHash: hashApiKey(key),
      hint: keyHint(key),
      visibility: 'Private',
      isPrimary: true,
      ciphertext: vault.seal(user.userId, key),
      created: now,
      expiresAt: null,
    },
    { event, idField: 'primaryKeyId', whenRevoked: { previousPrimaryRevoked: { old: false, new: true } } },
  );
  return { key };
}

/**
 * Inside a transaction: the user's current primary key, decrypted, for a caller
 * allowed to read it (`canReadApiKey`; out of scope = 404 like a missing user).
 * The read is audited (`key.read`, without the key). 404 when the user has no
 * primary key. Used by GET /v2/users/key/{id} and POST /v2/keys/get-key.
 */
export async function readPrimaryKey(
  tx: Repositories,
  vault: KeyVault,
  context: RequestContext,
  userId: number,
): Promise<{ key: string; info: ApiKey }> {
  const notFound = () => ApiError.notFound('User', userId);
  const user = await tx.users.findById(userId);
  if (!user) throw notFound();
  enforce(canReadApiKey(context.principal, user), notFound);
  const primary = await tx.keys.findPrimary(userId);
  if (!primary) throw ApiError.notFound('API key', `of user ${userId}`);
  await tx.audit.insert(
    auditEvent(context, 'key.read', { type: 'key', id: primary.key.keyId, networkId: user.networkId, mailboxId: user.mailboxId }, {}),
  );
  return { key: vault.open(userId, primary.ciphertext), info: primary.key };
}
