/**
 * Which actions the console offers on a user, decided by the server's own
 * permission module (src/domain/permissions.ts, bundled into the console), so
 * the screen and the server cannot disagree. Business rules the module does
 * not cover (a Terminated user cannot change; status buttons follow the
 * current status) are applied here, as the API applies them after access.
 */
import {
  canChangeStatus, canManageUser, canReadApiKey, canSetNetworkMailbox, canSetPassword, canSetRole, canTerminateUser,
  canGrantLevel, canReadAudit, canCreateUser, canUpdateNetwork, canCreateMailbox, canUpdateMailbox, canTerminateMailbox,
  canCreateNetwork, canTerminateNetwork,
} from '../../../src/domain/permissions.js';
import { AUTH_LEVELS, type AuthLevel } from '../../../src/domain/levels.js';
import type { Placement } from '../../../src/domain/types.js';

export type UserAction =
  | 'edit-profile'
  | 'edit-config'
  | 'send-sms'
  | 'reset-sessions'
  | 'suspend'
  | 'reactivate'
  | 'terminate'
  | 'set-role'
  | 'set-placement'
  | 'set-password'
  | 'list-keys'
  | 'read-key'
  | 'regenerate-key';

export interface TargetUser extends Placement {
  status: string;
}

/** Every action the console can offer on `target`, in screen order. */
export function userActions(caller: Placement, target: TargetUser): Set<UserAction> {
  const actions = new Set<UserAction>();
  if (target.status === 'Terminated') return actions;
  const manage = canManageUser(caller, target).allow;
  if (manage) actions.add('edit-profile').add('edit-config').add('send-sms').add('reset-sessions').add('list-keys').add('regenerate-key');
  if (canChangeStatus(caller, target).allow) {
    if (target.status === 'Active') actions.add('suspend');
    if (target.status === 'Suspended') actions.add('reactivate');
  }
  if (canTerminateUser(caller, target).allow) actions.add('terminate');
  if (canSetRole(caller, target, target.authLevel).allow) actions.add('set-role');
  if (canSetNetworkMailbox(caller, target).allow) actions.add('set-placement');
  if (canSetPassword(caller, target).allow) actions.add('set-password');
  if (canReadApiKey(caller, target).allow) actions.add('read-key');
  return actions;
}

/** Levels the caller may give (never above its own). */
export function grantableLevels(caller: Placement): AuthLevel[] {
  return AUTH_LEVELS.filter((level) => canGrantLevel(caller, level).allow);
}

export const may = {
  /** An admin level may create users (at most its own level, in its scope). */
  createUser: (caller: Placement) => canCreateUser(caller, caller.authLevel).allow,
  readAudit: (caller: Placement) => canReadAudit(caller).allow,
  updateNetwork: (caller: Placement, networkId: number) => canUpdateNetwork(caller, networkId).allow,
  createMailbox: (caller: Placement, networkId: number) => canCreateMailbox(caller, networkId).allow,
  updateMailbox: (caller: Placement, mailbox: { mailboxId: number; networkId: number }) => canUpdateMailbox(caller, mailbox).allow,
  terminateMailbox: (caller: Placement, mailbox: { mailboxId: number; networkId: number }) => canTerminateMailbox(caller, mailbox).allow,
  createNetwork: (caller: Placement) => canCreateNetwork(caller).allow,
  terminateNetwork: (caller: Placement, networkId: number) => canTerminateNetwork(caller, networkId).allow,
};

/**
 * Suspend / reactivate a network or mailbox (Extension `status` of the update
 * calls): the update permission, on a tenant that is not Terminated. The
 * console does not offer it on the caller's own network or mailbox: a user of
 * a Suspended one cannot sign in, so it would lock the caller out (the API
 * allows it; an operator can undo it).
 */
export function tenantStatusAction(
  caller: Placement,
  tenant: { networkId: number; mailboxId?: number; status: string },
): 'suspend' | 'reactivate' | null {
  if (tenant.status === 'Terminated') return null;
  const own = tenant.mailboxId === undefined ? caller.networkId === tenant.networkId : caller.mailboxId === tenant.mailboxId;
  if (own) return null;
  const allowed = tenant.mailboxId === undefined
    ? canUpdateNetwork(caller, tenant.networkId).allow
    : canUpdateMailbox(caller, { networkId: tenant.networkId, mailboxId: tenant.mailboxId }).allow;
  if (!allowed) return null;
  return tenant.status === 'Suspended' ? 'reactivate' : 'suspend';
}
