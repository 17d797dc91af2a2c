/**
 * `ecgrid-identity seed --users N`: fills the configured database with N
 * synthetic users (spread over networks and mailboxes) as fast as the store
 * can take them — for benchmarks and capacity tests. Every seeded user has the
 * password SEED_PASSWORD (hashed once: argon2 per user would take hours).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { prepareStore } from '../server.js';
import { hashPassword } from '../security/passwords.js';
import { AUTH_LEVELS, type AuthLevel } from '../domain/levels.js';
import type { NewUser } from '../store/queries/users.js';
import { lazyProgress, withProgress } from './progress.js';

export const SEED_PASSWORD = 'Seed!Passw0rd';

/** Mostly mailbox users, some admins and network-level users, 5 % suspended. */
function levelFor(index: number): { authLevel: AuthLevel; networkLevel: boolean } {
  const bucket = index % 100;
  if (bucket === 0) return { authLevel: 'NetworkAdmin', networkLevel: true };
  if (bucket < 3) return { authLevel: 'NetworkUser', networkLevel: true };
  if (bucket < 10) return { authLevel: 'MailboxAdmin', networkLevel: false };
  if (bucket < 12) return { authLevel: 'TPUser', networkLevel: false };
  return { authLevel: 'MailboxUser', networkLevel: false };
}

export async function seedUsers(
  env: Record<string, string | undefined>,
  options: { users: number; networks: number; mailboxesPerNetwork: number },
  log: (line: string) => void,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const config = loadConfig(env);
  const store = await prepareStore(config, { onMigrationProgress: lazyProgress('migrating', { unit: 'migrations' }), log });
  try {
    const started = Date.now();
    const passwordHash = await hashPassword(SEED_PASSWORD);
    const now = new Date().toISOString();
    const tag = Date.now().toString(36);
    const mailboxes: Array<{ networkId: number; mailboxId: number }> = [];
    await store.transaction(async (tx) => {
      for (let n = 0; n < options.networks; n++) {
        const network = await tx.networks.insert({ uniqueId: `S${tag}${n}`.slice(0, 32), companyName: `Seed network ${n}`, status: 'Active', created: now });
        for (let m = 0; m < options.mailboxesPerNetwork; m++) {
          const mailbox = await tx.mailboxes.insert({ networkId: network.networkId, uniqueId: `M${n}x${m}`.slice(0, 12), companyName: `Seed mailbox ${n}/${m}`, status: 'Active', created: now });
          mailboxes.push({ networkId: network.networkId, mailboxId: mailbox.mailboxId });
        }
      }
    });
    const batch = 10_000;
    for (let start = 0; start < options.users; start += batch) {
      const users: NewUser[] = [];
      for (let i = start; i < Math.min(start + batch, options.users); i++) {
        const place = mailboxes[i % mailboxes.length]!;
        const { authLevel, networkLevel } = levelFor(i);
        users.push({
          login: `seed${tag}u${i}`,
          email: `seed${i}@example.com`,
          firstName: `First${i}`,
          lastName: `Last${i}`,
          networkId: place.networkId,
          mailboxId: networkLevel ? 0 : place.mailboxId,
          authLevel,
          status: i % 20 === 19 ? 'Suspended' : 'Active',
          passwordHash,
          created: now,
        });
      }
      await store.transaction((tx) => tx.users.insertMany(users));
      onProgress?.(Math.min(start + batch, options.users), options.users);
    }
    await store.afterBulkLoad();
    log(`seeded ${options.users} users in ${options.networks} networks × ${options.mailboxesPerNetwork} mailboxes in ${((Date.now() - started) / 1000).toFixed(1)} s (password ${SEED_PASSWORD})`);
  } finally {
    await store.close();
  }
}

export function addSeedCommand(program: Command, envWithFlags: (flags: Record<string, unknown>) => Record<string, string | undefined>): void {
  program
    .command('seed')
    .description('bulk-create synthetic users for benchmarks (all with the same password)')
    .requiredOption('--users <n>', 'how many users', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 50_000_000) throw new Error('--users must be an integer from 1 to 50000000');
      return n;
    })
    .option('--networks <n>', 'networks to spread them over', (v) => Number(v), 10)
    .option('--mailboxes-per-network <n>', 'mailboxes per network', (v) => Number(v), 20)
    .option('--db <file>', 'SQLite database file (env ECGRID_DB)')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL)')
    .action(async (flags: { users: number; networks: number; mailboxesPerNetwork: number } & Record<string, unknown>) => {
      // The summary line waits for the bar to end (on a terminal), so that it is not written across it.
      const lines: string[] = [];
      await withProgress('seeding', flags.users, (onProgress) => seedUsers(envWithFlags(flags), flags, (line) => lines.push(line), onProgress), { unit: 'users' });
      for (const line of lines) process.stderr.write(`${line}\n`);
    });
}
