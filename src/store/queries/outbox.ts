/**
 * The SMS outbox: one row per text message accepted by POST /v2/users/send-sms.
 * `sentAt` is the time the SMTP relay accepted it, or null when no relay is
 * configured (the row is then the only place the message goes).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SmsOutboxTable } from '../schema.js';
import type { Dialect } from '../dialects/dialect.js';

export interface SmsOutboxMessage {
  messageId: number;
  userId: number;
  /** `<digits>@<carrier gateway>` */
  recipient: string;
  subject: string;
  body: string;
  created: string;
  sentAt: string | null;
}

export type NewSmsOutboxMessage = Omit<SmsOutboxMessage, 'messageId'>;

export class OutboxQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  #toMessage = (row: Selectable<SmsOutboxTable>): SmsOutboxMessage => ({
    messageId: row.message_id,
    userId: row.user_id,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    created: this.dialect.readTime(row.created),
    sentAt: row.sent_at === null ? null : this.dialect.readTime(row.sent_at),
  });

  /** Records a message and returns it with its id. */
  async insert(message: NewSmsOutboxMessage): Promise<SmsOutboxMessage> {
    const row = await this.db
      .insertInto('sms_outbox')
      .values({
        user_id: message.userId,
        recipient: message.recipient,
        subject: message.subject,
        body: message.body,
        created: message.created,
        sent_at: message.sentAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.#toMessage(row);
  }

  /** The messages recorded for a user, oldest first; [] when there are none. Sees every scope. */
  async listOfUser(userId: number): Promise<SmsOutboxMessage[]> {
    const rows = await this.db.selectFrom('sms_outbox').selectAll().where('user_id', '=', userId).orderBy('message_id').execute();
    return rows.map(this.#toMessage);
  }
}
