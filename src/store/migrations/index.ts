/**
 * The migration history, in order. Each file is self-contained and never
 * edited after it lands; the same history runs on SQLite and PostgreSQL.
 */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-user-counts.js';
import * as m0003 from './0003-user-counts-lock-order.js';
import * as m0004 from './0004-users-mailbox-status-index.js';
import * as m0005 from './0005-users-network-order-index.js';

export interface MigrationContext {
  dialect: DialectName;
}

type MigrationModule = { up(db: Kysely<unknown>, context: MigrationContext): Promise<void> };

const HISTORY: Array<[string, MigrationModule]> = [
  ['0001-initial', m0001],
  ['0002-user-counts', m0002],
  ['0003-user-counts-lock-order', m0003],
  ['0004-users-mailbox-status-index', m0004],
  ['0005-users-network-order-index', m0005],
];

export const LATEST_MIGRATION = HISTORY[HISTORY.length - 1]![0];
/** Every migration this build knows, in order: a database holding another name was made by a newer build. */
export const MIGRATION_NAMES: readonly string[] = HISTORY.map(([name]) => name);

class HistoryProvider implements MigrationProvider {
  constructor(
    private readonly context: MigrationContext,
    private readonly afterEach: () => void = () => {},
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      HISTORY.map(([name, module]) => [
        name,
        {
          up: async (db: Kysely<unknown>) => {
            await module.up(db, this.context);
            this.afterEach();
          },
        },
      ]),
    );
  }
}

/**
 * Applies every pending migration; throws with the failing migration's name.
 * `onProgress(done, pending)` hears of each one applied (and of 0 before the first), when any are pending.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName, onProgress?: (done: number, total: number) => void): Promise<string[]> {
  let done = 0;
  let pending = 0;
  const migrator = new Migrator({ db, provider: new HistoryProvider({ dialect }, () => onProgress?.(++done, pending)) });
  if (onProgress) {
    pending = (await migrator.getMigrations()).filter((migration) => migration.executedAt === undefined).length;
    if (pending > 0) onProgress(0, pending);
  }
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
