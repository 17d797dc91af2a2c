/**
 * Users: the seed (PUT /v2/users) and its neighbours. Each mutation is one
 * transaction: load (locking), authorize, check business rules, write, audit.
 * Password hashing happens before the transaction opens.
 */
import { ApiError } from '../contract/errors.js';
import type { CreateUserBody, ListUsersBody, UpdateUserBody } from '../contract/users.js';
import {
  canChangeStatus, canCreateUser, canManageUser, canReadUser, canTerminateUser,
} from '../domain/permissions.js';
import { networkInScope, placementInScope, scopeOf, type Scope } from '../domain/scopes.js';
import { placementProblem } from '../domain/placement.js';
import type { AuthLevel } from '../domain/levels.js';
import type { Mailbox, Network, Principal, User } from '../domain/types.js';
import { hashPassword } from '../security/passwords.js';
import type { KeyVault } from '../security/key-vault.js';
import { StoreConflict } from '../store/errors.js';
import type { Repositories, Store } from '../store/store.js';
import type { NewUser, UserPatch, UserSearch } from '../store/queries/users.js';
import type { DestinationRows } from '../store/queries/tenancy.js';
import { enforce } from './access.js';
import { auditEvent, diff, userTarget } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import { issuePrimaryKey, readPrimaryKey } from './primary-keys.js';

const PROFILE_FIELDS = ['email', 'firstName', 'lastName', 'status'] as const;
export const CREATED_FIELDS = ['login', 'email', 'firstName', 'lastName', 'networkId', 'mailboxId', 'authLevel', 'status'] as const;

export const userNotFound = (id: number) => () => ApiError.notFound('User', id);

/** Loads a user for a change (locking its row) or answers 404. */
export async function loadUserForUpdate(tx: Repositories, userId: number): Promise<User> {
  const user = await tx.users.findByIdForUpdate(userId);
  if (!user) throw userNotFound(userId)();
  return user;
}

/**
 * The user locked for a change of its placement, as loadUserForUpdate; where
 * the destination is known before the user's row is read (`expected`: from
 * the row authentication read ahead, or named whole by the request), that
 * destination's rows too, read and locked as checkPlacement reads them, in the
 * same statement (UserQueries.findForUpdateWithDestination): the change then
 * costs one round trip less. When the locked row puts the destination
 * elsewhere after all (the user moved in between), checkPlacement reads the
 * right one. Like the user's row, the destination's are locked before access
 * is decided, and rows read ahead for a guess that proved wrong stay
 * share-locked until commit: an update of that network or mailbox waits the
 * few milliseconds to it, another placement does not (share locks do not
 * conflict), and no deadlock can follow (a change of a network or mailbox
 * locks that one row and no other).
 */
export async function loadUserForPlacement(
  tx: Repositories,
  userId: number,
  expected: { networkId: number; mailboxId: number } | undefined,
): Promise<{ user: User; read?: DestinationRows }> {
  if (expected && expected.networkId > 0) {
    const found = await tx.users.findForUpdateWithDestination(userId, expected.networkId, expected.mailboxId);
    if (found) return { user: found.user, read: found.destination };
  }
  return { user: await loadUserForUpdate(tx, userId) };
}

/** A Terminated user is permanent: no later change is accepted. */
export function refuseTerminated(user: User, field = 'userId'): void {
  if (user.status === 'Terminated') throw ApiError.invalid(field, `user ${user.userId} is Terminated and cannot be changed`);
}

/** The last active Root can be neither suspended, terminated nor demoted. */
export async function protectLastRoot(tx: Repositories, user: User, field: string): Promise<void> {
  if (mayBeLastRoot(user) && (await tx.users.countActiveRoots()) <= 1) {
    throw ApiError.invalid(field, 'the last active Root cannot be suspended, terminated or demoted');
  }
}

/**
 * Checks that a (level, network, mailbox) placement exists, is live, is in the
 * caller's scope and is consistent (API.md §3); 400 naming the field otherwise.
 * Missing and out-of-scope destinations get the same words. Returns the
 * destination rows, locked FOR SHARE until commit (the lock order of
 * src/store/store.ts): callers read their status from these rows and never lock
 * them again more strongly, which would deadlock two moves into one mailbox.
 * `read`: the destination the caller already read (loadUserForPlacement, locked
 * alike; a create's plain read, which its write then guards), used when it is
 * this one.
 */
export async function checkPlacement(
  tx: Repositories,
  scope: Scope,
  level: AuthLevel,
  networkId: number,
  mailboxId: number,
  read?: DestinationRows | null,
): Promise<{ network: Network | null; mailbox: Mailbox | null }> {
  // Locked against change until commit: a mailbox terminated concurrently cannot receive this user.
  // Read already where the caller read this destination; else in one statement where a network is named;
  // each alone where none is, or one does not exist.
  const ahead = read && read.network.networkId === networkId && (read.mailbox?.mailboxId ?? 0) === mailboxId ? read : null;
  const both = ahead ?? (networkId > 0 ? await tx.mailboxes.findDestinationForShare(networkId, mailboxId) : null);
  const network = both ? both.network : networkId > 0 ? await tx.networks.findByIdForShare(networkId) : null;
  const mailbox = both ? both.mailbox : mailboxId > 0 ? await tx.mailboxes.findByIdForShare(mailboxId) : null;
  const usableNetwork = network && network.status !== 'Terminated' && networkInScope(scope, networkId) ? network : null;
  const usableMailbox =
    mailbox && mailbox.status !== 'Terminated' && placementInScope(scope, mailbox.networkId, mailboxId) ? mailbox : null;
  const problem = placementProblem(level, networkId, mailboxId, usableNetwork, usableMailbox);
  if (problem) throw new ApiError(400, 'InvalidParameter', problem.message);
  // What is left: a level-consistent placement the caller may still not use (mailbox 0 for a mailbox-scoped caller).
  if (!placementInScope(scope, networkId, mailboxId)) {
    throw networkId > 0 && mailboxId === 0
      ? ApiError.invalid('mailboxId', 'must be your own mailbox (network level is outside your scope)')
      : ApiError.invalid('networkId', 'no such network');
  }
  return { network: usableNetwork, mailbox: usableMailbox };
}

/**
 * The level and place of a user the caller creates (POST /v2/users, the operator's import):
 * absent or NoChange level = MailboxUser; the caller must be allowed to create that level
 * (403 otherwise); a caller without a network must name one; the mailbox defaults to the
 * caller's own only inside the caller's network. checkPlacement then checks the place.
 */
export function newUserPlace(
  caller: Principal,
  body: Pick<CreateUserBody, 'authLevel' | 'networkId' | 'mailboxId'>,
): { authLevel: AuthLevel; networkId: number; mailboxId: number } {
  const authLevel: AuthLevel = body.authLevel === undefined || body.authLevel === 'NoChange' ? 'MailboxUser' : body.authLevel;
  enforce(canCreateUser(caller, authLevel), () => ApiError.forbidden());
  if (body.networkId === undefined && caller.networkId === 0) {
    throw ApiError.invalid('networkId', 'is required for a caller without a network');
  }
  const networkId = body.networkId ?? caller.networkId;
  const mailboxId = body.mailboxId ?? (networkId === caller.networkId ? caller.mailboxId : 0);
  return { authLevel, networkId, mailboxId };
}

/** A unique-login violation (raised by the store after the transaction rolled back) → DuplicateObject. */
export function loginConflict(error: unknown, login: string, networkId: number): unknown {
  if (error instanceof StoreConflict && error.constraint === 'users_login_unique') return loginTaken(login, networkId);
  return error;
}

/** The answer for a login already taken in a network (any case). */
export function loginTaken(login: string, networkId: number): ApiError {
  return ApiError.duplicate('login', `"${login}" already exists in network ${networkId}`);
}

/** Guarded writes of one PUT or create before it takes the locking transaction instead (each miss: another request changed the user, or the destination). */
const OPTIMISTIC_ATTEMPTS = 3;

/** Whether `user` may be the last active Root (suspending it then needs protectLastRoot). */
function mayBeLastRoot(user: User): boolean {
  return user.authLevel === 'Root' && user.status === 'Active';
}

/**
 * What a PUT /v2/users changes on this row, after access (404 when the caller
 * may not), the If-Match precondition (412) and the Terminated rule; null when
 * nothing changes.
 */
function decideUpdate(
  context: RequestContext,
  body: UpdateUserBody,
  before: User,
  precondition?: (user: User) => boolean,
): { patch: UserPatch; statusChange: User['status'] | undefined } | null {
  // Sending the current status back (a client round-tripping the object) is not a status change.
  const statusChange = body.status !== undefined && body.status !== before.status ? body.status : undefined;
  enforce(
    statusChange !== undefined ? canChangeStatus(context.principal, before) : canManageUser(context.principal, before),
    userNotFound(body.userId),
  );
  if (precondition && !precondition(before)) {
    throw new ApiError(412, 'InvalidParameter', 'If-Match: the user was changed by another request; read it again');
  }
  refuseTerminated(before);
  const patch: UserPatch = {};
  if (body.email !== undefined && body.email !== before.email) patch.email = body.email;
  if (body.firstName !== undefined && body.firstName !== before.firstName) patch.firstName = body.firstName;
  if (body.lastName !== undefined && body.lastName !== before.lastName) patch.lastName = body.lastName;
  if (statusChange !== undefined) patch.status = statusChange;
  return Object.keys(patch).length === 0 ? null : { patch, statusChange };
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly vault: KeyVault,
  ) {}

  /**
   * Whether the changes whose body names a user (PUT /v2/users, role,
   * set-network-mailbox) gain from that user read ahead with the credential:
   * only where PUT decides on a plain read before one guarded write and a
   * change of placement saves a round trip by knowing its destination before
   * it locks (PostgreSQL); elsewhere they read inside their locking
   * transaction anyway.
   */
  get bodyReadsAhead(): boolean {
    return this.store.writesInOneStatement;
  }

  /** GET /v2/users/{id} */
  async get(context: RequestContext, userId: number): Promise<User> {
    const ahead = context.readAhead;
    const user = ahead?.userId === userId ? ahead.user : await this.store.read((r) => r.users.findById(userId));
    if (!user) throw userNotFound(userId)();
    enforce(canReadUser(context.principal, user), userNotFound(userId));
    return user;
  }

  /** GET /v2/users/me */
  async me(context: RequestContext): Promise<User> {
    return this.get(context, context.principal.userId);
  }

  /**
   * PUT /v2/users — the seed. `precondition` (Extension, from If-Match) is
   * checked after access, so a 412 never reveals an out-of-scope user.
   *
   * Where the store writes a change and its audit event in one statement
   * (PostgreSQL), the change is decided on the row as read, then written only
   * if the row is still at the version decided on (Store.updateUserGuarded):
   * two round trips, no row lock held between them. When another request
   * changed the row in between, decide again on the new row. Suspending an
   * active Root counts the Roots under a guard held until commit, so that case
   * (and a row that keeps moving) takes the locking transaction instead — as
   * every change does where writers queue for one connection anyway (SQLite:
   * there the guarded form measured ~10 % more CPU per PUT, its read being one more).
   */
  async update(context: RequestContext, body: UpdateUserBody, precondition?: (user: User) => boolean): Promise<User> {
    for (let attempt = 1; this.store.writesInOneStatement && attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
      // The first decision may be on the row authentication read (a snapshot like any read here: the guard checks it).
      const ahead = attempt === 1 && context.readAhead?.userId === body.userId ? context.readAhead : undefined;
      const before = ahead ? ahead.user : await this.store.read((r) => r.users.findById(body.userId));
      if (!before) throw userNotFound(body.userId)();
      const decided = decideUpdate(context, body, before, precondition);
      if (!decided) return before;
      if (decided.statusChange === 'Suspended' && mayBeLastRoot(before)) break;
      const modified = nowIso();
      const after = await this.store.updateUserGuarded({
        userId: before.userId,
        version: before.version,
        patch: decided.patch,
        modified,
        event: auditEvent(context, 'user.update', userTarget(before), diff(before, { ...before, ...decided.patch }, PROFILE_FIELDS)),
        revokeSessions: decided.statusChange === 'Suspended',
      });
      if (after) return after;
    }
    return this.store.transaction(async (tx) => {
      const before = await loadUserForUpdate(tx, body.userId);
      const decided = decideUpdate(context, body, before, precondition);
      if (!decided) return before;
      if (decided.statusChange === 'Suspended') await protectLastRoot(tx, before, 'status');
      const after = await tx.users.updateHeld(before, decided.patch, nowIso());
      if (decided.statusChange === 'Suspended') await tx.sessions.endAllOfUser(before.userId, nowIso());
      await tx.audit.insert(auditEvent(context, 'user.update', userTarget(after), diff(before, after, PROFILE_FIELDS)));
      return after;
    });
  }

  /**
   * POST /v2/users. Where the store writes a row and its audit event in one
   * statement (PostgreSQL), the placement is decided on the destination as
   * read, then the user is inserted only if the destination still has the
   * statuses read (Store.insertUserGuarded): two round trips, no lock held
   * between them; a destination changed in between is read and decided again.
   * Elsewhere, and after OPTIMISTIC_ATTEMPTS such changes, one transaction
   * that locks the destination (checkPlacement) before the INSERT.
   */
  async create(context: RequestContext, body: CreateUserBody): Promise<User> {
    const caller = context.principal;
    const scope = scopeOf(caller);
    const { authLevel, networkId, mailboxId } = newUserPlace(caller, body);
    const passwordHash = await hashPassword(body.password);
    const newUser = (): NewUser => ({
      login: body.login,
      email: body.email,
      firstName: body.firstName ?? '',
      lastName: body.lastName ?? '',
      networkId,
      mailboxId,
      authLevel,
      status: 'Active',
      passwordHash,
      created: nowIso(),
    });
    const created = (user: Pick<User, 'userId' | (typeof CREATED_FIELDS)[number]>) => auditEvent(context, 'user.create', userTarget(user), diff(null, user, CREATED_FIELDS));
    try {
      for (let attempt = 1; this.store.writesInOneStatement && attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
        // A placement that passes with a network named was read by findDestination: rows is its destination.
        const destination = await this.store.read(async (r) => {
          const rows = networkId > 0 ? await r.mailboxes.findDestination(networkId, mailboxId) : null;
          await checkPlacement(r, scope, authLevel, networkId, mailboxId, rows);
          return rows;
        });
        const user = newUser();
        // Its target, the new user, is filled in by the store.
        const inserted = await this.store.insertUserGuarded({ user, event: created({ ...user, userId: 0 }), destination });
        if (inserted) return inserted;
      }
      return await this.store.transaction(async (tx) => {
        await checkPlacement(tx, scope, authLevel, networkId, mailboxId);
        const user = await tx.users.insert(newUser());
        await tx.audit.insert(created(user));
        return user;
      });
    } catch (error) {
      throw loginConflict(error, body.login, networkId);
    }
  }

  /**
   * POST /v2/users/list: one page in scope, and the total. The Extension
   * filters `name` and `lockedOut: true` take the search query (counted row by
   * row); the plain list keeps its index-served pages and user_counts totals.
   */
  async list(context: RequestContext, body: ListUsersBody): Promise<{ users: User[]; total: number }> {
    const scope = scopeOf(context.principal);
    const filter = {
      networkId: body.networkId || undefined,
      mailboxId: body.mailboxId || undefined,
      authLevel: body.authLevel === 'NoChange' ? undefined : body.authLevel,
      status: body.status,
    };
    const pageNo = body.pageNo ?? 1;
    const recordsPerPage = body.recordsPerPage ?? 25;
    if (body.name !== undefined || body.lockedOut === true) {
      const search: UserSearch = { ...filter, nameContains: body.name, ...(body.lockedOut ? { lockedAfter: nowIso() } : {}) };
      return this.store.read(async (r) => {
        const [users, total] = await Promise.all([
          r.users.search(scope, search, { limit: recordsPerPage, offset: (pageNo - 1) * recordsPerPage }),
          r.users.countSearch(scope, search),
        ]);
        return { users, total };
      });
    }
    return this.store.read((r) => r.users.list(scope, filter, { pageNo, recordsPerPage }));
  }

  /**
   * Users in scope matching a search (MCP list-users), by userId: at most
   * `limit`, and whether more matched. `lockedOut` keeps only users locked now.
   * A filter pointing outside the scope finds nobody, as in the list.
   */
  async search(
    context: RequestContext,
    filter: Omit<UserSearch, 'lockedAfter'> & { lockedOut?: boolean },
    limit: number,
  ): Promise<{ users: User[]; truncated: boolean }> {
    const { lockedOut, ...rest } = filter;
    const search: UserSearch = lockedOut ? { ...rest, lockedAfter: nowIso() } : rest;
    const found = await this.store.read((r) => r.users.search(scopeOf(context.principal), search, { limit: limit + 1 }));
    return { users: found.slice(0, limit), truncated: found.length > limit };
  }

  /** POST /v2/users/by-name */
  async byName(context: RequestContext, login: string): Promise<User[]> {
    return this.store.read((r) => r.users.findByLogin(login, scopeOf(context.principal)));
  }

  /** DELETE /v2/users/{id}: permanent; keys and sessions revoked in the same transaction. */
  async terminate(context: RequestContext, userId: number): Promise<void> {
    await this.store.transaction(async (tx) => {
      const before = await loadUserForUpdate(tx, userId);
      enforce(canTerminateUser(context.principal, before), userNotFound(userId));
      if (before.status === 'Terminated') throw ApiError.invalid('id', `user ${userId} is already Terminated`);
      await protectLastRoot(tx, before, 'id');
      const now = nowIso();
      const after = await tx.users.updateHeld(before, { status: 'Terminated' }, now);
      await tx.sessions.endAllOfUser(userId, now);
      await tx.audit.insertCounting(auditEvent(context, 'user.terminate', userTarget(after), diff(before, after, ['status'])), 'keysRevoked', { keysOf: userId, at: now });
    });
  }

  /** POST /v2/users/key-generate/{id}: a new primary key; the previous one stops working at once. */
  async generateKey(context: RequestContext, userId: number): Promise<string> {
    return this.store.transaction(async (tx) => {
      const user = await loadUserForUpdate(tx, userId);
      enforce(canManageUser(context.principal, user), userNotFound(userId));
      refuseTerminated(user, 'id');
      return (await issuePrimaryKey(tx, this.vault, user, context)).key;
    });
  }

  /** GET /v2/users/key/{id}: the current primary key, decrypted; the read is audited. */
  async readKey(context: RequestContext, userId: number): Promise<string> {
    return this.store.transaction(async (tx) => (await readPrimaryKey(tx, this.vault, context, userId)).key);
  }
}
