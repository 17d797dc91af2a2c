/**
 * Table shapes as Kysely sees them. Column names are snake_case; rows are
 * mapped to domain objects in queries/ and never leave the store.
 * Timestamps are written as ISO strings; PostgreSQL hands back Date objects
 * (timestamptz), which the dialect trait `readTime` normalises.
 */
import type { ColumnType, Generated } from 'kysely';

type Time = ColumnType<string | Date, string, string>;
type NullableTime = ColumnType<string | Date | null, string | null, string | null>;
/** PostgreSQL returns bigint counters as strings. */
type Counter = ColumnType<number | string, number, number>;

export interface TenantRow {
  unique_id: string;
  /** lower(unique_id): uniqueness regardless of case. */
  unique_key: string;
  company_name: string;
  status: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  website: string;
  created: Time;
  modified: Time;
}

export interface NetworksTable extends TenantRow {
  network_id: Generated<number>;
}

export interface MailboxesTable extends TenantRow {
  mailbox_id: Generated<number>;
  network_id: number;
}

export interface UsersTable {
  user_id: Generated<number>;
  login: string;
  /** lower(login): unique within a network regardless of case. */
  login_key: string;
  email: string;
  /** lower(email): login by e-mail address. */
  email_key: string;
  first_name: string;
  last_name: string;
  network_id: number;
  mailbox_id: number;
  auth_level: string;
  status: string;
  password_hash: string;
  failed_logins: Generated<number>;
  locked_until: NullableTime;
  last_login: NullableTime;
  company: string;
  phone: string;
  cell_phone: string;
  cell_carrier: string;
  time_zone_offset: number | null;
  created: Time;
  modified: Time;
  version: Generated<number>;
}

export interface ApiKeysTable {
  key_id: Generated<number>;
  user_id: number;
  /** SHA-256 of the key, hex. The key itself is never stored in clear. */
  key_hash: string;
  key_hint: string;
  visibility: string;
  is_primary: number;
  /** AES-256-GCM of the key under the master key; primary keys only. */
  key_ciphertext: string | null;
  created: Time;
  expires_at: NullableTime;
  revoked_at: NullableTime;
}

export interface SessionsTable {
  session_id: string;
  user_id: number;
  /** Bumped by every refresh: a token of an older generation is dead. */
  generation: Generated<number>;
  /** SHA-256 of the current refresh secret; rotated by refresh. */
  refresh_hash: string;
  created: Time;
  expires_at: Time;
  revoked_at: NullableTime;
}

export interface AuditEventsTable {
  event_id: Generated<number>;
  at: Time;
  actor_user_id: number | null;
  action: string;
  target_type: string;
  target_id: number;
  target_network_id: number;
  target_mailbox_id: number;
  /** JSON: { field: { old, new } }. Never holds a secret. */
  changes: string;
  request_id: string;
  client_ip: string;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export interface SmsOutboxTable {
  message_id: Generated<number>;
  user_id: number;
  recipient: string;
  subject: string;
  body: string;
  created: Time;
  sent_at: NullableTime;
}

/** Bumped by every change that can alter an authentication answer; see auth cache. */
export interface AuthEpochTable {
  id: number;
  epoch: Counter;
}

/** Users per (network, mailbox, level, status), kept by triggers (migration 0002): list totals. */
export interface UserCountsTable {
  network_id: number;
  mailbox_id: number;
  auth_level: string;
  status: string;
  n: number;
}

export interface Database {
  networks: NetworksTable;
  mailboxes: MailboxesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  sms_outbox: SmsOutboxTable;
  auth_epoch: AuthEpochTable;
  user_counts: UserCountsTable;
}
