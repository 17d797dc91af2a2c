/**
 * The world of the authorization matrix (issue 8): networks A and B, mailboxes
 * A1 and A2 in A and B1 in B; callers of every AuthLevel at every place that
 * level can live in; one lasting target per (place, level) for the cases that
 * only read; fresh members for the cases that change their target. Everything
 * is written through the Store (createUser's cached password hash: no argon2
 * per user), so that thousands of members cost seconds.
 */
import { randomUUID } from 'node:crypto';
import { AUTH_LEVELS, type AuthLevel } from '../../src/domain/levels.js';
import { placementProblem } from '../../src/domain/placement.js';
import type { Mailbox, Network, User } from '../../src/domain/types.js';
import { generateApiKey, hashApiKey, keyHint } from '../../src/security/api-keys.js';
import type { Store } from '../../src/store/store.js';
import { createMailbox, createNetwork, createUser, type TestServer } from './server.js';

/**
 * Where users live: a mailbox of A, the other mailbox of A, network level of A
 * (mailbox 0), a mailbox of the other network B, and no network at all (0/0,
 * system levels only).
 */
export const PLACES = ['A1', 'A2', 'A0', 'B1', '00'] as const;
export type PlaceName = (typeof PLACES)[number];

export interface Place {
  name: PlaceName;
  networkId: number;
  mailboxId: number;
}

/**
 * Where each level's callers sit (API.md §3 "Levels that live in a mailbox…"):
 * system levels without a network and in A; network levels at network level
 * and in a mailbox; mailbox levels in A1; General in a mailbox and at network level.
 */
export const CALLER_PLACES: Record<AuthLevel, readonly PlaceName[]> = {
  Root: ['00', 'A0'],
  TechOps: ['00', 'A0'],
  NetOps: ['00', 'A0'],
  NetworkAdmin: ['A0', 'A1'],
  NetworkUser: ['A0', 'A1'],
  MailboxAdmin: ['A1'],
  MailboxUser: ['A1'],
  TPUser: ['A1'],
  General: ['A1', 'A0'],
};

/** An id no object of the world has (positive 32-bit, far above every sequence used here). */
export const MISSING_ID = 2_147_480_000;

/** A user of the world and what the cases need of it. */
export interface Member {
  user: User;
  place: PlaceName;
  /** Its primary API key, in clear: how it calls. */
  key: string;
  primaryKeyId: number;
  /** A second, non-primary key (Shared), for DELETE /v2/keys. */
  extraKeyId: number;
}

/** What a denied request must leave exactly as it was. */
export type Snapshot = () => Promise<unknown>;

export interface AuthzWorld {
  server: TestServer;
  networks: { A: Network; B: Network };
  mailboxes: { A1: Mailbox; A2: Mailbox; B1: Mailbox };
  places: Record<PlaceName, Place>;
  /** One caller per (level, place of CALLER_PLACES): 15. */
  callers: Member[];
  /** The lasting target of this level at this place, if the level can live there. */
  target(level: AuthLevel, place: PlaceName): Member | undefined;
  /** A new member (for a case that changes it). */
  fresh(level: AuthLevel, place: PlaceName): Promise<Member>;
  /** A new empty mailbox (for DELETE /v2/mailboxes/{id}). */
  emptyMailbox(network: 'A' | 'B'): Promise<Mailbox>;
  network(networkId: number): Network | undefined;
  mailbox(mailboxId: number): Mailbox | undefined;
}

/** Whether a user of this level may live at this place (placement.ts, every object existing). */
export function livesAt(world: Pick<AuthzWorld, 'places' | 'network' | 'mailbox'>, level: AuthLevel, place: PlaceName): boolean {
  const { networkId, mailboxId } = world.places[place];
  return placementProblem(level, networkId, mailboxId, world.network(networkId) ?? null, world.mailbox(mailboxId) ?? null) === null;
}

/** `Level@place`, e.g. `NetworkAdmin@A0`: how the matrix names a caller. */
export function describeMember(member: Pick<Member, 'user' | 'place'>): string {
  return `${member.user.authLevel}@${member.place}`;
}

/** Adds what cases need to a new user: its primary key's id, an extra key, a live session and a cell phone (for SMS). */
async function equip(store: Store, user: User, key: string, place: PlaceName): Promise<Member> {
  return store.transaction(async (tx) => {
    const primary = await tx.keys.findPrimary(user.userId);
    const extra = generateApiKey();
    const now = new Date();
    const extraKey = await tx.keys.insert({
      userId: user.userId, keyHash: hashApiKey(extra), hint: keyHint(extra), visibility: 'Shared', isPrimary: false,
      ciphertext: null, created: now.toISOString(), expiresAt: null,
    });
    await tx.sessions.insert({
      sessionId: randomUUID(), userId: user.userId, refreshHash: 'authz-matrix', created: now.toISOString(),
      expiresAt: new Date(now.getTime() + 6 * 3_600_000).toISOString(),
    });
    const equipped = await tx.users.update(user.userId, { cellPhone: '3125550142', cellCarrier: 'Verizon' }, now.toISOString());
    return { user: equipped!, place, key, primaryKeyId: primary!.key.keyId, extraKeyId: extraKey.keyId };
  });
}

export async function buildAuthzWorld(server: TestServer): Promise<AuthzWorld> {
  const A = await createNetwork(server);
  const B = await createNetwork(server);
  const A1 = await createMailbox(server, A.networkId);
  const A2 = await createMailbox(server, A.networkId);
  const B1 = await createMailbox(server, B.networkId);
  const networks = new Map([A, B].map((n) => [n.networkId, n]));
  const mailboxes = new Map([A1, A2, B1].map((m) => [m.mailboxId, m]));
  const places: Record<PlaceName, Place> = {
    A1: { name: 'A1', networkId: A.networkId, mailboxId: A1.mailboxId },
    A2: { name: 'A2', networkId: A.networkId, mailboxId: A2.mailboxId },
    A0: { name: 'A0', networkId: A.networkId, mailboxId: 0 },
    B1: { name: 'B1', networkId: B.networkId, mailboxId: B1.mailboxId },
    '00': { name: '00', networkId: 0, mailboxId: 0 },
  };
  const fresh = async (level: AuthLevel, place: PlaceName): Promise<Member> => {
    const { user, key } = await createUser(server, { authLevel: level, networkId: places[place].networkId, mailboxId: places[place].mailboxId });
    return equip(server.store, user, key, place);
  };

  const callers: Member[] = [];
  for (const level of AUTH_LEVELS) for (const place of CALLER_PLACES[level]) callers.push(await fresh(level, place));

  const partial = { places, network: (id: number) => networks.get(id), mailbox: (id: number) => mailboxes.get(id) };
  const targets = new Map<string, Member>();
  for (const place of PLACES) {
    for (const level of AUTH_LEVELS) if (livesAt(partial, level, place)) targets.set(`${level}@${place}`, await fresh(level, place));
  }

  return {
    ...partial,
    server,
    networks: { A, B },
    mailboxes: { A1, A2, B1 },
    callers,
    target: (level, place) => targets.get(`${level}@${place}`),
    fresh,
    emptyMailbox: (network) => createMailbox(server, (network === 'A' ? A : B).networkId),
  };
}

/**
 * Everything about a user that a request could change: the row (version
 * included), password hash, live keys, open sessions, SMS outbox, and the audit
 * events about it and its keys.
 */
export function userSnapshot(store: Store, userId: number, asOf: string): Snapshot {
  return () =>
    store.read(async (r) => {
      const keys = await r.keys.listLive(userId);
      const eventsAbout = async (targetType: 'user' | 'key', targetId: number) =>
        (await r.audit.list({ kind: 'system' }, { targetType, targetId }, { pageNo: 1, recordsPerPage: 500 })).events.map((e) => e.eventId);
      const keyEvents: number[][] = [];
      for (const key of keys) keyEvents.push(await eventsAbout('key', key.keyId));
      return {
        user: await r.users.findById(userId),
        passwordHash: await r.users.findPasswordHash(userId),
        keys,
        openSessions: await r.sessions.countOpen(userId, asOf),
        outbox: await r.outbox.listOfUser(userId),
        events: await eventsAbout('user', userId),
        keyEvents,
      };
    });
}

/** A network's or mailbox's row and the audit events about it. */
export function tenantSnapshot(store: Store, type: 'network' | 'mailbox', id: number): Snapshot {
  return () =>
    store.read(async (r) => ({
      row: type === 'network' ? await r.networks.findById(id) : await r.mailboxes.findById(id),
      events: (await r.audit.list({ kind: 'system' }, { targetType: type, targetId: id }, { pageNo: 1, recordsPerPage: 500 })).events.map((e) => e.eventId),
    }));
}
