/**
 * A real server on a real port over a fresh database, plus fixtures built
 * through the Store (fast: no argon2 per user, keys issued like the API does).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { hashPassword } from '../../src/security/passwords.js';
import { issuePrimaryKey } from '../../src/services/primary-keys.js';
import { systemContext } from '../../src/services/context.js';
import type { AuthLevel } from '../../src/domain/levels.js';
import type { Status } from '../../src/domain/statuses.js';
import type { Mailbox, Network, User } from '../../src/domain/types.js';
import { Api } from './http.js';
import { freshDatabase, type TestDatabase } from './test-db.js';
import { recordSecret } from './secret-record.js';
import { openRunLog, RECORDED_LOG_LEVEL, RUN_DIR } from './test-run.js';

export const TEST_PASSWORD = 'Test-Passw0rd!';
let testPasswordHash: Promise<string> | undefined;

export interface TestServer extends RunningServer {
  config: Config;
  database: TestDatabase;
  rootKey: string;
  /** Api as root. */
  api: Api;
  close(): Promise<void>;
}

/** `logStream`: where the server logs (default: a log file of the recorded run, or nowhere). */
export async function startTestServer(env: Record<string, string> = {}, logStream?: NodeJS.WritableStream): Promise<TestServer> {
  const database = await freshDatabase();
  const rootKey = randomUUID();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: RUN_DIR ? RECORDED_LOG_LEVEL : 'silent',
    ECGRID_ROOT_API_KEY: rootKey,
    ECGRID_MASTER_KEY: randomBytes(32).toString('hex'),
    ECGRID_RATE_LIMIT: 'off',
    ...database.env,
    ...env,
  });
  recordSecret('test server root key', config.rootApiKey);
  recordSecret('test server master key', config.masterKey);
  const server = logStream ? await startServer(config, () => {}, { logStream }) : await startRecordedServer(config);
  return {
    ...server,
    config,
    database,
    rootKey,
    api: new Api(server.url, rootKey),
    async close() {
      await server.stop();
      await database.drop();
    },
  };
}

/** startServer; during a recorded run its log (and start-up messages) go to a file of the run, closed when it stops. */
export async function startRecordedServer(config: Config): Promise<RunningServer> {
  const log = openRunLog('server');
  if (!log) return startServer(config, () => {});
  const server = await startServer(config, (line) => log.stream.write(`${line}\n`), { logStream: log.stream }).catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await log.close();
    },
  };
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid % 1000}x${++counter}`;

export async function createNetwork(server: RunningServer, fields: { status?: Status; uniqueId?: string } = {}): Promise<Network> {
  return server.store.transaction((tx) =>
    tx.networks.insert({
      uniqueId: fields.uniqueId ?? unique('NET').slice(0, 12),
      companyName: 'Test Network',
      status: fields.status ?? 'Active',
      created: new Date().toISOString(),
    }),
  );
}

export async function createMailbox(server: RunningServer, networkId: number, fields: { status?: Status } = {}): Promise<Mailbox> {
  return server.store.transaction((tx) =>
    tx.mailboxes.insert({
      networkId,
      uniqueId: unique('MB').slice(0, 12),
      companyName: 'Test Mailbox',
      status: fields.status ?? 'Active',
      created: new Date().toISOString(),
    }),
  );
}

export interface TestUser {
  user: User;
  key: string;
}

/** A user with a primary API key and the password TEST_PASSWORD. */
export async function createUser(
  server: RunningServer,
  fields: { authLevel: AuthLevel; networkId: number; mailboxId: number; login?: string; status?: Status; email?: string },
): Promise<TestUser> {
  recordSecret('test password', TEST_PASSWORD);
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  const passwordHash = await testPasswordHash;
  return server.store.transaction(async (tx) => {
    const login = fields.login ?? unique('user');
    const user = await tx.users.insert({
      login,
      email: fields.email ?? `${login}@example.com`,
      firstName: 'Test',
      lastName: fields.authLevel,
      networkId: fields.networkId,
      mailboxId: fields.mailboxId,
      authLevel: fields.authLevel,
      status: fields.status ?? 'Active',
      passwordHash,
      created: new Date().toISOString(),
    });
    const { key } = await issuePrimaryKey(tx, server.services.vault, user, systemContext('test'));
    recordSecret('test user key', key);
    return { user, key };
  });
}

/**
 * A small world for permission tests: two networks; network A has mailboxes
 * A1 and A2; one user per level where it lives naturally.
 */
export async function createWorld(server: RunningServer) {
  const netA = await createNetwork(server);
  const netB = await createNetwork(server);
  const mbA1 = await createMailbox(server, netA.networkId);
  const mbA2 = await createMailbox(server, netA.networkId);
  const mbB1 = await createMailbox(server, netB.networkId);
  const at = (authLevel: AuthLevel, networkId: number, mailboxId: number) => createUser(server, { authLevel, networkId, mailboxId });
  return {
    netA, netB, mbA1, mbA2, mbB1,
    techOps: await at('TechOps', 0, 0),
    netAdminA: await at('NetworkAdmin', netA.networkId, 0),
    netUserA: await at('NetworkUser', netA.networkId, 0),
    mbAdminA1: await at('MailboxAdmin', netA.networkId, mbA1.mailboxId),
    mbUserA1: await at('MailboxUser', netA.networkId, mbA1.mailboxId),
    mbUserA1b: await at('MailboxUser', netA.networkId, mbA1.mailboxId),
    mbUserA2: await at('MailboxUser', netA.networkId, mbA2.mailboxId),
    netAdminB: await at('NetworkAdmin', netB.networkId, 0),
    mbUserB1: await at('MailboxUser', netB.networkId, mbB1.mailboxId),
  };
}
