/**
 * Authentication: turns the credential of a request into a Principal, or
 * answers 401. A user that is not Active, or whose network or mailbox is
 * Suspended/Terminated, cannot authenticate whatever it presents.
 */
import { ApiError } from '../contract/errors.js';
import { admitsMembers, userMayAuthenticate, type Status } from '../domain/statuses.js';
import type { Principal } from '../domain/types.js';
import type { ReadAhead } from './context.js';
import { hashApiKey, sameDigest } from '../security/api-keys.js';
import type { Store } from '../store/store.js';
import type { Standing } from '../store/queries/standing.js';

export interface Credentials {
  apiKey: string | undefined;
  bearer: string | undefined;
}

/** Whether the user and the tenancy it lives in still let it in. */
export function standingAllowsAccess(credential: Standing): boolean {
  const { user, networkStatus, mailboxStatus } = credential;
  if (!userMayAuthenticate(user.status)) return false;
  if (user.networkId > 0 && (networkStatus === null || !admitsMembers(networkStatus as Status))) return false;
  if (user.mailboxId > 0 && (mailboxStatus === null || !admitsMembers(mailboxStatus as Status))) return false;
  return true;
}

/** Who turns a Bearer token into a Principal (the session service). */
export interface BearerAuthenticator {
  authenticateBearer(token: string): Promise<Principal>;
}

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly sessions: BearerAuthenticator,
  ) {}

  /**
   * X-API-Key wins when both are present (API.md §1); with neither, the API-key error answers.
   * `readUserId`: the user the request names, read in the same statement as an API key (the
   * common case of GET /v2/users/{id}); a bearer token reads it later, as before.
   */
  async authenticate(credentials: Credentials, readUserId?: number): Promise<{ principal: Principal; readAhead?: ReadAhead }> {
    if (credentials.apiKey !== undefined) return this.#authenticateApiKey(credentials.apiKey, readUserId);
    if (credentials.bearer !== undefined) return { principal: await this.authenticateBearer(credentials.bearer) };
    throw ApiError.invalidApiKey();
  }

  async #authenticateApiKey(apiKey: string, readUserId?: number): Promise<{ principal: Principal; readAhead?: ReadAhead }> {
    const keyHash = hashApiKey(apiKey);
    let readAhead: ReadAhead | undefined;
    const credential = await this.store.read(async (r) => {
      if (readUserId === undefined) return r.keys.findCredential(keyHash);
      const found = await r.keys.findCredentialReadingUser(keyHash, readUserId);
      if (found) readAhead = { userId: readUserId, user: found.user };
      return found?.credential ?? null;
    });
    if (
      !credential ||
      !sameDigest(credential.keyHash, keyHash) ||
      credential.revokedAt !== null ||
      (credential.expiresAt !== null && Date.parse(credential.expiresAt) <= Date.now()) ||
      !standingAllowsAccess(credential)
    ) {
      throw ApiError.invalidApiKey();
    }
    return { principal: { ...credential.user, credential: { kind: 'key', keyId: credential.keyId } }, ...(readAhead ? { readAhead } : {}) };
  }

  /** Missing, malformed, tampered, expired or revoked tokens, and users who may no longer log in: 401 InvalidSession. */
  authenticateBearer(token: string): Promise<Principal> {
    return this.sessions.authenticateBearer(token);
  }
}
