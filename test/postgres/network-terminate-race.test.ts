/**
 * DELETE /v2/networks/{id} (extension) racing POST /v2/mailboxes/create and
 * POST /v2/users into the same empty network: whichever commits first, the
 * other sees it — never a Terminated network holding a live mailbox or user.
 * Mailbox create reads the network FOR SHARE (store.ts lock order, step 2),
 * as user placement does; the terminate locks the network FOR UPDATE and
 * counts after it holds the lock. Neither ever answers a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawQuery } from '../support/raw-query.js';
import { createNetwork, startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const ROUNDS = 25;

describe('terminating a network while something is created in it (PostgreSQL)', () => {
  it('never leaves a live mailbox or user in a Terminated network', async () => {
    const networkIds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const network = await createNetwork(server);
      networkIds.push(network.networkId);
      const [terminate, mailbox, user] = await Promise.all([
        server.api.delete(`/v2/networks/${network.networkId}`),
        server.api.post('/v2/mailboxes/create', { networkId: network.networkId, uniqueId: `RACE${round}`, companyName: 'Race' }),
        server.api.post('/v2/users', {
          login: `race${process.pid}n${round}`, email: `race${process.pid}n${round}@example.com`, firstName: 'Race', lastName: 'Round',
          password: TEST_PASSWORD, authLevel: 'NetworkUser', networkId: network.networkId, mailboxId: 0,
        }),
      ]);
      // Each answers its documented success or its documented refusal: 400 naming the id / networkId.
      for (const reply of [terminate, mailbox, user]) expect([200, 400], reply.text.slice(0, 300)).toContain(reply.status);
      if (terminate.status === 200) {
        expect(mailbox.status === 200 && user.status === 200).toBe(false);
      }
    }
    const broken = await rawQuery(
      server.database,
      `select n.network_id from networks n
        where n.status = 'Terminated' and n.network_id = any($1)
          and (exists (select 1 from mailboxes m where m.network_id = n.network_id and m.status <> 'Terminated')
            or exists (select 1 from users u where u.network_id = n.network_id and u.status <> 'Terminated'))`,
      [networkIds],
    );
    expect(broken).toEqual([]);
  }, limit(120_000));
});
