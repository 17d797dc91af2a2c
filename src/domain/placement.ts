/**
 * Where a user of a given level may live (API.md §3 "Levels that live in a
 * mailbox…"). Pure: the caller looks the network and mailbox up and passes what
 * it found (null = missing, out of scope or Terminated — all answered alike).
 */
import { scopeKindOf } from './levels.js';
import type { AuthLevel } from './levels.js';

export interface PlacementProblem {
  field: 'networkId' | 'mailboxId' | 'authLevel';
  message: string;
}

export const MAILBOX_LEVELS: ReadonlySet<AuthLevel> = new Set(['MailboxAdmin', 'MailboxUser', 'TPUser']);

export function needsMailbox(level: AuthLevel): boolean {
  return MAILBOX_LEVELS.has(level);
}

/**
 * Checks a (level, network, mailbox) triple. `network` / `mailbox` are the
 * looked-up objects (only their network matters) or null when absent.
 * Decision: `General` (rank 9, self-scoped) needs a network like the network
 * levels; only the system levels may live in network 0.
 */
export function placementProblem(
  level: AuthLevel,
  networkId: number,
  mailboxId: number,
  network: { networkId: number } | null,
  mailbox: { networkId: number } | null,
): PlacementProblem | null {
  const system = scopeKindOf(level) === 'system';
  if (networkId === 0) {
    if (!system) return { field: 'networkId', message: `networkId: a ${level} must belong to a network` };
    if (mailboxId !== 0) return { field: 'mailboxId', message: 'mailboxId: must be 0 when networkId is 0' };
    return null;
  }
  if (!network) return { field: 'networkId', message: 'networkId: no such network' };
  if (mailboxId === 0) {
    if (needsMailbox(level)) return { field: 'mailboxId', message: `mailboxId: a ${level} must belong to a mailbox` };
    return null;
  }
  if (!mailbox || mailbox.networkId !== networkId) {
    return { field: 'mailboxId', message: 'mailboxId: no such mailbox in this network' };
  }
  return null;
}
