/**
 * A user's standing, as authentication needs it: who the user is, its status,
 * and the status of its network and mailbox. Selected (aliases `u`, `n`, `m`)
 * alongside a credential — an API key or a session — in one query.
 */
import type { AuthLevel } from '../../domain/levels.js';
import type { Status } from '../../domain/statuses.js';
import type { Placement } from '../../domain/types.js';

export interface Standing {
  user: Placement & { login: string; status: Status };
  /** Null when the user has no network (0) or it does not exist. */
  networkStatus: string | null;
  mailboxStatus: string | null;
}

/** The columns to select from `users as u` left-joined with `networks as n` and `mailboxes as m`. */
export const STANDING_COLUMNS = [
  'u.user_id', 'u.login', 'u.network_id', 'u.mailbox_id', 'u.auth_level', 'u.status as user_status',
  'n.status as network_status', 'm.status as mailbox_status',
] as const;

/**
 * STANDING_COLUMNS with the caller's own columns under `caller_` names, for a
 * query that also selects another user's columns under their plain names.
 */
export const CALLER_STANDING_COLUMNS = [
  'u.user_id as caller_user_id', 'u.login as caller_login', 'u.network_id as caller_network_id',
  'u.mailbox_id as caller_mailbox_id', 'u.auth_level as caller_auth_level', 'u.status as user_status',
  'n.status as network_status', 'm.status as mailbox_status',
] as const;

export function toCallerStanding(row: {
  caller_user_id: number; caller_login: string; caller_network_id: number; caller_mailbox_id: number; caller_auth_level: string;
  user_status: string; network_status: string | null; mailbox_status: string | null;
}): Standing {
  return toStanding({
    user_id: row.caller_user_id, login: row.caller_login, network_id: row.caller_network_id, mailbox_id: row.caller_mailbox_id,
    auth_level: row.caller_auth_level, user_status: row.user_status, network_status: row.network_status, mailbox_status: row.mailbox_status,
  });
}

export function toStanding(row: {
  user_id: number; login: string; network_id: number; mailbox_id: number; auth_level: string; user_status: string;
  network_status: string | null; mailbox_status: string | null;
}): Standing {
  return {
    user: {
      userId: row.user_id,
      login: row.login,
      networkId: row.network_id,
      mailboxId: row.mailbox_id,
      authLevel: row.auth_level as AuthLevel,
      status: row.user_status as Status,
    },
    networkStatus: row.network_status,
    mailboxStatus: row.mailbox_status,
  };
}
