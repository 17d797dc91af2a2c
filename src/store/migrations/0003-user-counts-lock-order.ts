/**
 * 0003 — on PostgreSQL, a user moved between two count groups (0002) locks
 * the two user_counts rows in one global order (by group key) instead of
 * "old, then new". With "old, then new", two transactions moving users in
 * opposite directions (A1→A2 and A2→A1) each held one row and waited for the
 * other's: a deadlock the database breaks only after deadlock_timeout, by
 * failing one of them. SQLite runs one writer at a time and needs nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

const GROUP = 'network_id, mailbox_id, auth_level, status';
const add = `insert into user_counts (${GROUP}, n) values (new.network_id, new.mailbox_id, new.auth_level, new.status, 1)
     on conflict (${GROUP}) do update set n = user_counts.n + 1`;
const remove = `update user_counts set n = n - 1
     where network_id = old.network_id and mailbox_id = old.mailbox_id and auth_level = old.auth_level and status = old.status`;

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(`
    create or replace function users_count_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then ${add};
      elsif tg_op = 'DELETE' then ${remove};
      elsif (old.network_id, old.mailbox_id, old.auth_level, old.status) < (new.network_id, new.mailbox_id, new.auth_level, new.status) then
        ${remove}; ${add};
      else
        ${add}; ${remove};
      end if;
      return null;
    end $$`).execute(db);
}
