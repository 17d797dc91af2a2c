/**
 * UserQueries.findForUpdateWithDestination (role and set-network-mailbox read
 * the user and its destination in one statement, issue 16): until the
 * transaction ends, the user's row is locked FOR UPDATE and the destination's
 * network and mailbox FOR SHARE — their status cannot change under the
 * placement, while other placements may still read them FOR SHARE.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whileHolding } from '../support/raw-query.js';
import { createMailbox, createNetwork, createUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The SQLSTATE of `text` run on a connection of its own that waits at most 200 ms for a lock; null when it ran. */
async function outcome(text: string, params: unknown[]): Promise<string | null> {
  const client = new pg.Client({ connectionString: server.database.databaseUrl! });
  await client.connect();
  try {
    await client.query('set lock_timeout = 200');
    await client.query(text, params);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end();
  }
}

describe('the user and its destination, locked in one statement (PostgreSQL)', () => {
  it('holds the user FOR UPDATE and the network and mailbox FOR SHARE until the transaction ends', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    const LOCK_NOT_AVAILABLE = '55P03';
    const seen = await server.store.transaction(async (tx) => {
      expect(await tx.users.findForUpdateWithDestination(user.userId, network.networkId, mailbox.mailboxId)).not.toBeNull();
      return {
        userShare: await outcome('select 1 from users where user_id = $1 for share', [user.userId]),
        networkStatus: await outcome("update networks set status = 'Suspended' where network_id = $1", [network.networkId]),
        mailboxStatus: await outcome("update mailboxes set status = 'Suspended' where mailbox_id = $1", [mailbox.mailboxId]),
        networkShare: await outcome('select 1 from networks where network_id = $1 for share', [network.networkId]),
        mailboxShare: await outcome('select 1 from mailboxes where mailbox_id = $1 for share', [mailbox.mailboxId]),
      };
    });
    expect(seen).toEqual({ userShare: LOCK_NOT_AVAILABLE, networkStatus: LOCK_NOT_AVAILABLE, mailboxStatus: LOCK_NOT_AVAILABLE, networkShare: null, mailboxShare: null });
    // Released at commit: the same change now runs.
    expect(await outcome("update mailboxes set status = 'Suspended' where mailbox_id = $1", [mailbox.mailboxId])).toBeNull();
  });

  it('locks the user before the network and the mailbox (the lock order of store.ts)', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    const { user } = await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: mailbox.mailboxId });
    // A change of the network under way: the statement gets the user's lock, then waits for the network's.
    await whileHolding(server.database, 'select 1 from networks where network_id = $1 for update', [network.networkId], async (holder) => {
      const locking = server.store.transaction((tx) => tx.users.findForUpdateWithDestination(user.userId, network.networkId, mailbox.mailboxId));
      let userLocked: string | null = null;
      for (const started = Date.now(); Date.now() - started < 10_000 && userLocked === null; ) {
        userLocked = await outcome('select 1 from users where user_id = $1 for share nowait', [user.userId]);
      }
      // Taken while the network was still held: the user came first. (Nowait: 55P03 at once.)
      expect(userLocked).toBe('55P03');
      expect(await outcome('select 1 from mailboxes where mailbox_id = $1 for update nowait', [mailbox.mailboxId])).toBeNull();
      await holder.query('commit');
      expect((await locking)?.user.userId).toBe(user.userId);
    });
  });
});
