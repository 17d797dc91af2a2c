/**
 * Users. Plain reads never select the password hash; `findCredentials` is the
 * only method that does, for the auth service.
 */
import { sql, type Compilable, type Expression, type QueryCreator, type Kysely, type Selectable, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { AuthLevel } from '../../domain/levels.js';
import type { Status } from '../../domain/statuses.js';
import type { CellCarrier } from '../../domain/cell-carriers.js';
import type { Scope } from '../../domain/scopes.js';
import type { NewAuditEvent, User } from '../../domain/types.js';
import type { Database, UsersTable } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';
import { destinationOfRow, destinationSelect, destinationTables, type DestinationRows } from './tenancy.js';
import { callerOutsidePlacement, containsPattern, filterExcludesPlacement, placementOf, usersInScope } from './scope-filter.js';
import { prepare, PreparedByShape } from '../prepared.js';
import { enumLiteral } from './enum-literal.js';
import { asUpdated } from './held-update.js';
import { countLive } from './live-count.js';

export const USER_COLUMNS = [
  'user_id', 'login', 'email', 'first_name', 'last_name', 'network_id', 'mailbox_id', 'auth_level', 'status',
  'failed_logins', 'locked_until', 'last_login', 'company', 'phone', 'cell_phone', 'cell_carrier',
  'time_zone_offset', 'created', 'modified', 'version',
] as const;

export type UserRow = Pick<Selectable<UsersTable>, (typeof USER_COLUMNS)[number]>;

/** A user as the services see it, from its row. */
export function toUser(row: UserRow, dialect: Dialect): User {
  return {
    userId: row.user_id,
    login: row.login,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    networkId: row.network_id,
    mailboxId: row.mailbox_id,
    authLevel: row.auth_level as AuthLevel,
    status: row.status as Status,
    created: dialect.readTime(row.created),
    modified: dialect.readTime(row.modified),
    lastLogin: row.last_login === null ? null : dialect.readTime(row.last_login),
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until === null ? null : dialect.readTime(row.locked_until),
    company: row.company,
    phone: row.phone,
    cellPhone: row.cell_phone,
    cellCarrier: row.cell_carrier as CellCarrier,
    timeZoneOffset: row.time_zone_offset === null ? null : Number(row.time_zone_offset),
    version: row.version,
  };
}

/** Fields a service may change; the store maintains login_key/email_key, modified and version. */
export type UserPatch = Partial<
  Pick<
    User,
    | 'email' | 'firstName' | 'lastName' | 'networkId' | 'mailboxId' | 'authLevel' | 'status' | 'failedLogins'
    | 'lockedUntil' | 'lastLogin' | 'company' | 'phone' | 'cellPhone' | 'cellCarrier' | 'timeZoneOffset'
  >
> & { passwordHash?: string };

/** A user to insert: the fields its creator chooses, typed as User's; the store derives the rest (modified = created, version, lockout fields at their defaults). */
export type NewUser = Pick<
  User,
  'login' | 'email' | 'firstName' | 'lastName' | 'networkId' | 'mailboxId' | 'authLevel' | 'status' | 'created'
> &
  Partial<Pick<User, 'userId' | 'company' | 'phone' | 'cellPhone' | 'cellCarrier' | 'timeZoneOffset'>> & { passwordHash: string };

export interface UserFilter {
  networkId?: number;
  mailboxId?: number;
  authLevel?: AuthLevel;
  status?: Status;
}

/**
 * Filters of `search` (MCP list-users; the name and lockout extensions of the
 * REST list): beyond the list's, a mailbox of 0 means network-level users only.
 */
export interface UserSearch {
  networkId?: number;
  /** 0: users placed at network level (mailbox 0); ≥ 1: that mailbox; absent: any. */
  mailboxId?: number;
  authLevel?: AuthLevel;
  status?: Status;
  /** Case-insensitive literal substring of the login or the e-mail address. */
  nameContains?: string;
  /** Only users whose lockout lasts beyond this instant (ISO). */
  lockedAfter?: string;
}

const PATCH_COLUMNS: Record<keyof UserPatch, keyof UsersTable> = {
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  networkId: 'network_id',
  mailboxId: 'mailbox_id',
  authLevel: 'auth_level',
  status: 'status',
  failedLogins: 'failed_logins',
  lockedUntil: 'locked_until',
  lastLogin: 'last_login',
  company: 'company',
  phone: 'phone',
  cellPhone: 'cell_phone',
  cellCarrier: 'cell_carrier',
  timeZoneOffset: 'time_zone_offset',
  passwordHash: 'password_hash',
};

// On the request path of every user read and PUT /v2/users: compiled once (see prepared.ts).
const FIND_BY_ID = prepare((db, _dialect, userId: number) =>
  db.selectFrom('users').select(USER_COLUMNS).where('user_id', '=', userId),
);
const FIND_BY_ID_FOR_UPDATE = prepare((db, dialect, userId: number) =>
  dialect.forUpdate(db.selectFrom('users').select(USER_COLUMNS).where('user_id', '=', userId)),
);
/**
 * A user with what signing in checks besides the row: the password hash and
 * the status of the user's network and mailbox (subqueries, so that a lock
 * taken on it is on the user's row alone).
 */
function signInRead(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('users')
    .select((eb) => [
      ...USER_COLUMNS,
      'password_hash',
      eb.selectFrom('networks').select('networks.status').whereRef('networks.network_id', '=', 'users.network_id').as('network_status'),
      eb.selectFrom('mailboxes').select('mailboxes.status').whereRef('mailboxes.mailbox_id', '=', 'users.mailbox_id').as('mailbox_status'),
    ])
    .where('user_id', '=', userId);
}
const FIND_FOR_SIGN_IN = prepare((db, _dialect, userId: number) => signInRead(db, userId));
const FIND_FOR_SIGN_IN_FOR_UPDATE = prepare((db, dialect, userId: number) => dialect.forUpdate(signInRead(db, userId)));

/** A user as signing in checks it (UserQueries.findForSignIn). */
export interface SignInRead {
  user: User;
  passwordHash: string;
  /** Null when the user has no network (0) or it does not exist; likewise the mailbox. */
  networkStatus: string | null;
  mailboxStatus: string | null;
}

/** A user a login names, with its password hash. */
export type LoginCandidate = Pick<SignInRead, 'user' | 'passwordHash'>;
/**
 * One compiled form per set of columns changed (the shape), and whether the row
 * must still be at an expected version; arguments: user id, modified, the
 * expected version (any value when unguarded), then the columns' values.
 */
const UPDATE = new PreparedByShape(
  ({ columns, guarded }: { columns: readonly (keyof UsersTable)[]; guarded: boolean }) =>
    (db: Kysely<Database>, _dialect: Dialect, userId: number, modified: string, version: number, ...values: unknown[]) =>
      updateUser(db, columns, values, userId, modified, guarded ? version : undefined),
);

/** UPDATE without a version guard, for a row the transaction holds (updateHeld): nobody waits for its answer (UNTIL_COMMIT). */
const UPDATE_HELD = new PreparedByShape(
  ({ columns }: { columns: readonly (keyof UsersTable)[] }) =>
    (db: Kysely<Database>, _dialect: Dialect, userId: number, modified: string, ...values: unknown[]) =>
      updateUser(db, columns, values, userId, modified, undefined).modifyEnd(untilCommit),
);

/** The UPDATE of a user's columns, stamping `modified` and bumping `version`; only at `version` when one is given. */
function updateUser(
  db: QueryCreator<Database>,
  columns: readonly (keyof UsersTable)[],
  values: readonly unknown[],
  userId: number,
  modified: string,
  version: number | undefined,
) {
  const update = db
    .updateTable('users')
    .set(Object.fromEntries(columns.map((column, i) => [column, values[i]])))
    .set((eb) => ({ modified, version: eb('version', '+', 1) }))
    .where('user_id', '=', userId);
  return (version === undefined ? update : update.where('version', '=', version)).returning(USER_COLUMNS);
}

/** An audit event about the user of a row of a statement's WITH table, as its values (its JSON `changes` as text). */
type EventOfRow = Omit<NewAuditEvent, 'targetId' | 'changes'> & { changes: string };
/** A WITH table of user rows (the row a statement changed or inserted), as Kysely sees it. */
type RowsOf<T extends string> = Database & Record<T, { user_id: number }>;

/**
 * The INSERT of `event` for each row of the statement's WITH table `from`,
 * the row's user its target: a change of a user and its event in one
 * statement, the event written only if the change was.
 */
function insertEventOfRow<T extends string>(db: QueryCreator<RowsOf<T>>, from: T, event: EventOfRow) {
  return db
    .insertInto('audit_events')
    .columns(['at', 'actor_user_id', 'action', 'target_type', 'target_id', 'target_network_id', 'target_mailbox_id', 'changes', 'request_id', 'client_ip'])
    .expression((eb) =>
      (eb.selectFrom(from as never) as unknown as SelectQueryBuilder<RowsOf<T>, T, object>).select((eb) => [
        eb.val(event.at).as('at'), eb.val(event.actorUserId).as('actor_user_id'), eb.val(event.action).as('action'),
        eb.val(event.targetType).as('target_type'), sql.ref<number>(`${from}.user_id`).as('target_id'), eb.val(event.targetNetworkId).as('target_network_id'),
        eb.val(event.targetMailboxId).as('target_mailbox_id'), eb.val(event.changes).as('changes'),
        eb.val(event.requestId).as('request_id'), eb.val(event.clientIp).as('client_ip'),
      ]) as never,
    );
}

/**
 * A guarded update (see GuardedUserUpdate) in one statement: the UPDATE, its
 * audit event and, for a suspension, the end of the user's sessions, each
 * taking effect only when the UPDATE found the row at the expected version.
 * Arguments as UPDATE's, then the event's values, after the columns' values.
 */
const UPDATE_WITH_EVENT = new PreparedByShape(
  ({ columns, revokeSessions }: { columns: readonly (keyof UsersTable)[]; revokeSessions: boolean }) =>
    (db: Kysely<Database>, _dialect: Dialect, userId: number, modified: string, version: number, ...rest: unknown[]) => {
      const values = rest.slice(0, columns.length);
      const [at, actorUserId, action, targetType, targetNetworkId, targetMailboxId, changes, requestId, clientIp] = rest.slice(columns.length);
      const withUpdate = db.with('changed', (db) => updateUser(db, columns, values, userId, modified, version));
      const event = { at, actorUserId, action, targetType, targetNetworkId, targetMailboxId, changes, requestId, clientIp } as EventOfRow;
      const withEvent = withUpdate.with('event', (db) => insertEventOfRow(db as unknown as QueryCreator<RowsOf<'changed'>>, 'changed', event));
      const statement = revokeSessions
        ? withEvent.with('ended', (db) =>
            db
              .updateTable('sessions')
              .set({ revoked_at: modified })
              .where('user_id', 'in', (eb) => eb.selectFrom('changed').select('changed.user_id'))
              .where('revoked_at', 'is', null),
          ) as unknown as typeof withEvent
        : withEvent;
      return statement.selectFrom('changed').select(USER_COLUMNS) as Compilable<UserRow>;
    },
);

/**
 * PostgreSQL's type of each column a change that shares a statement
 * (UPDATE_MANY_WITH_EVENT) may set, for the array its values travel in. The
 * count-group columns (network, mailbox, level, status) are not here: such a
 * change goes alone (sharedShape).
 */
const ARRAY_TYPES: Partial<Record<keyof UsersTable, string>> = {
  email: 'text', email_key: 'text', first_name: 'text', last_name: 'text', company: 'text', phone: 'text', cell_phone: 'text',
  cell_carrier: 'text', time_zone_offset: 'integer', failed_logins: 'integer', locked_until: 'timestamptz', last_login: 'timestamptz',
  password_hash: 'text',
};
/** The audit event's columns, as they travel in UPDATE_MANY_WITH_EVENT (target_id is the changed row's). */
const EVENT_ARRAYS = [
  ['at', 'timestamptz'], ['actor_user_id', 'integer'], ['action', 'text'], ['target_type', 'text'], ['target_network_id', 'integer'],
  ['target_mailbox_id', 'integer'], ['changes', 'text'], ['request_id', 'text'], ['client_ip', 'text'],
] as const;

/**
 * Several guarded updates of one shape (the same columns set, no sessions
 * ended), each of another user, with their audit events, in one statement
 * (PostgreSQL): the changes travel as one array per column, unnested into
 * rows. Each row is written only if its user is still at its version, as
 * UPDATE_WITH_EVENT writes one; the rows it returns are those written. The
 * users are looked up through the primary key in ascending id, so that two
 * such statements lock the rows they share in the same order (Store's lock order).
 * Arguments: user ids, versions, modified, the columns' values, then the
 * event's (EVENT_ARRAYS), each an array with one element per change.
 */
const UPDATE_MANY_WITH_EVENT = new PreparedByShape(
  ({ columns }: { columns: readonly (keyof UsersTable)[] }) =>
    (db: Kysely<Database>, _dialect: Dialect, ...arrays: unknown[]) => {
      const inputs: (readonly [string, string])[] = [
        ['user_id', 'integer'], ['version', 'integer'], ['modified', 'timestamptz'],
        ...columns.map((column) => [`set_${column}`, ARRAY_TYPES[column]!] as const),
        ...EVENT_ARRAYS.map(([column, type]) => [`event_${column}`, type] as const),
      ];
      const unnested = sql.join(inputs.map(([, type], i) => sql`${arrays[i]}::${sql.raw(type)}[]`));
      const names = sql.raw(inputs.map(([name]) => name).join(', '));
      const sets = sql.raw(columns.map((column) => `${column} = input.set_${column}`).join(', '));
      const returned = sql.raw(USER_COLUMNS.map((column) => `users.${column}`).join(', '));
      const eventColumns = EVENT_ARRAYS.map(([column]) => column);
      const eventValues = sql.raw(EVENT_ARRAYS.map(([column]) => `input.event_${column}`).join(', '));
      const statement = sql<UserRow>`with input as (select * from unnest(${unnested}) as input(${names})),
        changed as (
          update users set ${sets}, modified = input.modified, version = users.version + 1
            from input
           where users.user_id = any(${arrays[0]}::integer[]) and users.user_id = input.user_id and users.version = input.version
          returning ${returned}),
        event as (
          insert into audit_events (${sql.raw(eventColumns.join(', '))}, target_id)
          select ${eventValues}, changed.user_id from changed join input on input.user_id = changed.user_id)
        select * from changed`;
      return { compile: () => statement.compile(db) } as Compilable<UserRow>;
    },
);

/**
 * The shape under which a change may share one statement with others of the
 * same shape (UPDATE_MANY_WITH_EVENT); undefined when it must go alone: it
 * ends sessions, or moves the user between count groups (the trigger's locks
 * on user_counts would then be taken in no one order across the statement's rows).
 */
export function sharedShape(change: GuardedUserUpdate): string | undefined {
  if (change.revokeSessions) return undefined;
  const { columns } = patchColumns(change.patch);
  return columns.every((column) => column in ARRAY_TYPES) ? columns.join(',') : undefined;
}

/**
 * A change of one user decided on the row as read at `version`: applied only
 * if the row is still there at that version (another request's change in
 * between makes it a no-op, and the caller decides again), together with its
 * audit event and, for a suspension, the end of the user's sessions.
 */
export interface GuardedUserUpdate {
  userId: number;
  version: number;
  patch: UserPatch;
  modified: string;
  event: NewAuditEvent;
  revokeSessions: boolean;
}

/**
 * A new user placed as decided on its destination as read (MailboxQueries.
 * findDestination; null for a user of no network): inserted only if that
 * destination still has the statuses read, together with its audit event,
 * whose target is the new user (its id filled in; a targetId given is not read).
 */
export interface GuardedUserInsert {
  user: NewUser;
  event: Omit<NewAuditEvent, 'targetId'>;
  destination: DestinationRows | null;
}

/**
 * A list's form: the caller's scope kind, which id filters it applies, and the
 * level and status it filters on. Its arguments: the scope's values
 * (scopeArguments), the id filters' values in FILTER_COLUMNS order, then
 * whatever the query adds (limit, offset). The level and status are written
 * into the statement (enumLiteral), so each value is a shape of its own.
 */
interface ListShape {
  scope: Scope['kind'];
  filters: readonly IdFilter[];
  literals: Pick<UserFilter, 'authLevel' | 'status'>;
}
const FILTER_COLUMNS = { networkId: 'network_id', mailboxId: 'mailbox_id', authLevel: 'auth_level', status: 'status' } as const;
type IdFilter = 'networkId' | 'mailboxId';
const ID_FILTERS: readonly IdFilter[] = ['networkId', 'mailboxId'];
const LITERAL_FILTERS = ['authLevel', 'status'] as const;

function listShape(scope: Scope, filter: UserFilter): { key: string; shape: ListShape; args: unknown[] } {
  const filters = ID_FILTERS.filter((name) => filter[name]);
  return {
    key: `${scope.kind}:${filters.join(',')}:${filter.authLevel ?? ''}:${filter.status ?? ''}`,
    shape: { scope: scope.kind, filters, literals: { authLevel: filter.authLevel, status: filter.status } },
    args: [...scopeArguments(scope), ...filters.map((name) => filter[name])],
  };
}

/** The values of a scope, in the order scopeFromArguments reads them. */
function scopeArguments(scope: Scope): unknown[] {
  switch (scope.kind) {
    case 'system':
      return [];
    case 'network':
      return [scope.networkId, scope.userId];
    case 'mailbox':
    case 'self':
      return [scope.networkId, scope.mailboxId, scope.userId];
  }
}

/** A Scope of this kind made of the leading arguments (markers while compiling); the rest of the arguments. */
function scopeFromArguments(kind: Scope['kind'], args: readonly unknown[]): [Scope, unknown[]] {
  const [a, b, c] = args as number[];
  switch (kind) {
    case 'system':
      return [{ kind }, args.slice(0)];
    case 'network':
      return [{ kind, networkId: a!, userId: b! }, args.slice(2)];
    case 'mailbox':
    case 'self':
      return [{ kind, networkId: a!, mailboxId: b!, userId: c! }, args.slice(3)];
  }
}

/**
 * A list query of this shape: rows of `table` where `where(scope)` holds and
 * the shape's filters match, built from the arguments (see ListShape); also
 * the arguments left after the filters' values.
 */
function filtered<T extends 'users' | 'user_counts'>(
  db: Kysely<Database>,
  table: T,
  shape: ListShape,
  args: readonly unknown[],
  where: (scope: Scope) => Expression<SqlBool>,
) {
  const [scope, rest] = scopeFromArguments(shape.scope, args);
  const base = (db.selectFrom(table) as unknown as SelectQueryBuilder<Database, T, object>).where(where(scope));
  const byIds = shape.filters.reduce((q, name, i) => q.where(FILTER_COLUMNS[name] as never, '=', rest[i] as never), base);
  const query = LITERAL_FILTERS.reduce((q, name) => {
    const value = shape.literals[name];
    return value ? q.where(FILTER_COLUMNS[name] as never, '=', enumLiteral(value) as never) : q;
  }, byIds);
  return { query, rest: rest.slice(shape.filters.length) };
}

/** The number of users in the scope's placement matching the filters, summed from a few user_counts rows. */
function placementTotal(db: Kysely<Database>, shape: ListShape, args: readonly unknown[]) {
  return filtered(db, 'user_counts', shape, args, (scope) => placementOf('user_counts', scope)).query.select((eb) =>
    eb.fn.sum<number | string | null>('n').as('total'),
  );
}

/**
 * A page of the scope's placement (placementOf) matching the filters, in userId
 * order: index-served. The page's ids are found first — from the index alone
 * where one holds the filters followed by user_id — and only the page's rows
 * are read: with the rows in the same query, PostgreSQL fetched every row it
 * skipped (page 40 of a network's Active users: 10,452 rows in 449 buffers,
 * 2.2 ms, where the index holds all it needs to skip them).
 */
const PLACEMENT_PAGE = new PreparedByShape(
  (shape: ListShape) =>
    (db: Kysely<Database>, dialect: Dialect, ...args: unknown[]) =>
      db.selectFrom('users').select(USER_COLUMNS).where(dialect.idIn('users.user_id', pageIds(db, shape, args))).orderBy('user_id'),
);

/** The ids of a page of the placement matching the filters, in userId order; the arguments end with limit and offset. */
function pageIds(db: Kysely<Database>, shape: ListShape, args: readonly unknown[]) {
  const { query, rest } = filtered(db, 'users', shape, args, (scope) => placementOf('users', scope));
  const [limit, offset] = rest as [number, number];
  return query.select('user_id').orderBy('user_id').limit(limit).offset(offset);
}

/**
 * A whole list in one statement: PLACEMENT_PAGE's rows with the placement's
 * total (placementTotal) — the total's one row joined to the page's rows, so
 * a page past the end is that row with no user (user_id null) — and, for a
 * scope that has one, the caller's own row where it lies outside the
 * placement (CALLER_OUTSIDE), marked `outside`. On PostgreSQL every statement
 * is a write to a backend's socket and a wake-up of that backend; the page,
 * the total and the caller on pooled connections of their own cost one each,
 * and in a V8 profile under list load those writes were the largest item of
 * our CPU (issue 16).
 */
const WHOLE_LIST = new PreparedByShape(
  (shape: ListShape) =>
    (db: Kysely<Database>, dialect: Dialect, ...args: unknown[]) => {
      const page = db
        .selectFrom(placementTotal(db, shape, args).as('t'))
        .leftJoin('users', (join) => join.on(dialect.idIn('users.user_id', pageIds(db, shape, args))))
        .select([sql<number>`0`.as('outside'), 't.total', ...USER_COLUMNS.map((column) => `users.${column}` as const)]);
      if (shape.scope === 'system') return page.orderBy('user_id');
      const caller = filtered(db, 'users', shape, args, callerOutsidePlacement).query.select([
        sql<number>`1`.as('outside'), sql<null>`null`.as('total'), ...USER_COLUMNS.map((column) => `users.${column}` as const),
      ]);
      return page.unionAll(caller).orderBy('outside').orderBy('user_id');
    },
);

/** How many users of the placement matching the filters come before a userId (where the caller goes in the list). */
const PLACEMENT_BEFORE = new PreparedByShape(
  (shape: ListShape) =>
    (db: Kysely<Database>, _dialect: Dialect, ...args: unknown[]) => {
      const { query, rest } = filtered(db, 'users', shape, args, (scope) => placementOf('users', scope));
      return query.where('user_id', '<', rest[0] as never).select((eb) => eb.fn.countAll<number>().as('total'));
    },
);

/** Users in the scope's placement, summed from user_counts (see count). */
const COUNT_IN_PLACEMENT = new PreparedByShape(
  (shape: ListShape) =>
    (db: Kysely<Database>, _dialect: Dialect, ...args: unknown[]) =>
      placementTotal(db, shape, args),
);

/** The caller's row, when it is in scope only as itself and matches the filters (see list). */
const CALLER_OUTSIDE = new PreparedByShape(
  (shape: ListShape) =>
    (db: Kysely<Database>, _dialect: Dialect, ...args: unknown[]) =>
      filtered(db, 'users', shape, args, callerOutsidePlacement).query.select(USER_COLUMNS),
);

/** The row of a new user: keys derived, extension fields defaulted. */
function newUserRow(user: NewUser) {
  return {
    ...(user.userId !== undefined ? { user_id: user.userId } : {}),
    login: user.login,
    login_key: user.login.toLowerCase(),
    email: user.email,
    email_key: user.email.toLowerCase(),
    first_name: user.firstName,
    last_name: user.lastName,
    network_id: user.networkId,
    mailbox_id: user.mailboxId,
    auth_level: user.authLevel,
    status: user.status,
    password_hash: user.passwordHash,
    company: user.company ?? '',
    phone: user.phone ?? '',
    cell_phone: user.cellPhone ?? '',
    cell_carrier: user.cellCarrier ?? 'Undefined',
    time_zone_offset: user.timeZoneOffset ?? null,
    created: user.created,
    modified: user.created,
  };
}

/** The columns a patch sets (login_key/email_key derived), and their values in the same order. */
function patchColumns(patch: UserPatch): { columns: (keyof UsersTable)[]; values: unknown[] } {
  const set: Partial<Record<keyof UsersTable, unknown>> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    set[PATCH_COLUMNS[field as keyof UserPatch]] = value;
  }
  if (patch.email !== undefined) set.email_key = patch.email.toLowerCase();
  const columns = Object.keys(set) as (keyof UsersTable)[];
  return { columns, values: columns.map((column) => set[column]) };
}

export class UserQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  #toUser = (row: UserRow): User => toUser(row, this.dialect);

  /** The user with this id, whatever its status; null when there is none. Sees every scope. */
  async findById(userId: number): Promise<User | null> {
    const row = await FIND_BY_ID.first(this.db, this.dialect, [userId]);
    return row ? this.#toUser(row) : null;
  }

  /** As findById, and locks the row until the transaction ends (PostgreSQL). */
  async findByIdForUpdate(userId: number): Promise<User | null> {
    const row = await FIND_BY_ID_FOR_UPDATE.first(this.db, this.dialect, [userId]);
    return row ? this.#toUser(row) : null;
  }

  /**
   * The user, locked FOR UPDATE, with a placement's destination (network, and
   * mailbox when mailboxId > 0) read FOR SHARE as MailboxQueries'
   * findDestinationForShare reads it, in one statement: a change of placement
   * then takes its locks in one round trip (issue 16). The rows are locked in
   * the order of store.ts, user, network, mailbox (the order of the locking
   * clauses; see Dialect.forUpdate). Null when any of them does not exist:
   * the caller then reads each alone.
   */
  async findForUpdateWithDestination(userId: number, networkId: number, mailboxId: number): Promise<{ user: User; destination: DestinationRows } | null> {
    const user = USER_COLUMNS.map((column) => sql.ref(`u.${column}`).as(column));
    const query = destinationSelect(this.db, networkId, mailboxId)
      .innerJoin('users as u', (join) => join.on('u.user_id', '=', userId))
      .select(user as never);
    const row = (await this.dialect.forShare(this.dialect.forUpdate(query, ['u']), destinationTables(mailboxId)).executeTakeFirst()) as
      | (UserRow & Record<string, unknown>)
      | undefined;
    return row ? { user: this.#toUser(row), destination: destinationOfRow(row, this.dialect) } : null;
  }

  /**
   * The user, its password hash and its network's and mailbox's status, in one
   * statement: before a password is verified, and `forUpdate` (the user's row
   * locked) where a login or a password change checks them again before writing.
   */
  async findForSignIn(userId: number, forUpdate = false): Promise<SignInRead | null> {
    const row = await (forUpdate ? FIND_FOR_SIGN_IN_FOR_UPDATE : FIND_FOR_SIGN_IN).first(this.db, this.dialect, [userId]);
    return row ? { user: this.#toUser(row), passwordHash: row.password_hash, networkStatus: row.network_status, mailboxStatus: row.mailbox_status } : null;
  }

  /** Users in scope whose login equals `login` regardless of case, by userId; [] on a miss. */
  async findByLogin(login: string, scope: Scope): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('login_key', '=', login.toLowerCase())
      .where(usersInScope(scope))
      .orderBy('user_id')
      .execute();
    return rows.map(this.#toUser);
  }

  /**
   * One page of users in scope matching the filter, by userId, and how many
   * match in all. The scope is "the placement, or the caller" (placementOf):
   * the placement's page comes from an index, and the caller — when it lies
   * outside the placement, which only unusual placements do — is merged in at
   * its place in userId order.
   */
  async list(scope: Scope, filter: UserFilter, page: { pageNo: number; recordsPerPage: number }): Promise<{ users: User[]; total: number }> {
    const { key, shape, args } = listShape(scope, filter);
    const excluded = filterExcludesPlacement(scope, filter);
    const limit = page.recordsPerPage;
    const offset = (page.pageNo - 1) * limit;
    const placementPage = async (n: number, from: number) =>
      n === 0 ? [] : PLACEMENT_PAGE.of(key, shape).rows(this.db, this.dialect, [...args, n, from]);
    // Only the caller can match: it is the list's one row (a `system` scope excludes no one).
    if (excluded) {
      const caller = await CALLER_OUTSIDE.of(key, shape).first(this.db, this.dialect, args);
      return { users: caller && offset === 0 ? [this.#toUser(caller)] : [], total: caller ? 1 : 0 };
    }
    const { rows: usual, total: inPlacement, caller } = await this.#pageTotalAndCaller(key, shape, [...args, limit, offset]);
    const total = inPlacement + (caller ? 1 : 0);
    if (!caller) return { users: usual.map(this.#toUser), total };
    const before = this.dialect.readCount((await PLACEMENT_BEFORE.of(key, shape).first(this.db, this.dialect, [...args, caller.user_id]))?.total ?? 0);
    let rows;
    if (offset + limit <= before) rows = await placementPage(limit, offset);
    else if (offset > before) rows = await placementPage(limit, offset - 1);
    else {
      const around = await placementPage(limit - 1, offset);
      rows = [...around.slice(0, before - offset), caller, ...around.slice(before - offset)];
    }
    return { users: rows.map(this.#toUser), total };
  }

  /**
   * The usual page of a list, the placement's total and the caller's row when
   * it lies outside the placement (never for `system`): in one statement where
   * reads are gathered (WHOLE_LIST; Dialect.readsInBatches: on PostgreSQL each
   * statement is a round trip), else as three (SQLite: in-process there is no
   * round trip to save, and the joined page and total cost ~15 % more than the two).
   */
  async #pageTotalAndCaller(key: string, shape: ListShape, args: unknown[]): Promise<{ rows: UserRow[]; total: number; caller: UserRow | undefined }> {
    if (this.dialect.readsInBatches) {
      const rows = await WHOLE_LIST.of(key, shape).rows(this.db, this.dialect, args);
      // Ordered by `outside`: first the page's rows (past the end, the total's row alone, with no user), then the caller's.
      return {
        rows: rows.filter((row): row is UserRow & typeof row => row.outside === 0 && row.user_id !== null),
        total: this.dialect.readCount(rows[0]?.total ?? 0),
        caller: rows.find((row): row is UserRow & typeof row => row.outside === 1),
      };
    }
    const [rows, counted, caller] = await Promise.all([
      PLACEMENT_PAGE.of(key, shape).rows(this.db, this.dialect, args),
      COUNT_IN_PLACEMENT.of(key, shape).first(this.db, this.dialect, args),
      shape.scope === 'system' ? undefined : CALLER_OUTSIDE.of(key, shape).first(this.db, this.dialect, args),
    ]);
    return { rows, total: this.dialect.readCount(counted?.total ?? 0), caller };
  }

  /** Users in scope matching the search: usersInScope, the one scope rule the other reads use, and the filters. */
  #searched(scope: Scope, filter: UserSearch) {
    let query = this.db.selectFrom('users').where(usersInScope(scope));
    if (filter.networkId !== undefined) query = query.where('network_id', '=', filter.networkId);
    if (filter.mailboxId !== undefined) query = query.where('mailbox_id', '=', filter.mailboxId);
    if (filter.authLevel !== undefined) query = query.where('auth_level', '=', enumLiteral(filter.authLevel));
    if (filter.status !== undefined) query = query.where('status', '=', enumLiteral(filter.status));
    if (filter.nameContains !== undefined) {
      const pattern = containsPattern(filter.nameContains);
      query = query.where(sql<SqlBool>`(login_key like ${pattern} escape '\\' or email_key like ${pattern} escape '\\')`);
    }
    if (filter.lockedAfter !== undefined) query = query.where('locked_until', '>', filter.lockedAfter);
    return query;
  }

  /** Up to `limit` users in scope matching the search from `offset` on, by userId; [] when none. */
  async search(scope: Scope, filter: UserSearch, page: { limit: number; offset?: number }): Promise<User[]> {
    const rows = await this.#searched(scope, filter).select(USER_COLUMNS).orderBy('user_id').limit(page.limit).offset(page.offset ?? 0).execute();
    return rows.map(this.#toUser);
  }

  /** How many users in scope match the search (counted row by row: user_counts cannot count by name or lockout). */
  async countSearch(scope: Scope, filter: UserSearch): Promise<number> {
    const row = await this.#searched(scope, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return this.dialect.readCount(row.n);
  }

  /** How many users in scope match the filter (as list's total): a sum over a few user_counts rows, plus the caller when outside its placement. */
  async count(scope: Scope, filter: UserFilter): Promise<number> {
    const { key, shape, args } = listShape(scope, filter);
    return (await this.#total(key, shape, args, filterExcludesPlacement(scope, filter))).total;
  }

  /**
   * The caller's row when it is in scope only as itself, and the total: the
   * placement's from user_counts, plus that row. A `system` scope covers
   * everyone, so there is no such row to look for (Root's list: one query fewer).
   */
  async #total(key: string, shape: ListShape, args: unknown[], excluded: boolean) {
    const [caller, inPlacement] = await Promise.all([
      shape.scope === 'system' ? undefined : CALLER_OUTSIDE.of(key, shape).first(this.db, this.dialect, args),
      excluded ? undefined : COUNT_IN_PLACEMENT.of(key, shape).first(this.db, this.dialect, args),
    ]);
    return { caller, total: this.dialect.readCount(inPlacement?.total ?? 0) + (caller ? 1 : 0) };
  }

  /** Inserts a user; throws StoreConflict('users_login_unique') when the login is taken in that network. */
  async insert(user: NewUser): Promise<User> {
    const row = await this.db
      .insertInto('users')
      .values(newUserRow(user))
      .returning(USER_COLUMNS)
      .executeTakeFirstOrThrow();
    if (user.userId !== undefined) await this.dialect.syncIdentity(this.db, 'users');
    return this.#toUser(row);
  }

  /**
   * Applies the patch, stamps `modified`, bumps `version`, and returns the row as
   * stored; null when the user does not exist, or is no longer at `expectedVersion` when one is given.
   */
  async update(userId: number, patch: UserPatch, modified: string, expectedVersion?: number): Promise<User | null> {
    const { columns, values } = patchColumns(patch);
    const guarded = expectedVersion !== undefined;
    const row = await UPDATE.of(`${columns.join(',')}${guarded ? ':guarded' : ''}`, { columns, guarded }).first(this.db, this.dialect, [
      userId, modified, expectedVersion ?? 0, ...values,
    ]);
    return row ? this.#toUser(row) : null;
  }

  /**
   * update() of a user this transaction holds (`before`, read FOR UPDATE in it:
   * the row is there and nobody else changes it until commit), without waiting
   * for the database where the dialect need not (PostgreSQL in a transaction:
   * UNTIL_COMMIT, so the write goes with the audit event and COMMIT, and a
   * mutation takes two round trips). The user after it is then `before` as the
   * UPDATE leaves it; where the statement was answered, the row it returned.
   * An error of the UPDATE fails the transaction, at the latest at COMMIT.
   */
  async updateHeld(before: User, patch: UserPatch, modified: string): Promise<User> {
    const { columns, values } = patchColumns(patch);
    const row = await UPDATE_HELD.of(columns.join(','), { columns }).first(this.db, this.dialect, [before.userId, modified, ...values]);
    return row ? this.#toUser(row) : asUpdated(before, patch, { modified, version: before.version + 1 });
  }

  /**
   * A guarded update with its audit event in one statement (dialects that
   * write several tables in one: see Dialect.writesInOneStatement); null when
   * the row was not at the expected version (nothing was written).
   */
  async updateWithEvent(change: GuardedUserUpdate): Promise<User | null> {
    const { columns, values } = patchColumns(change.patch);
    const { event } = change;
    const key = `${columns.join(',')}${change.revokeSessions ? ':revoke' : ''}`;
    const row = await UPDATE_WITH_EVENT.of(key, { columns, revokeSessions: change.revokeSessions }).first(this.db, this.dialect, [
      change.userId, change.modified, change.version, ...values,
      event.at, event.actorUserId, event.action, event.targetType, event.targetNetworkId, event.targetMailboxId,
      JSON.stringify(event.changes), event.requestId, event.clientIp,
    ]);
    return row ? this.#toUser(row) : null;
  }

  /**
   * Several guarded updates in one statement (PostgreSQL): each of another
   * user, all of one sharedShape. Each change's user after it, in the order
   * given; null for a change whose row was not at its version (nothing of it written).
   */
  async updateManyWithEvent(changes: readonly GuardedUserUpdate[]): Promise<(User | null)[]> {
    const sorted = [...changes].sort((a, b) => a.userId - b.userId);
    const patches = sorted.map((change) => patchColumns(change.patch));
    const { columns } = patches[0]!;
    const column = <T>(value: (change: GuardedUserUpdate) => T) => sorted.map(value);
    const rows = await UPDATE_MANY_WITH_EVENT.of(columns.join(','), { columns }).rows(this.db, this.dialect, [
      column((c) => c.userId), column((c) => c.version), column((c) => c.modified),
      ...columns.map((_, i) => patches.map((patch) => patch.values[i])),
      column((c) => c.event.at), column((c) => c.event.actorUserId), column((c) => c.event.action), column((c) => c.event.targetType),
      column((c) => c.event.targetNetworkId), column((c) => c.event.targetMailboxId), column((c) => JSON.stringify(c.event.changes)),
      column((c) => c.event.requestId), column((c) => c.event.clientIp),
    ]);
    const byUser = new Map(rows.map((row) => [row.user_id, row]));
    return changes.map((change) => {
      const row = byUser.get(change.userId);
      return row ? this.#toUser(row) : null;
    });
  }

  /**
   * A GuardedUserInsert in one statement (PostgreSQL; see
   * Dialect.writesInOneStatement): the destination's rows read FOR SHARE, as
   * checkPlacement reads them, and only if they still have the statuses the
   * placement was decided on, the INSERT and its event (data-modifying WITHs).
   * Null when they no longer do: nothing was written, and the caller decides
   * again. A login taken in the network fails as insert does.
   */
  async insertWithEvent(guarded: GuardedUserInsert): Promise<User | null> {
    const { user, event, destination } = guarded;
    const row = newUserRow(user);
    const columns = Object.keys(row) as (keyof typeof row)[];
    // The WITH tables (destination, inserted) are the statement's own, which Kysely's types do not know.
    const db = this.db as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const guardedInsert = destination
      ? db
          .with('destination', () => {
            const { network, mailbox } = destination;
            const mailboxId = mailbox?.mailboxId ?? 0;
            let rows = destinationSelect(this.db, network.networkId, mailboxId).where('n.status', '=', network.status);
            if (mailbox) rows = rows.where(sql.ref('m.status'), '=', mailbox.status);
            return this.dialect.forShare(rows, destinationTables(mailboxId)).clearSelect().select(sql.lit(1).as('one'));
          })
          .with('inserted', (db) =>
            db
              .insertInto('users')
              .columns(columns)
              .expression((eb) => eb.selectFrom('destination').select(columns.map((column) => eb.val(row[column]).as(column))))
              .returning(USER_COLUMNS),
          )
      : db.with('inserted', (db) => db.insertInto('users').values(row).returning(USER_COLUMNS));
    const inserted = (await guardedInsert
      .with('event', (db) => insertEventOfRow(db, 'inserted', { ...event, changes: JSON.stringify(event.changes) }))
      .selectFrom('inserted')
      .select(USER_COLUMNS)
      .executeTakeFirst()) as UserRow | undefined;
    return inserted ? this.#toUser(inserted) : null;
  }

  /**
   * How many Active Root users exist (the last one is protected). Inside a
   * transaction the count waits for a guard held until commit, so two
   * transactions that each suspend one of the last two Roots cannot both pass
   * the check: the second counts what the first committed. Not by locking every
   * Root row: each caller already holds its target's row, so two removing
   * different Roots would wait for each other's row (a deadlock on PostgreSQL).
   */
  async countActiveRoots(): Promise<number> {
    await this.dialect.serialize(this.db, 'last-active-root');
    const rows = await this.db.selectFrom('users').select('user_id').where('auth_level', '=', enumLiteral('Root')).where('status', '=', enumLiteral('Active')).execute();
    return rows.length;
  }

  async hasRoot(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('user_id').where('auth_level', '=', enumLiteral('Root')).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The password hash of a user, for verifying a login; null when the user does not exist. */
  async findPasswordHash(userId: number): Promise<string | null> {
    const row = await this.db.selectFrom('users').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
    return row?.password_hash ?? null;
  }

  /** Users whose login (or, failing that, e-mail address) equals `name` regardless of case; every scope. */
  async findLoginCandidates(name: string): Promise<{ byLogin: LoginCandidate[]; byEmail: LoginCandidate[] }> {
    const key = name.toLowerCase();
    const candidates = (column: 'login_key' | 'email_key') =>
      this.db.selectFrom('users').select([...USER_COLUMNS, 'password_hash']).where(column, '=', key).execute();
    const toCandidate = (row: UserRow & { password_hash: string }): LoginCandidate => ({ user: this.#toUser(row), passwordHash: row.password_hash });
    const byLogin = await candidates('login_key');
    if (byLogin.length > 0) return { byLogin: byLogin.map(toCandidate), byEmail: [] };
    return { byLogin: [], byEmail: (await candidates('email_key')).map(toCandidate) };
  }

  /**
   * Inserts many users in one statement per chunk, without reading them back:
   * for bulk seeding (benchmarks, imports). Ids are generated unless given.
   */
  async insertMany(users: NewUser[], chunkSize = 500): Promise<void> {
    for (let start = 0; start < users.length; start += chunkSize) {
      const chunk = users.slice(start, start + chunkSize).map(newUserRow);
      await this.db.insertInto('users').values(chunk).execute();
    }
  }

  /**
   * Inserts users in multi-row statements (chunks of `chunkSize`) and returns their new ids in
   * the order given. Throws StoreConflict('users_login_unique') when a login is taken in its network.
   */
  async insertBatch(users: NewUser[], chunkSize = 500): Promise<number[]> {
    const ids: number[] = [];
    for (let start = 0; start < users.length; start += chunkSize) {
      const chunk = users.slice(start, start + chunkSize);
      const rows = await this.db.insertInto('users').values(chunk.map(newUserRow)).returning(['user_id', 'network_id', 'login_key']).execute();
      // RETURNING promises no order: the rows are matched to the input by their unique (network, login).
      const idOf = new Map(rows.map((row) => [`${row.network_id}:${row.login_key}`, row.user_id]));
      for (const user of chunk) ids.push(idOf.get(`${user.networkId}:${user.login.toLowerCase()}`)!);
    }
    return ids;
  }

  /** Which of these logins (compared regardless of case) are taken in the network, lower-cased; every status counts. */
  async takenLogins(networkId: number, logins: string[], chunkSize = 500): Promise<Set<string>> {
    const taken = new Set<string>();
    const keys = [...new Set(logins.map((login) => login.toLowerCase()))];
    for (let start = 0; start < keys.length; start += chunkSize) {
      const rows = await this.db
        .selectFrom('users')
        .select('login_key')
        .where('network_id', '=', networkId)
        .where('login_key', 'in', keys.slice(start, start + chunkSize))
        .execute();
      for (const row of rows) taken.add(row.login_key);
    }
    return taken;
  }

  /**
   * Up to `limit` users with ids above `afterUserId`, by userId, every status, optionally of one
   * network: a whole table read page by page (export) without OFFSET's cost. Sees every scope.
   */
  async listAfter(afterUserId: number, limit: number, networkId?: number): Promise<User[]> {
    let query = this.db.selectFrom('users').select(USER_COLUMNS).where('user_id', '>', afterUserId);
    if (networkId !== undefined) query = query.where('network_id', '=', networkId);
    const rows = await query.orderBy('user_id').limit(limit).execute();
    return rows.map(this.#toUser);
  }

  /** Users in a mailbox that are not Terminated (a mailbox with any cannot be terminated). */
  countLiveInMailbox(mailboxId: number): Promise<number> {
    return countLive(this.db, this.dialect, 'users', 'mailbox_id', mailboxId);
  }

  /** Users of a network (at any mailbox) that are not Terminated (a network with any cannot be terminated). */
  countLiveInNetwork(networkId: number): Promise<number> {
    return countLive(this.db, this.dialect, 'users', 'network_id', networkId);
  }
}
