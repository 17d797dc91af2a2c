/**
 * 0001 — the whole initial schema. Never edit after it lands: add a new file.
 */
import { sql } from 'kysely';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builders of tables not yet typed
import type { Kysely, CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './index.js';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const time = dialect === 'postgres' ? 'timestamptz' : 'text';
  /** An integer primary key that the database fills in when not given. */
  const idColumn = <T extends string>(table: CreateTableBuilder<T, any>, name: string) =>
    dialect === 'postgres'
      ? table.addColumn(name, 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : table.addColumn(name, 'integer', (c) => c.primaryKey());
  const text = (name: string) => (t: CreateTableBuilder<string, any>) =>
    t.addColumn(name, 'text', (c) => c.notNull().defaultTo(''));
  const tenant = (t: CreateTableBuilder<string, any>) =>
    [
      'unique_id', 'unique_key', 'company_name', 'address1', 'address2', 'city', 'state', 'zip', 'phone', 'website',
    ].reduce((builder, name) => text(name)(builder), t)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created', time, (c) => c.notNull())
      .addColumn('modified', time, (c) => c.notNull());

  await tenant(idColumn(db.schema.createTable('networks'), 'network_id'))
    .addUniqueConstraint('networks_unique_id_unique', ['unique_key'])
    .execute();

  await tenant(
    idColumn(db.schema.createTable('mailboxes'), 'mailbox_id').addColumn('network_id', 'integer', (c) =>
      c.notNull().references('networks.network_id'),
    ),
  )
    .addUniqueConstraint('mailboxes_unique_id_unique', ['network_id', 'unique_key'])
    .execute();

  // network_id / mailbox_id 0 mean "none", so they carry no foreign key.
  await idColumn(db.schema.createTable('users'), 'user_id')
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('login_key', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('network_id', 'integer', (c) => c.notNull())
    .addColumn('mailbox_id', 'integer', (c) => c.notNull())
    .addColumn('auth_level', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', time)
    .addColumn('last_login', time)
    .addColumn('company', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cell_phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cell_carrier', 'text', (c) => c.notNull().defaultTo('Undefined'))
    .addColumn('time_zone_offset', 'real')
    .addColumn('created', time, (c) => c.notNull())
    .addColumn('modified', time, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('users_login_unique', ['network_id', 'login_key'])
    .execute();
  await db.schema.createIndex('users_network_idx').on('users').columns(['network_id', 'mailbox_id', 'user_id']).execute();
  await db.schema.createIndex('users_login_idx').on('users').columns(['login_key']).execute();
  await db.schema.createIndex('users_email_idx').on('users').columns(['email_key']).execute();

  await idColumn(db.schema.createTable('api_keys'), 'key_id')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.user_id'))
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('key_hint', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('key_ciphertext', 'text')
    .addColumn('created', time, (c) => c.notNull())
    .addColumn('expires_at', time)
    .addColumn('revoked_at', time)
    .addUniqueConstraint('api_keys_hash_unique', ['key_hash'])
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').columns(['user_id', 'key_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.user_id'))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('refresh_hash', 'text', (c) => c.notNull())
    .addColumn('created', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('revoked_at', time)
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').columns(['user_id']).execute();

  const auditId = (t: CreateTableBuilder<'audit_events', any>) =>
    dialect === 'postgres'
      ? t.addColumn('event_id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('event_id', 'integer', (c) => c.primaryKey());
  await auditId(db.schema.createTable('audit_events'))
    .addColumn('at', time, (c) => c.notNull())
    .addColumn('actor_user_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('target_network_id', 'integer', (c) => c.notNull())
    .addColumn('target_mailbox_id', 'integer', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_target_idx').on('audit_events').columns(['target_type', 'target_id', 'event_id']).execute();
  await db.schema.createIndex('audit_network_idx').on('audit_events').columns(['target_network_id', 'event_id']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('sms_outbox'), 'message_id')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.user_id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', time, (c) => c.notNull())
    .addColumn('sent_at', time)
    .execute();

  await db.schema
    .createTable('auth_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into auth_epoch (id, epoch) values (1, 0)`.execute(db);
}
