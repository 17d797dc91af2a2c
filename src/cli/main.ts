#!/usr/bin/env node
/**
 * The ecgrid-identity command: `serve` (default for npm start), and the
 * operator and API commands added beside it.
 */
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, OPTIONS } from '../config.js';
import { startServer } from '../server.js';
import { startBanner } from './banner.js';
import { lazyProgress } from './progress.js';
import { addSeedCommand } from './seed-command.js';
import { registerOperatorCommands } from './operator-commands.js';
import { registerApiCommands } from './api-commands.js';
import { registerBackupCommands } from './backup-commands.js';
import { registerUserTransferCommands } from './user-transfer-commands.js';

/** Environment overlaid with the flags given on the command line. */
export function envWithFlags(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  for (const option of OPTIONS) {
    const key = option.flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = flags[key];
    if (value === true) merged[option.env] = '1';
    else if (typeof value === 'string') merged[option.env] = value;
  }
  return merged;
}

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export function buildProgram(): Command {
  const program = new Command('ecgrid-identity')
    .description('ECGrid REST v2.6 identity & access server')
    .showHelpAfterError();

  const serve = program.command('serve').description('start the HTTP server');
  for (const option of OPTIONS) {
    const boolean = option.env === 'ECGRID_DEMO' || option.env === 'ECGRID_TRUST_PROXY';
    serve.addOption(new Option(boolean ? option.flag : `${option.flag} <value>`, `${option.description} (env ${option.env})`));
  }
  serve.action(async (flags: Record<string, unknown>) => {
    let config;
    try {
      config = loadConfig(envWithFlags(flags));
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message, 2);
      throw error;
    }
    try {
      const server = await startServer(config, undefined, { onMigrationProgress: lazyProgress('migrating', { unit: 'migrations' }) });
      process.stderr.write(startBanner(config, server));
      const shutdown = (signal: string) => {
        process.stderr.write(`${signal}: finishing in-flight requests, then closing the database\n`);
        server.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    } catch (error) {
      fail(`ecgrid-identity cannot start: ${(error as Error).message}`);
    }
  });
  addSeedCommand(program, (flags) => envWithFlags(flags));
  registerOperatorCommands(program, (flags) => envWithFlags(flags));
  registerBackupCommands(program, (flags) => envWithFlags(flags));
  registerUserTransferCommands(program, (flags) => envWithFlags(flags));
  registerApiCommands(program);
  return program;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/ecgrid-identity')) {
  await buildProgram().parseAsync(process.argv);
}
