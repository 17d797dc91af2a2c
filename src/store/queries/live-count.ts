/**
 * How many users or mailboxes of a network or mailbox are not Terminated: what
 * keeps a network or mailbox from being terminated (NetworkService,
 * MailboxService). Locks nothing; the terminate call decides on it inside its
 * transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../dialects/dialect.js';
import { enumLiteral } from './enum-literal.js';

export async function countLive(
  db: Kysely<Database>,
  dialect: Dialect,
  table: 'users' | 'mailboxes',
  column: 'network_id' | 'mailbox_id',
  id: number,
): Promise<number> {
  // Both tables have network_id, mailbox_id and status; Kysely types one table at a time.
  const row = await db
    .selectFrom(table as 'users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, '=', id)
    .where('status', '!=', enumLiteral('Terminated'))
    .executeTakeFirstOrThrow();
  return dialect.readCount(row.n);
}
