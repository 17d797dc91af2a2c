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
