/**
 * POST /v2/users on PostgreSQL decides on its destination as read, then
 * inserts in one statement only while the destination still has the statuses
 * read (UserQueries.insertWithEvent). Here the destination mailbox is
 * terminated between the two: the statement waits for that change (FOR
 * SHARE), finds the mailbox no longer as read and writes nothing; the create
 * is decided again and refused, as the locking transaction refused it. Without
 * the guard the user would land in a Terminated mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/http.js';
import { rawQuery, whileHolding } from '../support/raw-query.js';
import { createMailbox, createNetwork, startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Resolves once a statement of the server waits for a lock (pg_stat_activity), or rejects after 10 s. */
async function serverWaitsForLock(): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const rows = await rawQuery(server.database, `select 1 from pg_stat_activity where application_name = 'ecgrid-identity' and wait_event_type = 'Lock'`);
    if (rows.length > 0) return;
  }
  throw new Error('the server never waited for the lock');
}

describe('POST /v2/users while its destination changes (PostgreSQL)', () => {
  it('decides again on the changed destination: a mailbox terminated in between refuses the user, and nothing is written', async () => {
    const network = await createNetwork(server);
    const mailbox = await createMailbox(server, network.networkId);
    // Another request's change of the mailbox, under way: its row is locked until it commits.
    await whileHolding(server.database, 'select 1 from mailboxes where mailbox_id = $1 for update', [mailbox.mailboxId], async (holder) => {
      const login = `guard${process.pid}`;
      const create = server.api.post('/v2/users', {
        login, email: `${login}@example.com`, password: TEST_PASSWORD, networkId: network.networkId, mailboxId: mailbox.mailboxId, authLevel: 'MailboxUser',
      });
      // The create read the mailbox Active (a plain read waits for no lock) and now waits in its guarded INSERT.
      await serverWaitsForLock();
      await holder.query(`update mailboxes set status = 'Terminated' where mailbox_id = $1`, [mailbox.mailboxId]);
      await holder.query('commit');
      expectError(await create, 400, 'InvalidParameter', 'mailboxId');
      expect(await rawQuery(server.database, 'select user_id from users where login = $1', [login])).toEqual([]);
      expect(await rawQuery(server.database, `select event_id from audit_events where action = 'user.create' and changes like $1`, [`%${login}%`])).toEqual([]);
    });
  });
});
