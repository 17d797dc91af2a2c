/** Opens the store the configuration names: PostgreSQL when a URL is given, else the SQLite file. */
import { createPostgresDialect } from './dialects/postgres.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { Store } from './store.js';

export interface StoreConfig {
  databaseUrl: string | null;
  sqliteFile: string;
  sqliteSynchronous?: 'normal' | 'full';
  poolSize?: number;
}

export function openStore(config: StoreConfig): Store {
  const dialect = config.databaseUrl
    ? createPostgresDialect({ url: config.databaseUrl, poolSize: config.poolSize })
    : createSqliteDialect({ file: config.sqliteFile, synchronous: config.sqliteSynchronous });
  return new Store(dialect);
}
