/**
 * Starting and stopping one server instance: open the store, migrate, make
 * sure a Root exists (and the demo data, if asked), listen. SIGTERM/SIGINT
 * stop accepting, finish in-flight requests, then close the database.
 */
import type { Config } from './config.js';
import { buildApp, type BuildOptions } from './http/app.js';
import { keepNextTickFast } from './http/keep-next-tick-fast.js';
import { writeAnswersTogether } from './http/write-together.js';
import type { App } from './http/route-host.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { createServices, type Services } from './services/index.js';
import { ensureRootUser } from './services/bootstrap.js';
import { loadDemoData } from './services/demo-data.js';
import { loadSigningSecret } from './services/signing-key.js';

/** How long in-flight requests get to finish after SIGTERM before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  app: App;
  store: Store;
  services: Services;
  url: string;
  /** The demo objects this start created; [] when they were all there already; null when demo data was not asked for. */
  demoLoaded: string[] | null;
  stop(): Promise<void>;
}

/** Where the data lives, for messages: the PostgreSQL URL without its password, or the SQLite file. */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'sqliteFile'>): string {
  if (!config.databaseUrl) return `SQLite database ${config.sqliteFile}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    return `PostgreSQL database ${url.toString()}`;
  } catch {
    return 'PostgreSQL database (unparseable DATABASE_URL)';
  }
}

export interface PrepareOptions {
  /** Progress of pending migrations (done, pending): see Store.migrate. */
  onMigrationProgress?: (done: number, total: number) => void;
  /** Told, in one line, which migrations were applied, if any. */
  log?: (line: string) => void;
}

/** Opens and prepares (migrates) the database the configuration names; says which database when it cannot. */
export async function prepareStore(config: Config, options: PrepareOptions = {}): Promise<Store> {
  let store: Store;
  try {
    store = openStore(config);
  } catch (error) {
    throw new Error(`cannot open the ${describeDatabase(config)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => {});
    const cause = (error as Error & { cause?: Error }).cause ?? error;
    throw new Error(`cannot reach the ${describeDatabase(config)}: ${(cause as Error).message || (cause as { code?: string }).code}`, { cause: error });
  }
  try {
    const started = Date.now();
    const applied = await store.migrate(options.onMigrationProgress);
    if (applied.length > 0) options.log?.(`Migrated the ${describeDatabase(config)}: ${applied.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  } catch (error) {
    await store.close().catch(() => {});
    throw new Error(`cannot migrate the ${describeDatabase(config)}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

export async function startServer(
  config: Config,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  options: Pick<BuildOptions, 'logStream'> & Pick<PrepareOptions, 'onMigrationProgress'> = {},
): Promise<RunningServer> {
  keepNextTickFast();
  const store = await prepareStore(config, { onMigrationProgress: options.onMigrationProgress, log });
  const services = createServices(config, store);
  const rootKey = await ensureRootUser(store, services.vault, config.rootApiKey);
  if (rootKey !== null && config.rootApiKey === null) {
    log(`No Root user existed, so user "root" was created. Its API key is ${rootKey} — store it now: it is printed only this once (an admin can read it later with GET /v2/users/key/{id}).`);
  }
  // Stored before the first request: made on first use, it would be written by whatever request came first,
  // even one that is refused (a failed login, a forged token) — and a refusal must change nothing.
  await loadSigningSecret(config, store, services.vault);
  let demoLoaded: string[] | null = null;
  if (config.demo) {
    demoLoaded = await loadDemoData(store, services.vault);
    if (demoLoaded.length > 0) log(`Demo data loaded: ${demoLoaded.join(', ')}.`);
  }
  const app = await buildApp(config, store, { services, logStream: options.logStream });
  let closing = false;
  const writeAtTurnEnd = writeAnswersTogether();
  app.addHook('onSend', (_request, reply, _payload, done) => {
    if (closing) reply.header('connection', 'close');
    writeAtTurnEnd(reply, done);
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    app,
    store,
    services,
    url,
    demoLoaded,
    stop() {
      stopping ??= (async () => {
        // Stop accepting; answer what is in flight with `Connection: close`; close each kept-alive
        // connection as soon as it is idle (Node closes idle ones only once, when close starts);
        // after the grace period, cut whatever is left.
        closing = true;
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
        }
        await store.close();
      })();
      return stopping;
    },
  };
}
