/**
 * Sessions (API.md §4): login, refresh, logout, session info, the caller's own
 * password change, and the Bearer half of authentication.
 *
 * A login opens a session row; the access token (a JWT) names the session and
 * its generation, and every request reads the row, so a revocation — logout,
 * refresh, reset, suspend, terminate, password change — is refused on the very
 * next request by every instance. Argon2 verification and JWT signing run
 * outside any transaction (SQLite has a single writer).
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { ApiError } from '../contract/errors.js';
import type { ChangePasswordBody, LoginBody } from '../contract/auth.js';
import { canManageUser } from '../domain/permissions.js';
import { LOCKOUT_THRESHOLD, lockoutEnd } from '../domain/lockout.js';
import type { Principal, User } from '../domain/types.js';
import { sameDigest } from '../security/api-keys.js';
import type { KeyVault } from '../security/key-vault.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../security/passwords.js';
import {
  generateRefreshToken, hashRefreshToken, looksLikeJwt, sessionOfRefreshToken, type AccessClaims, type TokenSigner,
} from '../security/tokens.js';
import type { Repositories, Store } from '../store/store.js';
import type { SessionCredential } from '../store/queries/sessions.js';
import { enforce } from './access.js';
import { auditEvent, diff, userTarget } from './audit-trail.js';
import { standingAllowsAccess } from './auth-service.js';
import type { RequestContext, SystemContext } from './context.js';
import { nowIso } from './context.js';
import { isLockedOut } from './present.js';
import { SignerSource } from './signing-key.js';
import { userNotFound } from './user-service.js';

/**
 * Decision: a session lives at most 24 hours from its login (or one token
 * lifetime, if that is longer); refreshing issues tokens up to that end and
 * never extends it.
 */
export const SESSION_MAX_AGE_SECONDS = 24 * 3600;

/** Written into audit events where a secret changed: never the secret itself. */
const REDACTED = '[redacted]';

/** One answer for every refused login, whatever the reason (no user enumeration). */
const badCredentials = () => ApiError.invalidSession('Login failed: wrong login or password, or the account cannot log in.');
const wrongCurrentPassword = () =>
  ApiError.invalid('currentPassword', 'does not match your current password (or the account is locked after repeated failures)');

/** Tokens handed out by login and refresh. */
export interface IssuedTokens {
  userId: number;
  token: string;
  /** Access-token expiry (ISO, whole seconds). */
  expiresAt: string;
  refreshToken: string;
}

export interface SessionDescription {
  principal: Principal;
  /** When the caller's Bearer token expires; null for an API key. */
  expiresAt: string | null;
  openSessions: number;
}

/** A session that was opened or moved on in the database and now needs its access token. */
interface Grant {
  userId: number;
  sessionId: string;
  generation: number;
  sessionEnd: string;
  refreshToken: string;
}

/** What a token presented to refresh proves, once its form has been checked. */
type Presented =
  | { kind: 'access'; claims: AccessClaims }
  | { kind: 'refresh'; sessionId: string; refreshHash: string };

/** Whether a session row still honours tokens of `generation` for `userId` at `nowMs`. */
function honours(session: SessionCredential | null, userId: number, generation: number, nowMs: number): session is SessionCredential {
  return (
    session !== null &&
    session.revokedAt === null &&
    Date.parse(session.expiresAt) > nowMs &&
    session.user.userId === userId &&
    session.generation === generation &&
    standingAllowsAccess(session)
  );
}

export class SessionService {
  readonly #signers: SignerSource;
  readonly #ttlSeconds: number;
  readonly #sessionSeconds: number;

  constructor(
    config: Pick<Config, 'jwtSecret' | 'tokenTtlSeconds'>,
    private readonly store: Store,
    vault: KeyVault,
  ) {
    this.#signers = new SignerSource(config, store, vault);
    this.#ttlSeconds = config.tokenTtlSeconds;
    this.#sessionSeconds = Math.max(SESSION_MAX_AGE_SECONDS, config.tokenTtlSeconds);
    // Made now, so that the first login of an unknown user takes no longer than any other.
    dummyPasswordHash().catch(() => {});
  }

  /** The principal of a Bearer token, or 401 InvalidSession. */
  async authenticateBearer(token: string): Promise<Principal> {
    const claims = await (await this.#signers.get()).verify(token);
    if (!claims) throw ApiError.invalidSession();
    const session = await this.store.read((r) => r.sessions.findCredential(claims.sessionId));
    if (!honours(session, claims.userId, claims.generation, Date.now())) throw ApiError.invalidSession();
    return {
      ...session.user,
      credential: { kind: 'session', sessionId: session.sessionId, expiresAt: new Date(claims.expiresAt * 1000).toISOString() },
    };
  }

  /**
   * POST /v2/auth/login. The value is matched against logins (any case) first,
   * and only when no login matches against e-mail addresses, where a shared
   * address matches nobody. Decision: when a login exists in several networks,
   * the password decides; if it fits more than one of them, nobody is logged in.
   * Terminated users are gone for good: their logins stay reserved, but they
   * are no candidates (they neither take part in that choice nor count failures).
   */
  async login(context: SystemContext, body: LoginBody): Promise<IssuedTokens> {
    const signer = await this.#signers.get();
    const { byLogin, byEmail } = await this.store.read((r) => r.users.findLoginCandidates(body.login));
    const named = byLogin.length > 0 ? byLogin : byEmail.length === 1 ? byEmail : [];
    const candidates = named.filter(({ user }) => user.status !== 'Terminated');
    const verdicts = await this.#verifyAgainst(candidates.map((c) => c.passwordHash), body.password);
    const matched = candidates.flatMap(({ user, passwordHash }, i) => (verdicts[i] ? [{ user, hash: passwordHash }] : []));

    if (matched.length === 0) {
      if (candidates.length > 0) await this.#countFailures(context, candidates.map((c) => c.user));
      throw badCredentials();
    }
    if (matched.length > 1) throw badCredentials();
    const { user, hash } = matched[0]!;
    const grant = await this.store.transaction((tx) => this.#openSession(tx, context, user.userId, hash));
    if (!grant) throw badCredentials();
    return this.#issue(grant, signer);
  }

  /**
   * POST /v2/auth/refresh, authenticated by the token in the body alone: the
   * current, unexpired access token or the current refresh token. The session
   * moves to its next generation, so the presented token and the previous
   * refresh token stop working.
   */
  async refresh(token: string): Promise<IssuedTokens> {
    const signer = await this.#signers.get();
    const presented = await this.#readPresented(token);
    if (!presented) throw ApiError.invalidSession();
    const sessionId = presented.kind === 'access' ? presented.claims.sessionId : presented.sessionId;
    const refreshToken = generateRefreshToken(sessionId);
    const grant = await this.store.transaction(async (tx): Promise<Grant | null> => {
      const now = nowIso();
      const session = await tx.sessions.findCredential(sessionId);
      if (!session) return null;
      if (presented.kind === 'refresh' && !sameDigest(presented.refreshHash, session.refreshHash)) {
        // A refresh token of this session other than its current one: a rotated
        // token presented again means a copy exists elsewhere, so the session
        // ends for everyone (refresh-token reuse detection, RFC 9700 §4.14.2).
        await tx.sessions.revoke(session.sessionId, now);
        return null;
      }
      const [userId, generation] =
        presented.kind === 'access' ? [presented.claims.userId, presented.claims.generation] : [session.user.userId, session.generation];
      if (!honours(session, userId, generation, Date.parse(now))) return null;
      if (!(await tx.sessions.rotate(sessionId, generation, hashRefreshToken(refreshToken), now))) return null;
      return { userId, sessionId, generation: generation + 1, sessionEnd: session.expiresAt, refreshToken };
    });
    if (!grant) throw ApiError.invalidSession();
    return this.#issue(grant, signer);
  }

  /** POST /v2/auth/logout: ends the caller's session; with an API key there is none, and nothing is revoked. */
  async logout(context: RequestContext): Promise<void> {
    const credential = context.principal.credential;
    if (credential.kind !== 'session') return;
    await this.store.transaction((tx) => tx.sessions.revoke(credential.sessionId, nowIso()));
  }

  /** POST /v2/auth/session */
  async describe(context: RequestContext): Promise<SessionDescription> {
    const { principal } = context;
    const openSessions = await this.store.read((r) => r.sessions.countOpen(principal.userId, nowIso()));
    return {
      principal,
      expiresAt: principal.credential.kind === 'session' ? principal.credential.expiresAt : null,
      openSessions,
    };
  }

  /**
   * Open sessions of each of these users, counted as `describe` counts them
   * (user id → count). Callers pass only users they were allowed to read.
   */
  async openSessionCounts(userIds: readonly number[]): Promise<Map<number, number>> {
    return this.store.read((r) => r.sessions.countOpenOfUsers(userIds, nowIso()));
  }

  /**
   * PUT /v2/auth/password (PERMISSIONS.md: own password — any active user).
   * A wrong current password counts as a failed login, and while the account
   * is locked no current password is accepted: a stolen token is no oracle
   * for guessing the password. Decision: every other session of the user is
   * revoked (whoever knew the old password may hold one); the caller's own
   * Bearer session stays valid; API keys are separate credentials and stay.
   */
  async changePassword(context: RequestContext, body: ChangePasswordBody): Promise<void> {
    const { principal } = context;
    enforce(canManageUser(principal, principal), userNotFound(principal.userId));
    const found = await this.store.read((r) => r.users.findForSignIn(principal.userId));
    if (!found) throw userNotFound(principal.userId)();
    const { user, passwordHash: hash } = found;
    const [matches] = await this.#verifyAgainst([hash], body.currentPassword);
    if (!matches) {
      await this.#countFailures(context, [user]);
      throw wrongCurrentPassword();
    }
    if (isLockedOut(user)) throw wrongCurrentPassword();
    if (body.newPassword === body.currentPassword) throw ApiError.invalid('newPassword', 'must differ from currentPassword');
    const newHash = await hashPassword(body.newPassword);

    await this.store.transaction(async (tx) => {
      const held = await tx.users.findForSignIn(principal.userId, true);
      if (!held) throw userNotFound(principal.userId)();
      const before = held.user;
      // Changed or locked since the check above (a concurrent request): the check no longer holds.
      if (held.passwordHash !== hash || isLockedOut(before)) throw wrongCurrentPassword();
      const now = nowIso();
      const after = await tx.users.updateHeld(before, { passwordHash: newHash, failedLogins: 0 }, now);
      const credential = principal.credential;
      const event = auditEvent(context, 'user.password-change', userTarget(after), {
        password: { old: REDACTED, new: REDACTED },
        ...diff(before, after, ['failedLogins']),
      });
      // The session that asked stays; every other one ends.
      const keep = credential.kind === 'session' ? credential.sessionId : undefined;
      await tx.audit.insertCounting(event, 'sessionsRevoked', { sessionsOf: before.userId, keep, at: now });
    });
  }

  /**
   * Verifies the password against each hash, in parallel (the thread pool
   * runs them side by side, so several candidates take about as long as one),
   * and against a dummy hash when there is none: an unknown login costs what a
   * known one does.
   */
  async #verifyAgainst(hashes: Array<string | null>, password: string): Promise<boolean[]> {
    const dummy = await dummyPasswordHash();
    if (hashes.length === 0) {
      await verifyPassword(dummy, password);
      return [];
    }
    return Promise.all(hashes.map((hash) => (hash === null ? verifyPassword(dummy, password).then(() => false) : verifyPassword(hash, password))));
  }

  /**
   * Counts a failed password against each user, in one transaction; the
   * LOCKOUT_THRESHOLD-th consecutive failure locks the account. Each counted
   * failure is a change of the user and is audited (never the password).
   * Attempts during a lock count nothing and write nothing.
   */
  async #countFailures(context: RequestContext | SystemContext, users: User[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      const nowMs = Date.now();
      // Several users (one login name in several networks) are locked in userId order (src/store/store.ts).
      for (const userId of users.map((user) => user.userId).sort((a, b) => a - b)) {
        const before = await tx.users.findByIdForUpdate(userId);
        if (!before) continue;
        const after = await tx.loginState.recordFailure(userId, new Date(nowMs).toISOString(), lockoutEnd(nowMs), LOCKOUT_THRESHOLD);
        if (!after) continue;
        const action = after.lockedUntil !== null ? 'user.lockout' : 'user.password-rejected';
        await tx.audit.insert(auditEvent(context, action, userTarget(before), diff(before, after, ['failedLogins', 'lockedUntil'])));
      }
    });
  }

  /**
   * Inside the login transaction: re-checks the user on its locked row (its
   * standing, lock and password may have changed since the password was
   * verified), records the login and opens the session. Null when the user
   * may not log in.
   */
  async #openSession(tx: Repositories, context: SystemContext, userId: number, verifiedHash: string): Promise<Grant | null> {
    const held = await tx.users.findForSignIn(userId, true);
    if (!held || isLockedOut(held.user) || held.passwordHash !== verifiedHash) return null;
    const { user, networkStatus, mailboxStatus } = held;
    if (!standingAllowsAccess({ user, networkStatus, mailboxStatus })) return null;

    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const sessionId = randomUUID();
    const refreshToken = generateRefreshToken(sessionId);
    const sessionEnd = new Date(nowMs + this.#sessionSeconds * 1000).toISOString();
    await tx.loginState.recordSuccess(userId, now);
    await tx.sessions.deleteEndedOfUser(userId, now);
    await tx.sessions.insert({ sessionId, userId, refreshHash: hashRefreshToken(refreshToken), created: now, expiresAt: sessionEnd });
    const after: User = { ...user, lastLogin: now, failedLogins: 0, lockedUntil: null };
    await tx.audit.insert(
      auditEvent({ ...context, actorUserId: userId }, 'user.login', userTarget(user), diff(user, after, ['lastLogin', 'failedLogins', 'lockedUntil'])),
    );
    return { userId, sessionId, generation: 1, sessionEnd, refreshToken };
  }

  /** Reads a token presented to refresh: a valid access token of ours, or something shaped like a refresh token. */
  async #readPresented(token: string): Promise<Presented | null> {
    if (looksLikeJwt(token)) {
      const claims = await (await this.#signers.get()).verify(token);
      return claims ? { kind: 'access', claims } : null;
    }
    const sessionId = sessionOfRefreshToken(token);
    return sessionId ? { kind: 'refresh', sessionId, refreshHash: hashRefreshToken(token) } : null;
  }

  /** Signs the access token of a grant: it expires one token lifetime from now, or at the session's end if sooner. */
  async #issue(grant: Grant, signer: TokenSigner): Promise<IssuedTokens> {
    const expiresAt = Math.min(Math.floor(Date.now() / 1000) + this.#ttlSeconds, Math.floor(Date.parse(grant.sessionEnd) / 1000));
    const token = await signer.sign({ userId: grant.userId, sessionId: grant.sessionId, generation: grant.generation, expiresAt });
    return { userId: grant.userId, token, expiresAt: new Date(expiresAt * 1000).toISOString(), refreshToken: grant.refreshToken };
  }
}
