/**
 * Users administration (API.md §3): set password, generate password, set role,
 * set network/mailbox, update config, send SMS, reset sessions. Same shape as
 * user-service.ts, whose helpers it reuses: one transaction per mutation —
 * load (locking), authorize, business rules, write, audit. Hashing and SMTP
 * stay outside transactions.
 */
import { ApiError } from '../contract/errors.js';
import type {
  SendSmsBody, SetNetworkMailboxBody, SetPasswordBody, SetRoleBody, UpdateConfigBody,
} from '../contract/users.js';
import { smsGatewayAddress } from '../domain/cell-carriers.js';
import type { AuthLevel } from '../domain/levels.js';
import { canManageUser, canSetNetworkMailbox, canSetPassword, canSetRole } from '../domain/permissions.js';
import { scopeOf } from '../domain/scopes.js';
import { admitsMembers } from '../domain/statuses.js';
import type { Mailbox, Network, User } from '../domain/types.js';
import { SMS_SUBJECT, type SmsSender } from '../mail/sms-sender.js';
import { generatePassword } from '../security/password-generator.js';
import { hashPassword } from '../security/passwords.js';
import type { UserPatch } from '../store/queries/users.js';
import type { DestinationRows } from '../store/queries/tenancy.js';
import type { Repositories, Store } from '../store/store.js';
import { enforce } from './access.js';
import { auditEvent, diff, userTarget } from './audit-trail.js';
import type { RequestContext } from './context.js';
import { nowIso } from './context.js';
import { checkPlacement, loadUserForPlacement, loadUserForUpdate, protectLastRoot, refuseTerminated, userNotFound } from './user-service.js';

const CONFIG_FIELDS = ['company', 'phone', 'cellPhone', 'cellCarrier', 'timeZoneOffset'] as const;
const PLACEMENT_FIELDS = ['authLevel', 'networkId', 'mailboxId'] as const;
const LOCKOUT_FIELDS = ['failedLogins', 'lockedUntil'] as const;

/** What the audit trail says about a password: that it changed, never what it is or was. */
const PASSWORD_CHANGE = { old: '[set]', new: '[changed]' } as const;

/** A user's level and where it lives. */
interface Assignment {
  authLevel: AuthLevel;
  networkId: number;
  mailboxId: number;
}

/**
 * Where a re-scoped user goes (API.md §3): an absent networkId keeps the
 * current network; when the network changes and no mailboxId is given,
 * mailboxId becomes 0 (a level that needs a mailbox is then refused by checkPlacement).
 */
function destinationOf(user: User, networkId: number | undefined, mailboxId: number | undefined): { networkId: number; mailboxId: number } {
  const network = networkId ?? user.networkId;
  return { networkId: network, mailboxId: mailboxId ?? (network === user.networkId ? user.mailboxId : 0) };
}

/**
 * Where a change of placement will most likely put the user, before its row is
 * locked (loadUserForPlacement): from the row authentication read ahead, or
 * from the request alone when it names both ids. Undefined when neither tells.
 */
function expectedDestination(
  context: RequestContext,
  body: { userId: number; networkId?: number; mailboxId?: number },
): { networkId: number; mailboxId: number } | undefined {
  const ahead = context.readAhead?.userId === body.userId ? context.readAhead.user : undefined;
  if (ahead) return destinationOf(ahead, body.networkId, body.mailboxId);
  return body.networkId !== undefined && body.mailboxId !== undefined ? { networkId: body.networkId, mailboxId: body.mailboxId } : undefined;
}

/**
 * A user may only move into a live network and mailbox: after checkPlacement
 * they exist, are in scope and are not Terminated, so what is left is
 * Suspended. checkPlacement's share locks already make a concurrent status
 * change wait until commit, so the rows it returned are read as they are.
 * Staying where one is (a level change only) is no move and is not checked.
 */
function checkDestinationLive(user: User, networkId: number, mailboxId: number, destination: { network: Network | null; mailbox: Mailbox | null }): void {
  const { network, mailbox } = destination;
  if (networkId > 0 && networkId !== user.networkId && network && !admitsMembers(network.status)) {
    throw ApiError.invalid('networkId', `network ${networkId} is ${network.status}`);
  }
  if (mailboxId > 0 && mailboxId !== user.mailboxId && mailbox && !admitsMembers(mailbox.status)) {
    throw ApiError.invalid('mailboxId', `mailbox ${mailboxId} is ${mailbox.status}`);
  }
}

/** The e-mail-to-SMS address of the user, or 400 when it has no cell phone or carrier. */
function smsRecipientOf(user: User): string {
  const address = smsGatewayAddress(user.cellPhone, user.cellCarrier);
  if (address === null) {
    throw ApiError.invalid('userId', `user ${user.userId} has no cell phone or no cell carrier (set them with POST /v2/users/update-config)`);
  }
  return address;
}

export class UserAdminService {
  constructor(
    private readonly store: Store,
    /** null: no SMTP relay configured; messages are only recorded in the outbox. */
    private readonly sms: SmsSender | null,
  ) {}

  /**
   * POST /v2/users/password. Also ends a lockout (failed logins back to 0).
   * Extension `revokeSessions`: also revoke the user's sessions; without it they stay valid.
   */
  async setPassword(context: RequestContext, body: SetPasswordBody): Promise<void> {
    const passwordHash = await hashPassword(body.newPassword);
    await this.store.transaction(async (tx) => {
      const before = await loadUserForUpdate(tx, body.userId);
      enforce(canSetPassword(context.principal, before), userNotFound(body.userId));
      refuseTerminated(before);
      const now = nowIso();
      const after = await tx.users.updateHeld(before, { passwordHash, failedLogins: 0, lockedUntil: null }, now);
      const event = auditEvent(context, 'user.password', userTarget(after), { password: { ...PASSWORD_CHANGE }, ...diff(before, after, LOCKOUT_FIELDS) });
      if (body.revokeSessions === true) await tx.audit.insertCounting(event, 'sessionsRevoked', { sessionsOf: before.userId, at: now });
      else await tx.audit.insert(event);
    });
  }

  /** POST /v2/users/generate-password: reveals nothing and changes nothing, so any caller may ask. */
  generatePassword(length: number): string {
    return generatePassword(length);
  }

  /** POST /v2/users/role: a new level, optionally in a new network/mailbox. */
  async setRole(context: RequestContext, body: SetRoleBody): Promise<User> {
    return this.store.transaction(async (tx) => {
      const { user: before, read } = await loadUserForPlacement(tx, body.userId, expectedDestination(context, body));
      enforce(canSetRole(context.principal, before, body.authLevel), userNotFound(body.userId));
      refuseTerminated(before);
      if (body.authLevel !== 'Root') await protectLastRoot(tx, before, 'authLevel');
      const destination = destinationOf(before, body.networkId, body.mailboxId);
      return this.#place(tx, context, before, { authLevel: body.authLevel, ...destination }, 'user.role', read);
    });
  }

  /** POST /v2/users/set-network-mailbox: same level, new network/mailbox. */
  async setNetworkMailbox(context: RequestContext, body: SetNetworkMailboxBody): Promise<User> {
    return this.store.transaction(async (tx) => {
      const { user: before, read } = await loadUserForPlacement(tx, body.userId, expectedDestination(context, body));
      enforce(canSetNetworkMailbox(context.principal, before), userNotFound(body.userId));
      refuseTerminated(before);
      const destination = destinationOf(before, body.networkId, body.mailboxId);
      return this.#place(tx, context, before, { authLevel: before.authLevel, ...destination }, 'user.set-network-mailbox', read);
    });
  }

  /** Checks and writes a (level, network, mailbox) change; no change writes nothing. `read`: see loadUserForPlacement. */
  async #place(tx: Repositories, context: RequestContext, before: User, target: Assignment, action: string, read?: DestinationRows): Promise<User> {
    const destination = await checkPlacement(tx, scopeOf(context.principal), target.authLevel, target.networkId, target.mailboxId, read);
    checkDestinationLive(before, target.networkId, target.mailboxId, destination);
    const patch: UserPatch = {};
    for (const field of PLACEMENT_FIELDS) if (target[field] !== before[field]) Object.assign(patch, { [field]: target[field] });
    if (Object.keys(patch).length === 0) return before;
    const after = await tx.users.updateHeld(before, patch, nowIso());
    await tx.audit.insert(auditEvent(context, action, userTarget(after), diff(before, after, PLACEMENT_FIELDS)));
    return after;
  }

  /** POST /v2/users/update-config: absent = unchanged, "" clears a text field. */
  async updateConfig(context: RequestContext, body: UpdateConfigBody): Promise<void> {
    await this.store.transaction(async (tx) => {
      const before = await loadUserForUpdate(tx, body.userId);
      enforce(canManageUser(context.principal, before), userNotFound(body.userId));
      refuseTerminated(before);
      const patch: UserPatch = {};
      for (const field of CONFIG_FIELDS) {
        if (body[field] !== undefined && body[field] !== before[field]) Object.assign(patch, { [field]: body[field] });
      }
      if (Object.keys(patch).length === 0) return;
      const after = await tx.users.updateHeld(before, patch, nowIso());
      await tx.audit.insert(auditEvent(context, 'user.config', userTarget(after), diff(before, after, CONFIG_FIELDS)));
    });
  }

  /**
   * POST /v2/users/send-sms. Checked first (a read), then handed to the relay
   * outside any transaction, then recorded in the outbox with the audit event.
   * A relay failure throws SmsRelayUnavailable (503) before anything is recorded;
   * without a relay the outbox row (sentAt null) is where the message goes.
   */
  async sendSms(context: RequestContext, body: SendSmsBody): Promise<void> {
    const { user, recipient } = await this.store.read(async (r) => {
      const found = await r.users.findById(body.userId);
      if (!found) throw userNotFound(body.userId)();
      enforce(canManageUser(context.principal, found), userNotFound(body.userId));
      refuseTerminated(found);
      return { user: found, recipient: smsRecipientOf(found) };
    });
    if (this.sms) await this.sms.send({ to: recipient, subject: SMS_SUBJECT, text: body.message });
    const now = nowIso();
    await this.store.transaction(async (tx) => {
      const stored = await tx.outbox.insert({
        userId: user.userId,
        recipient,
        subject: SMS_SUBJECT,
        body: body.message,
        created: now,
        sentAt: this.sms ? now : null,
      });
      await tx.audit.insert(auditEvent(context, 'user.send-sms', userTarget(user), { smsMessageId: { old: null, new: stored.messageId } }));
    });
  }

  /** POST /v2/users/reset/{id}: every live session of the user is revoked at once. */
  async resetSessions(context: RequestContext, userId: number): Promise<void> {
    await this.store.transaction(async (tx) => {
      const user = await loadUserForUpdate(tx, userId);
      enforce(canManageUser(context.principal, user), userNotFound(userId));
      refuseTerminated(user, 'id');
      await tx.audit.insertCounting(auditEvent(context, 'user.reset-sessions', userTarget(user), {}), 'sessionsRevoked', { sessionsOf: userId, at: nowIso() });
    });
  }
}
