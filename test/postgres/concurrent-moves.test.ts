/**
 * Many users moved into one mailbox at once (the authorization matrix's write
 * phase does this): every move answers 200 and PostgreSQL records no deadlock,
 * not even one its retry hid. A move used to take the destination rows FOR
 * SHARE (placement check) and then FOR UPDATE (liveness check): two moves
 * holding the share lock each waited for the other to let go before upgrading,
 * a deadlock on every collision, and under load the retries ran out (500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../support/http.js';
import { rawQuery } from '../support/raw-query.js';
import { createMailbox, createNetwork, createUser, startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

let server: TestServer;
let stopped = false;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  if (stopped) await server.database.drop();
  else await server?.close();
});

const USERS = 16;
const ROUNDS = 6;

/** Deadlocks PostgreSQL counted in this test's database (each backend reports its count when it goes idle or exits). */
async function deadlocks(): Promise<number> {
  const [row] = await rawQuery(server.database, 'select deadlocks from pg_stat_database where datname = current_database()');
  return Number(row!.deadlocks);
}

describe('concurrent moves into one mailbox (PostgreSQL)', () => {
  it('all answer 200, with no deadlock and the counts exact', async () => {
    const network = await createNetwork(server);
    const [first, second] = [await createMailbox(server, network.networkId), await createMailbox(server, network.networkId)];
    const users = [];
    for (let i = 0; i < USERS; i++) {
      users.push((await createUser(server, { authLevel: 'MailboxUser', networkId: network.networkId, mailboxId: first.mailboxId })).user);
    }
    const before = await deadlocks();
    for (let round = 0; round < ROUNDS; round++) {
      const destination = round % 2 === 0 ? second : first;
      const replies = await Promise.all(
        users.map((user) => server.api.post('/v2/users/set-network-mailbox', { userId: user.userId, networkId: network.networkId, mailboxId: destination.mailboxId })),
      );
      expect(replies.map((reply) => reply.status)).toEqual(users.map(() => 200));
      for (const reply of replies) expect(expectOk(reply)).toMatchObject({ mailboxId: destination.mailboxId });
    }
    // The server's pooled connections report their deadlock counts when they close.
    await server.stop();
    stopped = true;
    expect((await deadlocks()) - before).toBe(0);
    const counts = await rawQuery(server.database, 'select mailbox_id, n from user_counts where network_id = $1 and n > 0 order by mailbox_id', [network.networkId]);
    expect(counts.map((row) => [Number(row.mailbox_id), Number(row.n)])).toEqual([[first.mailboxId, USERS]]);
  }, limit(120_000));
});
