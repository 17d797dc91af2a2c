/**
 * Starting and stopping one server instance: open the store, migrate, make
 * sure a Root exists (and the demo data, if asked), listen. SIGTERM/SIGINT
 * stop accepting, finish in-flight requests, then close the database.
 */
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import type { App } from './http/route-host.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { createServices, type Services } from './services/index.js';
import { ensureRootUser } from './services/bootstrap.js';
import { loadDemoData } from './services/demo-data.js';

export interface RunningServer {
  app: App;
  store: Store;
  services: Services;
  url: string;
  stop(): Promise<void>;
}

/** Opens and prepares the database the configuration names. */
export async function prepareStore(config: Config): Promise<Store> {
  const store = openStore(config);
  try {
    await store.ping();
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

export async function startServer(config: Config, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningServer> {
  const store = await prepareStore(config);
  const services = createServices(config, store);
  const rootKey = await ensureRootUser(store, services.vault, config.rootApiKey);
  if (rootKey !== null && config.rootApiKey === null) {
    log(`No Root user existed, so user "root" was created. Its API key is ${rootKey} — store it now: it is printed only this once (an admin can read it later with GET /v2/users/key/{id}).`);
  }
  if (config.demo) {
    const created = await loadDemoData(store, services.vault);
    if (created.length > 0) log(`Demo data loaded: ${created.join(', ')}.`);
  }
  const app = await buildApp(config, store, { services });
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
    stop() {
      stopping ??= (async () => {
        await app.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
