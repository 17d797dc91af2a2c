/**
 * The authorization matrix (issue 8) as data: for every authenticated
 * operation, how to build a valid request against a subject (a user, a key, a
 * network, a mailbox, a destination, a level) and which functions of
 * src/domain/permissions.ts decide it. The expected answer is computed from
 * those functions — never written by hand:
 *
 *   allow → 'A' (the documented success) — or, for listings, 'L' (listed)
 *   deny forbidden → 'F' (403 AccessDenied)
 *   deny not-found → 'N' (404 ObjectNotFound) — or, for listings, 'H' (not listed)
 *   destination named in the body out of scope or missing → 'I:<field>' (400 InvalidParameter)
 *   allow, but a stale If-Match → 'P' (412)
 *
 * `MATRIX` is typed over every authenticated operation of the route table,
 * so an operation without a mapping does not compile; the test also checks it
 * against the routes the server registers.
 */
import * as P from '../../src/domain/permissions.js';
import type { Decision } from '../../src/domain/permissions.js';
import { AUTH_LEVELS, type AuthLevel } from '../../src/domain/levels.js';
import { networkInScope, placementInScope, scopeOf } from '../../src/domain/scopes.js';
import type { Placement, User } from '../../src/domain/types.js';
import { OPERATION_ROUTES, type OperationId } from '../../src/contract/operation-routes.js';
import { TEST_PASSWORD, createNetwork } from './server.js';
import {
  MISSING_ID, PLACES, livesAt, tenantSnapshot, userSnapshot, type AuthzWorld, type Member, type Snapshot,
} from './authz-world.js';

/** One letter per answer (see the file comment); a 400 carries the field it names. */
export type Letter = 'A' | 'F' | 'N' | 'L' | 'H' | 'P' | `I:${string}` | `?${string}`;

type PublicOperation = { [K in OperationId]: (typeof OPERATION_ROUTES)[K] extends { public: true } ? K : never }[OperationId];
export type AuthenticatedOperation = Exclude<OperationId, PublicOperation>;

/** One request of the matrix, ready to send. */
export interface Case {
  /** Whose credential is sent: the caller, or a fresh copy of it when the case changes the caller itself. */
  actor: Member;
  expected: Letter;
  /** The permission rule behind `expected`. */
  why: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Listings: whether the answer's data holds the subject. */
  lists?: (data: unknown) => boolean;
  /** The id a 404 names: it must read exactly as for a missing object. */
  subjectId?: number;
  /** Network/mailbox ids the body names as a destination: a 400 for one out of scope must read as for a missing one. */
  named?: { networkId: number; mailboxId: number };
  /** What a refused request (403, 404, 400) must leave unchanged. */
  snapshot?: Snapshot;
}

export interface Column {
  /** The subject's relation to the caller, e.g. `A2/below`, `self`, `missing`, `→Root`. */
  name: string;
  build(): Promise<Case>;
}

export interface Variant {
  operation: AuthenticatedOperation;
  /** What distinguishes this variant of the operation, if it has several. */
  label: string;
  /** read: any order, lasting subjects; write: any order, fresh subjects; serial: one at a time (shared subjects change). */
  phase: 'read' | 'write' | 'serial';
  columns(world: AuthzWorld, caller: Member): Column[];
}

export const MISSING = 'missing';
const NOT_FOUND: Decision = { allow: false, as: 'not-found', rule: 'no such object' };
const ALLOW: Decision = { allow: true };

export function variantName(variant: Variant): string {
  const route = OPERATION_ROUTES[variant.operation];
  return `${route.method} ${route.path}${variant.label ? ` (${variant.label})` : ''}`;
}

function letterOf(decision: Decision, listing = false): Letter {
  if (decision.allow) return listing ? 'L' : 'A';
  if (decision.as === 'forbidden') return 'F';
  return listing ? 'H' : 'N';
}

function whyOf(decision: Decision): string {
  return decision.allow ? 'allow' : `${decision.as}: ${decision.rule}`;
}

function request(operation: AuthenticatedOperation, id: number | undefined, body: unknown): Pick<Case, 'method' | 'path' | 'body'> {
  const route = OPERATION_ROUTES[operation];
  return { method: route.method, path: route.path.replace('{id}', String(id)), body };
}

let markers = 0;
/** A value no other request sends: a refused request must not leave it anywhere. */
const marker = (prefix: string) => `${prefix}${process.pid % 1000}z${++markers}`;

/**
 * Where a request may put a user (PERMISSIONS.md: "a network or mailbox named
 * in a request body that does not exist or is outside the caller's scope is 400
 * InvalidParameter naming the field"): the field at fault, or null when the
 * destination is usable. The network is judged first, then the mailbox; a
 * mailbox-scoped caller's scope is its one mailbox (mailbox 0 is outside it).
 */
export function destinationFault(world: AuthzWorld, caller: Placement, networkId: number, mailboxId: number): 'networkId' | 'mailboxId' | null {
  const scope = scopeOf(caller);
  if (networkId === 0) return placementInScope(scope, 0, 0) ? null : 'networkId';
  if (!world.network(networkId) || !networkInScope(scope, networkId)) return 'networkId';
  if (mailboxId > 0 && world.mailbox(mailboxId)?.networkId !== networkId) return 'mailboxId';
  return placementInScope(scope, networkId, mailboxId) ? null : 'mailboxId';
}

// ---------------------------------------------------------------- user targets

const OFFSETS = [['above', -1], ['equal', 0], ['below', 1]] as const;

/** A user that does not exist (placed in A1 for list filters). */
function missingMember(world: AuthzWorld): Member {
  const user = {
    userId: MISSING_ID, login: 'authz-no-such-user', networkId: world.places.A1.networkId, mailboxId: world.places.A1.mailboxId,
    authLevel: 'General',
  } as User;
  return { user, place: 'A1', key: '', primaryKeyId: MISSING_ID, extraKeyId: MISSING_ID };
}

interface UserTargetSpec {
  operation: AuthenticatedOperation;
  label?: string;
  /** true: each case gets its own new target (and, for self, its own new caller). */
  fresh: boolean;
  decide(caller: Placement, target: Placement): Decision;
  /** The decision when the target does not exist (default: not found). */
  decideMissing?(caller: Placement): Decision;
  /** The letter of an allowed request when it is not plain success (default: 'A', or 'L' for listings). */
  allowed?: Letter;
  /** For a listing that can also be refused: the answer once `decide` allows (what is shown). */
  answerAllowed?(caller: Placement, target: Placement): { expected: Letter; why: string };
  build(target: Member): { id?: number; body?: unknown; headers?: Record<string, string> };
  /** Listings: whether the answer holds the target. */
  lists?(data: unknown, target: Member): boolean;
  /** The id a 404 names (default: the target's userId). */
  subjectId?(target: Member): number;
}

/** The expected answer of a case about a user: from the decision, then what an allowed request shows. */
function expectedOf(spec: UserTargetSpec, decision: Decision, actor: Member, target: Member | null): { expected: Letter; why: string } {
  if (decision.allow && target && spec.answerAllowed) return spec.answerAllowed(actor.user, target.user);
  if (decision.allow && spec.allowed) return { expected: spec.allowed, why: whyOf(decision) };
  // A listing that can also be refused (answerAllowed) answers 403/404 when refused, not an empty list.
  return { expected: letterOf(decision, spec.lists !== undefined && !spec.answerAllowed), why: whyOf(decision) };
}

/**
 * Columns over users: self; then each place × a target level above, equal to
 * and below the caller's (where such a level exists and can live there); then
 * a user that does not exist.
 */
function userTargets(spec: UserTargetSpec): Variant {
  return {
    operation: spec.operation,
    label: spec.label ?? '',
    phase: spec.fresh ? 'write' : 'read',
    columns(world, caller) {
      const make = (name: string, pick: () => Promise<{ actor: Member; target: Member | null }>): Column => ({
        name,
        async build() {
          const { actor, target } = await pick();
          const decision = target ? spec.decide(actor.user, target.user) : (spec.decideMissing?.(actor.user) ?? NOT_FOUND);
          const subject = target ?? missingMember(world);
          const { id, body, headers } = spec.build(subject);
          const asOf = new Date().toISOString();
          return {
            actor,
            ...expectedOf(spec, decision, actor, target),
            ...request(spec.operation, id, body),
            ...(headers ? { headers } : {}),
            ...(spec.lists ? { lists: (data: unknown) => spec.lists!(data, subject) } : {}),
            subjectId: spec.subjectId?.(subject) ?? subject.user.userId,
            ...(spec.fresh && target ? { snapshot: userSnapshot(world.server.store, target.user.userId, asOf) } : {}),
          };
        },
      });
      const level = caller.user.authLevel;
      const columns = [
        make('self', async () => {
          const self = spec.fresh ? await world.fresh(level, caller.place) : caller;
          return { actor: self, target: self };
        }),
      ];
      for (const place of PLACES) {
        for (const [offsetName, offset] of OFFSETS) {
          const targetLevel = AUTH_LEVELS[AUTH_LEVELS.indexOf(level) + offset];
          if (!targetLevel || !livesAt(world, targetLevel, place)) continue;
          columns.push(make(`${place}/${offsetName}`, async () => ({
            actor: caller,
            target: spec.fresh ? await world.fresh(targetLevel, place) : world.target(targetLevel, place)!,
          })));
        }
      }
      columns.push(make(MISSING, async () => ({ actor: caller, target: null })));
      return columns;
    },
  };
}

// ---------------------------------------------------------------- destinations

/** Destinations named in a body: the places of users (but 0/0), a network and a mailbox that do not exist. */
function destinations(world: AuthzWorld): Array<{ name: string; networkId: number; mailboxId: number }> {
  return [
    ...PLACES.filter((p) => p !== '00').map((p) => ({ ...world.places[p], name: `to ${p}` })),
    { name: 'to no network', networkId: MISSING_ID, mailboxId: 0 },
    { name: 'to no mailbox', networkId: world.places.A1.networkId, mailboxId: MISSING_ID },
  ];
}

/** The answer once access to the target is decided: a 400 for a destination at fault, else success. */
function withDestination(world: AuthzWorld, caller: Placement, decision: Decision, networkId: number, mailboxId: number) {
  if (!decision.allow) return { expected: letterOf(decision), why: whyOf(decision) };
  const fault = destinationFault(world, caller, networkId, mailboxId);
  return fault
    ? { expected: `I:${fault}` as Letter, why: `${fault} missing or outside the caller's scope` }
    : { expected: 'A' as Letter, why: 'allow; destination in scope' };
}

/**
 * Re-placing a user (set role, set network/mailbox): a new General in A1 —
 * outranked by every admin — is moved to each destination.
 */
function destinationsOfUser(
  operation: 'setUserRole' | 'setUserNetworkMailbox',
  decide: (caller: Placement, target: Placement) => Decision,
  body: (target: User, networkId: number, mailboxId: number) => object,
): Variant {
  return {
    operation,
    label: 'destination',
    phase: 'write',
    columns: (world, caller) =>
      destinations(world).map((destination) => ({
        name: destination.name,
        async build() {
          const target = await world.fresh('General', 'A1');
          const { networkId, mailboxId } = destination;
          return {
            actor: caller,
            ...withDestination(world, caller.user, decide(caller.user, target.user), networkId, mailboxId),
            ...request(operation, undefined, { userId: target.user.userId, ...body(target.user, networkId, mailboxId) }),
            named: { networkId, mailboxId },
            snapshot: userSnapshot(world.server.store, target.user.userId, new Date().toISOString()),
          };
        },
      })),
  };
}

/** POST /v2/users: each place × a new level above, equal to and below the caller's; and destinations that do not exist. */
const createUser: Variant = {
  operation: 'createUser',
  label: '',
  phase: 'write',
  columns(world, caller) {
    const own = caller.user.authLevel;
    const subjects: Array<{ name: string; level: AuthLevel; networkId: number; mailboxId: number }> = [];
    for (const place of PLACES) {
      for (const [offsetName, offset] of OFFSETS) {
        const level = AUTH_LEVELS[AUTH_LEVELS.indexOf(own) + offset];
        if (level && livesAt(world, level, place)) subjects.push({ ...world.places[place], name: `${place}/${offsetName}`, level });
      }
    }
    subjects.push({ name: 'to no network', level: own, networkId: MISSING_ID, mailboxId: 0 });
    subjects.push({ name: 'to no mailbox', level: own, networkId: world.places.A1.networkId, mailboxId: MISSING_ID });
    return subjects.map(({ name, level, networkId, mailboxId }) => ({
      name,
      async build() {
        const login = marker('authz');
        return {
          actor: caller,
          ...withDestination(world, caller.user, P.canCreateUser(caller.user, level), networkId, mailboxId),
          ...request('createUser', undefined, {
            login, password: TEST_PASSWORD, email: `${login}@example.com`, networkId, mailboxId, authLevel: level,
          }),
          named: { networkId, mailboxId },
          snapshot: () => world.server.store.users.findByLogin(login, { kind: 'system' }),
        };
      },
    }));
  },
};

/** POST /v2/users/role: a new General in A1 raised to every level (not above the caller's own, PERMISSIONS.md). */
const grantLevel: Variant = {
  operation: 'setUserRole',
  label: 'grant a level',
  phase: 'write',
  columns: (world, caller) =>
    AUTH_LEVELS.map((level) => ({
      name: `→${level}`,
      async build() {
        const target = await world.fresh('General', 'A1');
        const { networkId, mailboxId } = target.user;
        return {
          actor: caller,
          ...withDestination(world, caller.user, P.canSetRole(caller.user, target.user, level), networkId, mailboxId),
          ...request('setUserRole', undefined, { userId: target.user.userId, authLevel: level }),
          snapshot: userSnapshot(world.server.store, target.user.userId, new Date().toISOString()),
        };
      },
    })),
};

// ---------------------------------------------------------------- the caller itself

function ofCaller(
  operation: AuthenticatedOperation,
  options: { label?: string; fresh: boolean; decide(caller: Placement): Decision; body?: unknown },
): Variant {
  return {
    operation,
    label: options.label ?? '',
    phase: options.fresh ? 'write' : 'read',
    columns: (world, caller) => [
      {
        name: 'self',
        async build() {
          const actor = options.fresh ? await world.fresh(caller.user.authLevel, caller.place) : caller;
          const decision = options.decide(actor.user);
          return { actor, expected: letterOf(decision), why: whyOf(decision), ...request(operation, undefined, options.body) };
        },
      },
    ],
  };
}

/** For the calls every authenticated caller may make on itself (no PERMISSIONS.md row restricts them). */
const anyCaller = () => ALLOW;

// ---------------------------------------------------------------- networks and mailboxes

type TenantName = 'A' | 'B' | 'A1' | 'A2' | 'B1' | 'new in A' | 'new in B' | typeof MISSING;

interface TenantSpec {
  operation: AuthenticatedOperation;
  label?: string;
  phase: Variant['phase'];
  subjects: readonly TenantName[];
  decide(world: AuthzWorld, caller: Placement, id: number): { expected: Letter; why: string };
  build(id: number): { id?: number; body?: unknown };
  lists?(data: unknown, id: number, world: AuthzWorld): boolean;
  snapshot?(world: AuthzWorld, id: number): Snapshot;
}

async function tenantId(world: AuthzWorld, name: TenantName): Promise<number> {
  switch (name) {
    case 'A': case 'B': return world.networks[name].networkId;
    case 'A1': case 'A2': case 'B1': return world.mailboxes[name].mailboxId;
    case 'new in A': return (await world.emptyMailbox('A')).mailboxId;
    case 'new in B': return (await world.emptyMailbox('B')).mailboxId;
    case MISSING: return MISSING_ID;
  }
}

function tenants(spec: TenantSpec): Variant {
  return {
    operation: spec.operation,
    label: spec.label ?? '',
    phase: spec.phase,
    columns: (world, caller) =>
      spec.subjects.map((name) => ({
        name,
        async build() {
          const id = await tenantId(world, name);
          const { id: pathId, body } = spec.build(id);
          return {
            actor: caller,
            ...spec.decide(world, caller.user, id),
            ...request(spec.operation, pathId, body),
            ...(spec.lists ? { lists: (data: unknown) => spec.lists!(data, id, world) } : {}),
            subjectId: id,
            ...(spec.snapshot && name !== MISSING ? { snapshot: spec.snapshot(world, id) } : {}),
          };
        },
      })),
  };
}

/** A decision on an existing network or mailbox; a missing one is not found. */
function onNetwork(decide: (caller: Placement, networkId: number) => Decision, listing = false) {
  return (world: AuthzWorld, caller: Placement, id: number) => {
    const decision = world.network(id) ? decide(caller, id) : NOT_FOUND;
    return { expected: letterOf(decision, listing), why: whyOf(decision) };
  };
}

/** The mailbox as the permission functions see it (new empty mailboxes are not in the world's index: they are in A or B by name). */
async function mailboxOf(world: AuthzWorld, id: number) {
  return world.mailbox(id) ?? (await world.server.store.mailboxes.findById(id)) ?? undefined;
}

function onMailbox(decide: (caller: Placement, mailbox: { mailboxId: number; networkId: number }) => Decision, listing = false) {
  return (world: AuthzWorld, caller: Placement, id: number) => {
    const mailbox = world.mailbox(id);
    const decision = mailbox ? decide(caller, mailbox) : NOT_FOUND;
    return { expected: letterOf(decision, listing), why: whyOf(decision) };
  };
}

const listedIn = (key: string, field: string) => (data: unknown, id: number) =>
  ((data as Record<string, Array<Record<string, unknown>>>)[key] ?? []).some((item) => item[field] === id);

const tenantChange = () => ({ city: marker('City') });

/** DELETE /v2/mailboxes/{id}: a mailbox that still has live users is refused (400) to whoever may terminate it. */
const terminateMailbox: Variant = {
  operation: 'terminateMailbox',
  label: '',
  phase: 'serial',
  columns: (world, caller) =>
    (['A1', 'A2', 'B1', 'new in A', 'new in B', MISSING] as const).map((name) => ({
      name,
      async build() {
        const id = await tenantId(world, name);
        const mailbox = await mailboxOf(world, id);
        const decision = mailbox ? P.canTerminateMailbox(caller.user, mailbox) : NOT_FOUND;
        const occupied = mailbox !== undefined && (await world.server.store.users.countLiveInMailbox(id)) > 0;
        const outcome = decision.allow && occupied
          ? { expected: 'I:id' as Letter, why: 'allow; refused while the mailbox has users that are not Terminated' }
          : { expected: letterOf(decision), why: whyOf(decision) };
        return {
          actor: caller, ...outcome, ...request('terminateMailbox', id, undefined), subjectId: id,
          ...(mailbox ? { snapshot: tenantSnapshot(world.server.store, 'mailbox', id) } : {}),
        };
      },
    })),
};

/** POST /v2/mailboxes/create: the network named in the body must exist and be in scope (400 naming it), then canCreateMailbox. */
const createMailbox: Variant = {
  operation: 'createMailbox',
  label: '',
  phase: 'write',
  columns: (world, caller) =>
    (['A', 'B', MISSING] as const).map((name) => ({
      name: `in ${name}`,
      async build() {
        const networkId = await tenantId(world, name);
        const uniqueId = marker('M').slice(0, 12);
        const outcome = world.network(networkId) && networkInScope(scopeOf(caller.user), networkId)
          ? { expected: letterOf(P.canCreateMailbox(caller.user, networkId)), why: whyOf(P.canCreateMailbox(caller.user, networkId)) }
          : { expected: 'I:networkId' as Letter, why: 'networkId missing or outside the caller\'s scope' };
        return {
          actor: caller, ...outcome,
          ...request('createMailbox', undefined, { networkId, uniqueId, companyName: 'Authz Matrix' }),
          named: { networkId, mailboxId: 0 },
          snapshot: async () =>
            (await world.server.store.mailboxes.list({ kind: 'system' }, { networkId }, { pageNo: 1, recordsPerPage: 500 })).mailboxes
              .filter((m) => m.uniqueId === uniqueId),
        };
      },
    })),
};

/** Extension POST /v2/networks/create: no subject, canCreateNetwork alone; a refused one creates nothing. */
const createNetworkVariant: Variant = {
  operation: 'createNetwork',
  label: '',
  phase: 'write',
  columns: (world, caller) => [
    {
      name: 'new',
      async build() {
        const uniqueId = marker('N').slice(0, 12);
        const decision = P.canCreateNetwork(caller.user);
        return {
          actor: caller, expected: letterOf(decision), why: whyOf(decision),
          ...request('createNetwork', undefined, { uniqueId, companyName: 'Authz Matrix' }),
          snapshot: async () =>
            (await world.server.store.networks.list({ kind: 'system' }, {}, { pageNo: 1, recordsPerPage: 10_000 })).networks
              .filter((n) => n.uniqueId === uniqueId),
        };
      },
    },
  ],
};

/**
 * Extension DELETE /v2/networks/{id}: canTerminateNetwork; A and B always hold
 * mailboxes and users, so whoever may terminate them is refused (400 naming id);
 * a new empty network is terminated.
 */
const terminateNetwork: Variant = {
  operation: 'terminateNetwork',
  label: '',
  phase: 'serial',
  columns: (world, caller) =>
    (['A', 'B', 'new', MISSING] as const).map((name) => ({
      name,
      async build() {
        const id = name === 'new' ? (await createNetwork(world.server)).networkId : await tenantId(world, name);
        const exists = name !== MISSING;
        const decision = exists ? P.canTerminateNetwork(caller.user, id) : NOT_FOUND;
        const occupied = name === 'A' || name === 'B';
        const outcome = decision.allow && occupied
          ? { expected: 'I:id' as Letter, why: 'allow; refused while the network has mailboxes or users that are not Terminated' }
          : { expected: letterOf(decision), why: whyOf(decision) };
        return {
          actor: caller, ...outcome, ...request('terminateNetwork', id, undefined), subjectId: id,
          ...(exists ? { snapshot: tenantSnapshot(world.server.store, 'network', id) } : {}),
        };
      },
    })),
};

// ---------------------------------------------------------------- the matrix

const usersIn = (data: unknown, target: Member) => (data as Array<{ userId: number }>).some((u) => u.userId === target.user.userId);
const userId = (target: Member) => ({ body: { userId: target.user.userId } });
const userPath = (target: Member) => ({ id: target.user.userId });

/** Audit events are visible to NetworkAdmin and above, and only those whose target is in scope. */
const auditOf = (decide: (caller: Placement) => Decision) => (caller: Placement) => {
  const reader = P.canReadAudit(caller);
  return reader.allow ? decide(caller) : reader;
};

export const MATRIX: Record<AuthenticatedOperation, Variant[]> = {
  // Auth
  logout: [ofCaller('logout', { fresh: true, decide: anyCaller })],
  getSession: [ofCaller('getSession', { fresh: false, decide: anyCaller })],
  changePassword: [
    ofCaller('changePassword', {
      fresh: true, decide: (c) => P.canManageUser(c, c), body: { currentPassword: TEST_PASSWORD, newPassword: 'Changed-Passw0rd!' },
    }),
  ],
  // Users
  updateUser: [
    userTargets({
      operation: 'updateUser', label: 'profile', fresh: true, decide: P.canManageUser,
      build: (t) => ({ body: { userId: t.user.userId, firstName: marker('First') } }),
    }),
    // Extension (issue 8): a stale If-Match is checked after access, so a 412 never reveals an out-of-scope user.
    userTargets({
      operation: 'updateUser', label: 'stale If-Match', fresh: false, decide: P.canManageUser, allowed: 'P',
      build: (t) => ({ body: { userId: t.user.userId, firstName: 'Stale' }, headers: { 'If-Match': '"0.0"' } }),
    }),
    userTargets({
      operation: 'updateUser', label: 'status → Suspended', fresh: true, decide: P.canChangeStatus,
      build: (t) => ({ body: { userId: t.user.userId, status: 'Suspended' } }),
    }),
  ],
  createUser: [createUser],
  getCurrentUser: [ofCaller('getCurrentUser', { fresh: false, decide: (c) => P.canReadUser(c, c) })],
  getUser: [userTargets({ operation: 'getUser', fresh: false, decide: P.canReadUser, build: userPath })],
  terminateUser: [userTargets({ operation: 'terminateUser', fresh: true, decide: P.canTerminateUser, build: userPath })],
  listUsers: [
    userTargets({
      operation: 'listUsers', fresh: false, decide: P.canReadUser, lists: usersIn,
      build: (t) => ({
        body: { networkId: t.user.networkId, mailboxId: t.user.mailboxId, authLevel: t.user.authLevel, recordsPerPage: 500 },
      }),
    }),
  ],
  getUsersByName: [
    userTargets({ operation: 'getUsersByName', fresh: false, decide: P.canReadUser, lists: usersIn, build: (t) => ({ body: { login: t.user.login } }) }),
  ],
  generateUserKey: [userTargets({ operation: 'generateUserKey', fresh: true, decide: P.canManageUser, build: userPath })],
  getUserKey: [userTargets({ operation: 'getUserKey', fresh: false, decide: P.canReadApiKey, build: userPath })],
  setUserPassword: [
    userTargets({
      operation: 'setUserPassword', fresh: true, decide: P.canSetPassword,
      build: (t) => ({ body: { userId: t.user.userId, newPassword: 'Admin-Set-Passw0rd!' } }),
    }),
  ],
  generatePassword: [ofCaller('generatePassword', { fresh: false, decide: anyCaller, body: {} })],
  setUserRole: [
    userTargets({
      operation: 'setUserRole', label: 'same level', fresh: true, decide: (c, t) => P.canSetRole(c, t, t.authLevel),
      build: (t) => ({ body: { userId: t.user.userId, authLevel: t.user.authLevel } }),
    }),
    grantLevel,
    destinationsOfUser('setUserRole', (c, t) => P.canSetRole(c, t, 'General'), (_t, networkId, mailboxId) => ({ authLevel: 'General', networkId, mailboxId })),
  ],
  setUserNetworkMailbox: [
    userTargets({
      operation: 'setUserNetworkMailbox', label: 'where it is', fresh: true, decide: P.canSetNetworkMailbox,
      build: (t) => ({ body: { userId: t.user.userId, networkId: t.user.networkId, mailboxId: t.user.mailboxId } }),
    }),
    destinationsOfUser('setUserNetworkMailbox', P.canSetNetworkMailbox, (_t, networkId, mailboxId) => ({ networkId, mailboxId })),
  ],
  updateUserConfig: [
    userTargets({
      operation: 'updateUserConfig', fresh: true, decide: P.canManageUser,
      build: (t) => ({ body: { userId: t.user.userId, company: marker('Company') } }),
    }),
  ],
  sendUserSms: [
    userTargets({
      operation: 'sendUserSms', fresh: true, decide: P.canManageUser,
      build: (t) => ({ body: { userId: t.user.userId, message: 'authorization matrix' } }),
    }),
  ],
  resetUserSessions: [userTargets({ operation: 'resetUserSessions', fresh: true, decide: P.canManageUser, build: userPath })],
  // Keys
  createKey: [
    userTargets({
      operation: 'createKey', fresh: true, decide: P.canManageUser,
      build: (t) => ({ body: { userId: t.user.userId, visibility: 'Shared' } }),
    }),
  ],
  getPrimaryKey: [userTargets({ operation: 'getPrimaryKey', fresh: false, decide: P.canReadApiKey, build: userId })],
  listKeys: [
    userTargets({ operation: 'listKeys', fresh: false, decide: P.canManageUser, build: userId }),
    // Decision of key-service.ts: the primary key is listed in full only to a caller who may read it (canReadApiKey), else masked.
    userTargets({
      operation: 'listKeys', label: 'primary key in full', fresh: false, build: userId, decide: P.canManageUser,
      lists: (data, t) => (data as Array<{ key: string }>).some((k) => k.key === t.key),
      // Listed (200) to whoever may manage the user; then in full ('L') or masked ('H') as canReadApiKey says.
      answerAllowed: (c, t) => {
        const read = P.canReadApiKey(c, t);
        return { expected: read.allow ? 'L' : 'H', why: read.allow ? 'allow; primary readable' : `listed masked: ${read.rule}` };
      },
    }),
  ],
  deleteKey: [
    userTargets({
      operation: 'deleteKey', fresh: true, decide: P.canManageUser,
      build: (t) => ({ body: { keyId: t.extraKeyId } }), subjectId: (t) => t.extraKeyId,
    }),
  ],
  // Networks
  getNetwork: [tenants({ operation: 'getNetwork', phase: 'read', subjects: ['A', 'B', MISSING], decide: onNetwork(P.canReadNetwork), build: (id) => ({ id }) })],
  listNetworks: [
    tenants({
      operation: 'listNetworks', phase: 'read', subjects: ['A', 'B', MISSING], decide: onNetwork(P.canReadNetwork, true),
      build: (id) => ({ body: { networkId: id } }), lists: listedIn('networks', 'networkId'),
    }),
    tenants({
      operation: 'listNetworks', label: 'holding a mailbox', phase: 'read', subjects: ['A1', 'A2', 'B1', MISSING],
      decide: onMailbox((c, m) => {
        const mailbox = P.canReadMailbox(c, m);
        return mailbox.allow ? P.canReadNetwork(c, m.networkId) : mailbox;
      }, true),
      build: (id) => ({ body: { mailboxId: id } }),
      lists: (data, id, world) => listedIn('networks', 'networkId')(data, world.mailbox(id)?.networkId ?? MISSING_ID),
    }),
  ],
  updateNetwork: [
    tenants({
      operation: 'updateNetwork', phase: 'serial', subjects: ['A', 'B', MISSING], decide: onNetwork(P.canUpdateNetwork),
      build: (id) => ({ body: { networkId: id, ...tenantChange() } }), snapshot: (world, id) => tenantSnapshot(world.server.store, 'network', id),
    }),
  ],
  createNetwork: [createNetworkVariant],
  terminateNetwork: [terminateNetwork],
  // Mailboxes
  createMailbox: [createMailbox],
  getMailbox: [
    tenants({ operation: 'getMailbox', phase: 'read', subjects: ['A1', 'A2', 'B1', MISSING], decide: onMailbox(P.canReadMailbox), build: (id) => ({ id }) }),
  ],
  listMailboxes: [
    tenants({
      operation: 'listMailboxes', phase: 'read', subjects: ['A1', 'A2', 'B1', MISSING], decide: onMailbox(P.canReadMailbox, true),
      build: () => ({ body: { networkId: 0, recordsPerPage: 500 } }), lists: listedIn('mailboxes', 'mailboxId'),
    }),
  ],
  updateMailbox: [
    tenants({
      operation: 'updateMailbox', phase: 'serial', subjects: ['A1', 'A2', 'B1', MISSING], decide: onMailbox(P.canUpdateMailbox),
      build: (id) => ({ body: { mailboxId: id, ...tenantChange() } }), snapshot: (world, id) => tenantSnapshot(world.server.store, 'mailbox', id),
    }),
  ],
  terminateMailbox: [terminateMailbox],
  // Audit (extension)
  listAuditEvents: [
    ofCaller('listAuditEvents', { label: 'any event', fresh: false, decide: P.canReadAudit, body: {} }),
    userTargets({
      operation: 'listAuditEvents', label: "events about a user's key", fresh: false,
      decide: (c, t) => auditOf((caller) => P.canReadUser(caller, t))(c), decideMissing: auditOf(() => NOT_FOUND),
      build: (t) => ({ body: { targetType: 'key', targetId: t.primaryKeyId, recordsPerPage: 500 } }),
      lists: (data, t) => (data as { events: Array<{ targetId: number }> }).events.some((e) => e.targetId === t.primaryKeyId),
      subjectId: (t) => t.primaryKeyId,
    }),
  ],
};

/** Operations that every authenticated caller may call on itself: their expected column is all 'A' by design. */
export const OPEN_TO_EVERY_CALLER: ReadonlySet<AuthenticatedOperation> = new Set([
  'logout', 'getSession', 'changePassword', 'getCurrentUser', 'generatePassword',
]);
