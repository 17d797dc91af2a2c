/**
 * What the server sets up on start: the first Root user (so a fresh database
 * can be administered at all) and, on request, the documented sample data.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../security/passwords.js';
import type { KeyVault } from '../security/key-vault.js';
import { StoreConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { auditEvent, diff, userTarget } from './audit-trail.js';
import { nowIso, systemContext } from './context.js';
import { issuePrimaryKey } from './primary-keys.js';

/** A password nobody knows: for accounts that authenticate by key until someone sets one. */
export function unusablePassword(): string {
  return `${randomBytes(24).toString('base64url')}aA1!`;
}

/**
 * On a database without a Root user, creates user `root` (Root, network 0)
 * whose primary API key is `rootApiKey`, or a generated key. Returns the key
 * when this call created it, null when a Root already existed (or another
 * instance won the race).
 */
export async function ensureRootUser(store: Store, vault: KeyVault, rootApiKey: string | null): Promise<string | null> {
  if (await store.read((r) => r.users.hasRoot())) return null;
  const passwordHash = await hashPassword(unusablePassword());
  const context = systemContext('bootstrap');
  try {
    return await store.transaction(async (tx) => {
      if (await tx.users.hasRoot()) return null;
      const root = await tx.users.insert({
        login: 'root',
        email: 'root@localhost.localdomain',
        firstName: 'Root',
        lastName: '',
        networkId: 0,
        mailboxId: 0,
        authLevel: 'Root',
        status: 'Active',
        passwordHash,
        created: nowIso(),
      });
      await tx.audit.insert(auditEvent(context, 'user.create', userTarget(root), diff(null, root, ['login', 'authLevel', 'status'])));
      const { key } = await issuePrimaryKey(tx, vault, root, context, rootApiKey ?? undefined);
      return key;
    });
  } catch (error) {
    if (error instanceof StoreConflict) return null;
    throw error;
  }
}
