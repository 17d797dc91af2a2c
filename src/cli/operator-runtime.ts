/**
 * The plumbing every operator command shares: database options taken from the
 * `serve` settings, usage errors (exit 2) versus failures (exit 1), opening
 * the configured store as the operator, and output.
 */
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, OPTIONS } from '../config.js';
import { ApiError } from '../contract/errors.js';
import type { RequestContext } from '../services/context.js';
import { prepareStore } from '../server.js';
import { createServices, type Services } from '../services/index.js';
import { operatorContext } from '../services/operator.js';
import { UsageError, withOptionName, type OptionNames } from './read-input.js';
import { exitOnUsageError, note } from './terminal.js';
import { lazyProgress } from './progress.js';

const DATABASE_SETTINGS = ['ECGRID_DB', 'DATABASE_URL', 'ECGRID_MASTER_KEY', 'ECGRID_MASTER_KEY_FILE'];
/** Page size when a command reads a whole list. */
export const LIST_PAGE = 500;

export type Flags = Record<string, unknown>;
/** The environment overlaid with a command's flags (main.ts `envWithFlags`, passed in as seed-command does). */
export type ReadEnv = (flags: Flags) => Record<string, string | undefined>;

export { exitOnUsageError, note, out, printTable } from './terminal.js';

export function addDatabaseOptions(command: Command): Command {
  for (const option of OPTIONS.filter((o) => DATABASE_SETTINGS.includes(o.env))) {
    command.addOption(new Option(`${option.flag} <value>`, `${option.description} (env ${option.env})`));
  }
  return command;
}

/** A leaf command (its database options are added last, so that its own options lead its help). */
export function operatorCommand(parent: Command, name: string, description: string): Command {
  return exitOnUsageError(parent.command(name).description(description));
}

export function runAction(options: OptionNames, handler: (flags: Flags) => Promise<void>) {
  return async (flags: Flags) => {
    try {
      await handler(flags);
    } catch (error) {
      const usage = error instanceof UsageError || error instanceof ConfigError;
      const message = error instanceof ApiError ? withOptionName(error.message, options) : (error as Error).message;
      note(`ecgrid-identity: ${message}`);
      process.exitCode = usage ? 2 : 1;
    }
  };
}

/** Opens the configured database (migrating it like `serve`), runs `work` as the operator, closes it. */
export async function onDatabase(
  env: Record<string, string | undefined>,
  work: (services: Services, context: RequestContext) => Promise<void>,
): Promise<void> {
  const config = loadConfig(env);
  const store = await prepareStore(config, { onMigrationProgress: lazyProgress('migrating', { unit: 'migrations' }), log: note });
  try {
    await work(createServices(config, store), operatorContext());
  } finally {
    await store.close();
  }
}

/** The body of a command: its options under their field names; absent options left out. */
export function pick(flags: Flags, fields: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, flagKey] of Object.entries(fields)) if (flags[flagKey] !== undefined) body[field] = flags[flagKey];
  return body;
}
