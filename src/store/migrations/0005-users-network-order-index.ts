/**
 * 0005 — a network's users in userId order: the list of a NetworkAdmin with no
 * filter (and Root's `networkId` alone). Without it PostgreSQL read the whole
 * network through another index and sorted it for every page (4,001 rows for
 * a page of 25 on 20,000 users; 100,000 on a million), found by
 * bench/explain-lists.mjs.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_network_order_idx').on('users').columns(['network_id', 'user_id']).execute();
}
