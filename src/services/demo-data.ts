/**
 * The sample objects of API.md §8, created only where absent, so that the
 * published examples run unchanged against a demo server.
 */
import { generateApiKey, hashApiKey, keyHint } from '../security/api-keys.js';
import { hashPassword } from '../security/passwords.js';
import type { KeyVault } from '../security/key-vault.js';
import type { Store } from '../store/store.js';
import type { NewUser } from '../store/queries/users.js';
import { systemContext } from './context.js';
import { issuePrimaryKey } from './primary-keys.js';
import { unusablePassword } from './bootstrap.js';

export const DEMO_NETWORKS = [
  { networkId: 1, uniqueId: 'ECGRIDNET1', companyName: 'ECGrid Network 1', created: '2020-01-01T00:00:00Z' },
  { networkId: 2, uniqueId: 'ECGRIDNET2', companyName: 'ECGrid Network 2', created: '2020-01-01T00:00:00Z' },
  { networkId: 1001, uniqueId: 'MYNETWORK', companyName: 'Acme Corporation', created: '2020-03-15T08:00:00Z' },
] as const;

export const DEMO_MAILBOXES = [
  { mailboxId: 101, networkId: 1, uniqueId: 'MBX101', companyName: 'Mailbox 101', created: '2020-01-01T00:00:00Z' },
  { mailboxId: 205, networkId: 2, uniqueId: 'MBX205', companyName: 'Mailbox 205', created: '2020-01-01T00:00:00Z' },
  { mailboxId: 5001, networkId: 1001, uniqueId: 'ACMEMBOX01', companyName: 'Acme Corporation', created: '2020-03-15T08:00:00Z' },
  { mailboxId: 5002, networkId: 1001, uniqueId: 'ACMEMBOX02', companyName: 'Acme Corporation', created: '2020-03-15T08:00:00Z' },
] as const;

export const DEMO_LOGIN_PASSWORD = 'Sup3r$ecret!';

type DemoUser = Omit<NewUser, 'passwordHash' | 'status'> & { userId: number; password?: string };

export const DEMO_USERS: readonly DemoUser[] = [
  {
    userId: 1042, login: 'jsmith', email: 'jsmith@example.com', firstName: 'John', lastName: 'Smith', networkId: 1,
    mailboxId: 101, authLevel: 'MailboxAdmin', created: '2024-03-15T10:22:00Z', cellPhone: '3125550142', cellCarrier: 'Verizon',
  },
  {
    userId: 1043, login: 'ajones', email: 'ajones@example.com', firstName: 'Alice', lastName: 'Jones', networkId: 1,
    mailboxId: 101, authLevel: 'MailboxUser', created: '2024-04-01T08:00:00Z',
  },
  {
    userId: 4821, login: 'jsmith@example.com', email: 'jsmith@example.com', firstName: 'John', lastName: 'Smith',
    networkId: 1, mailboxId: 101, authLevel: 'MailboxAdmin', created: '2024-03-15T10:22:00Z', password: DEMO_LOGIN_PASSWORD,
  },
  {
    userId: 12345, login: 'keyowner', email: 'keyowner@example.com', firstName: 'Key', lastName: 'Owner', networkId: 1001,
    mailboxId: 5001, authLevel: 'NetworkAdmin', created: '2020-03-15T08:00:00Z',
  },
];

/** Creates whatever of the demo data is missing; returns the names of what it created. */
export async function loadDemoData(store: Store, vault: KeyVault): Promise<string[]> {
  const created: string[] = [];
  const context = systemContext('demo');
  const missingUsers: DemoUser[] = [];
  for (const user of DEMO_USERS) {
    if (!(await store.read((r) => r.users.findById(user.userId)))) missingUsers.push(user);
  }
  const hashes = await Promise.all(missingUsers.map((u) => hashPassword(u.password ?? unusablePassword())));

  await store.transaction(async (tx) => {
    for (const network of DEMO_NETWORKS) {
      if (await tx.networks.findById(network.networkId)) continue;
      await tx.networks.insert({ ...network, status: 'Active' });
      created.push(`network ${network.networkId}`);
    }
    for (const mailbox of DEMO_MAILBOXES) {
      if (await tx.mailboxes.findById(mailbox.mailboxId)) continue;
      await tx.mailboxes.insert({ ...mailbox, status: 'Active' });
      created.push(`mailbox ${mailbox.mailboxId}`);
    }
    for (const [index, { password: _password, ...user }] of missingUsers.entries()) {
      const stored = await tx.users.insert({ ...user, status: 'Active', passwordHash: hashes[index]! });
      created.push(`user ${user.userId}`);
      if (user.userId === 12345) {
        await issuePrimaryKey(tx, vault, stored, context, generateApiKey(), 9001);
        const shared = generateApiKey();
        await tx.keys.insert({
          keyId: 9002, userId: stored.userId, keyHash: hashApiKey(shared), hint: keyHint(shared), visibility: 'Shared',
          isPrimary: false, ciphertext: null, created: stored.created, expiresAt: null,
        });
      }
    }
  });
  return created;
}
