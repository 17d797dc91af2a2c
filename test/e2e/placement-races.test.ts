/**
 * A mailbox terminated while a user is being created into it: one of the two
 * wins, never both (the creation locks the destination row until commit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/http.js';
import { createMailbox, createNetwork, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('create into a mailbox being terminated', () => {
  it('never leaves a live user in a Terminated mailbox', async () => {
    const network = await createNetwork(server);
    const outcomes = { created: 0, terminated: 0 };
    for (let round = 0; round < 15; round++) {
      const mailbox = await createMailbox(server, network.networkId);
      const [created, terminated] = await Promise.all([
        server.api.post('/v2/users', {
          login: `race${round}`, password: 'R4ce!Condition', email: `race${round}@example.com`,
          networkId: network.networkId, mailboxId: mailbox.mailboxId,
        }),
        server.api.delete(`/v2/mailboxes/${mailbox.mailboxId}`),
      ]);
      expect([created.status, terminated.status].filter((s) => s === 200)).toHaveLength(1);
      if (created.status === 200) {
        outcomes.created++;
        expectError(terminated, 400, 'InvalidParameter');
      } else {
        outcomes.terminated++;
        expectError(created, 400, 'InvalidParameter', 'mailboxId');
      }
      const stored = await server.store.mailboxes.findById(mailbox.mailboxId);
      expect((await server.store.users.countLiveInMailbox(mailbox.mailboxId)) > 0).toBe(stored!.status !== 'Terminated');
    }
    expect(outcomes.created + outcomes.terminated).toBe(15);
  });
});
