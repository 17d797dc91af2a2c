/**
 * 0004 — the list of a mailbox-scoped caller (MailboxAdmin, MailboxUser) by
 * status: (network, mailbox, status) in userId order, so a page is read off
 * the index instead of walking the network's users of that status (95,000 of
 * a million) to find the mailbox's.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_mailbox_status_idx').on('users').columns(['network_id', 'mailbox_id', 'status', 'user_id']).execute();
}
