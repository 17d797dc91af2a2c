/**
 * PERMISSIONS.md, exhaustively: every action × all 9 caller levels × every
 * relation, compared with a table written out by hand from the spec.
 *
 * Every caller lives in network A, mailbox A1 (valid for every level). User
 * targets: self, then same mailbox (A1), same network other mailbox (A2),
 * other network (B/B1), each with a target level above / equal / below the
 * caller's. A Root outranks other Roots, so its equal-level column allows. A = allow, F = 403 forbidden, N = 404 not found, - = no such level.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_LEVELS, type AuthLevel } from '../../src/domain/levels.js';
import * as P from '../../src/domain/permissions.js';
import type { Decision } from '../../src/domain/permissions.js';
import type { Placement } from '../../src/domain/types.js';

const A = 1, A1 = 11, A2 = 12, B = 2, B1 = 21;
const CALLER_ID = 100;

function letter(decision: Decision): string {
  return decision.allow ? 'A' : decision.as === 'forbidden' ? 'F' : 'N';
}

function caller(level: AuthLevel): Placement {
  return { userId: CALLER_ID, networkId: A, mailboxId: A1, authLevel: level };
}

function shifted(level: AuthLevel, by: -1 | 0 | 1): AuthLevel | null {
  return AUTH_LEVELS[AUTH_LEVELS.indexOf(level) + by] ?? null;
}

/** The 10-letter row of a user-target action for one caller level. */
function userRow(level: AuthLevel, check: (c: Placement, t: Placement) => Decision): string {
  const me = caller(level);
  let row = letter(check(me, me)) + ' ';
  const places: Array<[number, number]> = [[A, A1], [A, A2], [B, B1]];
  row += places
    .map(([networkId, mailboxId], p) =>
      ([-1, 0, 1] as const)
        .map((by) => {
          const targetLevel = shifted(level, by);
          return targetLevel ? letter(check(me, { userId: 200 + p, networkId, mailboxId, authLevel: targetLevel })) : '-';
        })
        .join(''),
    )
    .join(' ');
  return row;
}

function table(check: (c: Placement, t: Placement) => Decision): Record<AuthLevel, string> {
  return Object.fromEntries(AUTH_LEVELS.map((level) => [level, userRow(level, check)])) as Record<AuthLevel, string>;
}

//                                         self  A1  A2  B1   (above equal below)
const READ_USER = {
  Root:         'A -AA -AA -AA',
  TechOps:      'A AAA AAA AAA',
  NetOps:       'A AAA AAA AAA',
  NetworkAdmin: 'A AAA AAA NNN',
  NetworkUser:  'A AAA AAA NNN',
  MailboxAdmin: 'A AAA NNN NNN',
  MailboxUser:  'A AAA NNN NNN',
  TPUser:       'A NNN NNN NNN',
  General:      'A NN- NN- NN-',
};

const MANAGE_USER = {
  Root:         'A -AA -AA -AA',
  TechOps:      'A FFA FFA FFA',
  NetOps:       'A FFA FFA FFA',
  NetworkAdmin: 'A FFA FFA NNN',
  NetworkUser:  'A FFF FFF NNN',
  MailboxAdmin: 'A FFA NNN NNN',
  MailboxUser:  'A FFF NNN NNN',
  TPUser:       'A NNN NNN NNN',
  General:      'A NN- NN- NN-',
};

/** Status change, terminate, set role (to the caller's own level), set network/mailbox: never on self. */
const ADMINISTER_NOT_SELF = {
  Root:         'F -AA -AA -AA',
  TechOps:      'F FFA FFA FFA',
  NetOps:       'F FFA FFA FFA',
  NetworkAdmin: 'F FFA FFA NNN',
  NetworkUser:  'F FFF FFF NNN',
  MailboxAdmin: 'F FFA NNN NNN',
  MailboxUser:  'F FFF NNN NNN',
  TPUser:       'F NNN NNN NNN',
  General:      'F NN- NN- NN-',
};

const SET_PASSWORD = {
  Root:         'F -AA -AA -AA',
  TechOps:      'F FFA FFA FFA',
  NetOps:       'F FFA FFA FFA',
  NetworkAdmin: 'F FFA FFA NNN',
  NetworkUser:  'F FFF FFF NNN',
  MailboxAdmin: 'F FFF NNN NNN',
  MailboxUser:  'F FFF NNN NNN',
  TPUser:       'F NNN NNN NNN',
  General:      'F NN- NN- NN-',
};

const READ_API_KEY = {
  Root:         'A -AA -AA -AA',
  TechOps:      'A FFA FFA FFA',
  NetOps:       'A FFA FFA FFA',
  NetworkAdmin: 'A FFA FFA NNN',
  NetworkUser:  'A FFF FFF NNN',
  MailboxAdmin: 'A FFF NNN NNN',
  MailboxUser:  'A FFF NNN NNN',
  TPUser:       'A NNN NNN NNN',
  General:      'A NN- NN- NN-',
};

describe('permissions on users (every level × relation)', () => {
  it('read a user (get, list, by-name, me): in scope', () => {
    expect(table(P.canReadUser)).toEqual(READ_USER);
  });
  it('update profile/config, SMS, reset sessions, keys: self, or admin outranking an in-scope target', () => {
    expect(table(P.canManageUser)).toEqual(MANAGE_USER);
  });
  it('change status: admin outranking an in-scope target, never self', () => {
    expect(table(P.canChangeStatus)).toEqual(ADMINISTER_NOT_SELF);
  });
  it('terminate: admin outranking an in-scope target, never self', () => {
    expect(table(P.canTerminateUser)).toEqual(ADMINISTER_NOT_SELF);
  });
  it('set role to a level not above the caller: as terminate', () => {
    expect(table((c, t) => P.canSetRole(c, t, c.authLevel))).toEqual(ADMINISTER_NOT_SELF);
  });
  it('set network/mailbox: as terminate', () => {
    expect(table(P.canSetNetworkMailbox)).toEqual(ADMINISTER_NOT_SELF);
  });
  it("set another user's password: NetworkAdmin or higher outranking an in-scope target; self 403 for all", () => {
    expect(table(P.canSetPassword)).toEqual(SET_PASSWORD);
  });
  it("read an API key: own key anyone; another's NetworkAdmin or higher outranking, in scope", () => {
    expect(table(P.canReadApiKey)).toEqual(READ_API_KEY);
  });
});

describe('granting levels', () => {
  // Row = caller level; column = granted level in AUTH_LEVELS order (Root … General).
  const GRANT = {
    Root:         'AAAAAAAAA',
    TechOps:      'FAAAAAAAA',
    NetOps:       'FFAAAAAAA',
    NetworkAdmin: 'FFFAAAAAA',
    NetworkUser:  'FFFFAAAAA',
    MailboxAdmin: 'FFFFFAAAA',
    MailboxUser:  'FFFFFFAAA',
    TPUser:       'FFFFFFFAA',
    General:      'FFFFFFFFA',
  };
  const CREATE = {
    Root:         'AAAAAAAAA',
    TechOps:      'FAAAAAAAA',
    NetOps:       'FFAAAAAAA',
    NetworkAdmin: 'FFFAAAAAA',
    NetworkUser:  'FFFFFFFFF',
    MailboxAdmin: 'FFFFFAAAA',
    MailboxUser:  'FFFFFFFFF',
    TPUser:       'FFFFFFFFF',
    General:      'FFFFFFFFF',
  };
  const matrix = (check: (c: Placement, level: AuthLevel) => Decision) =>
    Object.fromEntries(AUTH_LEVELS.map((level) => [level, AUTH_LEVELS.map((granted) => letter(check(caller(level), granted))).join('')]));

  it('never above the caller', () => {
    expect(matrix(P.canGrantLevel)).toEqual(GRANT);
  });
  it('create a user: admin level, new level not above own', () => {
    expect(matrix(P.canCreateUser)).toEqual(CREATE);
  });
  it('set role above own level is forbidden even on an outranked target', () => {
    const netAdmin = caller('NetworkAdmin');
    const target: Placement = { userId: 7, networkId: A, mailboxId: A1, authLevel: 'MailboxUser' };
    expect(letter(P.canSetRole(netAdmin, target, 'NetOps'))).toBe('F');
    expect(letter(P.canSetRole(netAdmin, target, 'NetworkAdmin'))).toBe('A');
  });
});

describe('permissions on networks, mailboxes and the audit log', () => {
  const byLevel = (check: (c: Placement) => string) => Object.fromEntries(AUTH_LEVELS.map((level) => [level, check(caller(level))]));

  it('networks: read (own A, other B) and update (A, B)', () => {
    expect(byLevel((c) => `${letter(P.canReadNetwork(c, A))}${letter(P.canReadNetwork(c, B))} ${letter(P.canUpdateNetwork(c, A))}${letter(P.canUpdateNetwork(c, B))}`)).toEqual({
      Root: 'AA AA', TechOps: 'AA AA', NetOps: 'AA AA',
      NetworkAdmin: 'AN AN', NetworkUser: 'AN FN',
      MailboxAdmin: 'AN FN', MailboxUser: 'AN FN', TPUser: 'AN FN', General: 'AN FN',
    });
  });

  it('mailboxes: read, update, terminate (A1 own, A2 same network, B1 other network) and create (in A, in B)', () => {
    const mb = (mailboxId: number, networkId: number) => ({ mailboxId, networkId });
    const row = (c: Placement) =>
      [P.canReadMailbox, P.canUpdateMailbox, P.canTerminateMailbox]
        .map((check) => [mb(A1, A), mb(A2, A), mb(B1, B)].map((m) => letter(check(c, m))).join(''))
        .join(' ') + ` ${letter(P.canCreateMailbox(c, A))}${letter(P.canCreateMailbox(c, B))}`;
    expect(byLevel(row)).toEqual({
      Root:         'AAA AAA AAA AA',
      TechOps:      'AAA AAA AAA AA',
      NetOps:       'AAA AAA AAA AA',
      NetworkAdmin: 'AAN AAN AAN AF',
      NetworkUser:  'AAN FFN FFN FF',
      MailboxAdmin: 'ANN ANN FNN FF',
      MailboxUser:  'ANN FNN FNN FF',
      TPUser:       'ANN FNN FNN FF',
      General:      'ANN FNN FNN FF',
    });
  });

  it('audit log: NetworkAdmin and higher', () => {
    expect(byLevel((c) => letter(P.canReadAudit(c)))).toEqual({
      Root: 'A', TechOps: 'A', NetOps: 'A', NetworkAdmin: 'A', NetworkUser: 'F',
      MailboxAdmin: 'F', MailboxUser: 'F', TPUser: 'F', General: 'F',
    });
  });

  it('a mailbox-scoped caller does not see network level (mailbox 0) users of its own network', () => {
    const mbAdmin = caller('MailboxAdmin');
    expect(letter(P.canReadUser(mbAdmin, { userId: 9, networkId: A, mailboxId: 0, authLevel: 'MailboxUser' }))).toBe('N');
  });
});
