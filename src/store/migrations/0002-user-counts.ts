/**
 * 0002 — how many users each (network, mailbox, level, status) holds, kept by
 * triggers, so the total of a user list (X-Total-Count) is a sum over a few
 * rows instead of a count over every matching user: on a million users a
 * count(*) per page took milliseconds, the sum takes microseconds. The
 * database maintains it, so every writer (server, operator CLI, another
 * instance) keeps it exact. Also indexes for the common list filter (network
 * and status, in userId order, without sorting) and for finding Roots (at
 * every start and before a Root is suspended: a full scan on a million users).
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

const GROUP = 'network_id, mailbox_id, auth_level, status';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('user_counts')
    .addColumn('network_id', 'integer', (c) => c.notNull())
    .addColumn('mailbox_id', 'integer', (c) => c.notNull())
    .addColumn('auth_level', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_counts_pk', ['network_id', 'mailbox_id', 'auth_level', 'status'])
    .execute();
  await sql.raw(`insert into user_counts (${GROUP}, n) select ${GROUP}, count(*) from users group by ${GROUP}`).execute(db);

  const add = (row: 'new') =>
    `insert into user_counts (${GROUP}, n) values (${row}.network_id, ${row}.mailbox_id, ${row}.auth_level, ${row}.status, 1)
     on conflict (${GROUP}) do update set n = user_counts.n + 1`;
  const remove = (row: 'old') =>
    `update user_counts set n = n - 1
     where network_id = ${row}.network_id and mailbox_id = ${row}.mailbox_id and auth_level = ${row}.auth_level and status = ${row}.status`;

  if (dialect === 'postgres') {
    await sql.raw(`
      create function users_count_change() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then ${remove('old')}; end if;
        if tg_op in ('UPDATE', 'INSERT') then ${add('new')}; end if;
        return null;
      end $$`).execute(db);
    await sql.raw(`
      create trigger users_count after insert or delete or update of ${GROUP} on users
      for each row execute function users_count_change()`).execute(db);
  } else {
    await sql.raw(`create trigger users_count_insert after insert on users begin ${add('new')}; end`).execute(db);
    await sql.raw(`create trigger users_count_delete after delete on users begin ${remove('old')}; end`).execute(db);
    await sql.raw(`create trigger users_count_update after update of ${GROUP} on users begin ${remove('old')}; ${add('new')}; end`).execute(db);
  }

  await db.schema.createIndex('users_level_status_idx').on('users').columns(['auth_level', 'status']).execute();
  await db.schema.createIndex('users_network_status_idx').on('users').columns(['network_id', 'status', 'user_id']).execute();
}
