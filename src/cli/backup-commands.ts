/**
 * `backup --to FILE` and `restore --from FILE`: the SQLite database named by
 * the same settings as `serve` (--db / ECGRID_DB), copied online and put back
 * atomically (src/store/backup/). With PostgreSQL (DATABASE_URL) both answer
 * with one line pointing at pg_dump/pg_restore, the README's recipe: the
 * database's own tools do that job better than a copy through this process.
 *
 * Neither command ever prints the master key; both say where it is and that
 * the backup is useless without it. Exit status: 0 done, 1 refused or failed
 * (nothing written to the target), 2 bad command line or configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { KeyVault } from '../security/key-vault.js';
import { parseMasterKey } from '../security/master-key.js';
import { JWT_SECRET_SETTING } from '../services/signing-key.js';
import { backupSqliteDatabase } from '../store/backup/sqlite-backup.js';
import { withProgress } from './progress.js';
import { readSealedSamples, type VerifiedDatabase } from '../store/backup/sqlite-file.js';
import { restoreSqliteDatabase } from '../store/backup/sqlite-restore.js';
import { checksumFileOf } from '../store/backup/checksum-file.js';
import { addDatabaseOptions, note, operatorCommand, out, runAction, type ReadEnv } from './operator-runtime.js';

export const POSTGRES_BACKUP_HINT =
  'this configuration uses PostgreSQL (DATABASE_URL): back it up with `pg_dump -Fc` and restore with `pg_restore`, ' +
  'keeping the master key (ECGRID_MASTER_KEY) with the dump — see the README, "Backup and restore"';

function sqliteConfig(env: Record<string, string | undefined>, command: string): Config {
  const config = loadConfig(env);
  if (config.databaseUrl) throw new Error(`${command}: ${POSTGRES_BACKUP_HINT}`);
  return config;
}

/** Where the master key comes from, for messages: never the key itself. */
function masterKeySource(config: Config): string {
  if (config.masterKey) return 'ECGRID_MASTER_KEY';
  return `the key file ${config.masterKeyFile}${config.masterKeyFile && existsSync(config.masterKeyFile) ? '' : ', which does not exist yet'}`;
}

function describeDatabase(database: VerifiedDatabase): string {
  const mib = (database.bytes / 1024 / 1024).toFixed(1);
  return `${database.pages} pages (${mib} MiB), ${database.users} users, schema ${database.migrations[database.migrations.length - 1]}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Whether the configured master key opens the sealed secrets of a restored
 * database, as one line for the operator (a warning when it does not). Reads
 * the key file without creating it: a key made here would be a new one that
 * opens nothing in the restored database.
 */
function masterKeyVerdict(config: Config, databaseFile: string): string {
  const source = masterKeySource(config);
  const samples = readSealedSamples(databaseFile, JWT_SECRET_SETTING);
  if (!samples.setting && !samples.primaryKey) return `Master key (${source}): the backup holds no sealed secret to check it against.`;
  const consequence =
    'before starting the server: without it the server will not start on this database (it cannot open the stored JWT signing secret, unless ECGRID_JWT_SECRET is set) ' +
    'and no primary API key in it can be read back';
  if (!config.masterKey && !(config.masterKeyFile && existsSync(config.masterKeyFile))) {
    return `Warning: no master key: there is no key file at ${config.masterKeyFile} and ECGRID_MASTER_KEY is unset. Put the master key this backup was made with there ${consequence}.`;
  }
  let vault: KeyVault;
  try {
    vault = new KeyVault(parseMasterKey(config.masterKey ?? readFileSync(config.masterKeyFile!, 'utf8')));
  } catch (error) {
    return `Warning: the master key (${source}) is unusable: ${(error as Error).message}. Put the master key this backup was made with in place ${consequence}.`;
  }
  try {
    if (samples.setting) vault.openSetting(JWT_SECRET_SETTING, samples.setting);
    if (samples.primaryKey) vault.open(samples.primaryKey.userId, samples.primaryKey.sealed);
  } catch {
    return `Warning: the master key (${source}) does not open this backup's sealed secrets: it is not the key the backup was made with. Put that key in place ${consequence}.`;
  }
  return `Master key (${source}) opens this backup's sealed secrets.`;
}

export function registerBackupCommands(program: Command, readEnv: ReadEnv): void {
  const backup = operatorCommand(program, 'backup', 'copy the SQLite database to FILE while the server keeps running (PostgreSQL: use pg_dump, see README)')
    .requiredOption('--to <file>', 'the backup file to write (must not exist; written as a hidden temporary file, verified, then put in place)')
    .action(
      runAction({}, async (flags) => {
        const config = sqliteConfig(readEnv(flags), 'backup');
        // Ctrl-C stops the copy at its next step and removes the partial file instead of leaving it behind.
        const interrupt = new AbortController();
        const onSignal = () => interrupt.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        let result;
        try {
          // A bar on a terminal (pages copied, rate, time left); nothing else when not on one.
          result = await withProgress('backing up', 0, (onProgress) => backupSqliteDatabase(config.sqliteFile, String(flags.to), { signal: interrupt.signal, onProgress }), { unit: 'pages' });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        out(
          `Backed up ${result.source} to ${result.target}: ${describeDatabase(result.database)}, in ${seconds(result.durationMs)} ` +
            `(copy ${seconds(result.copyMs)}, verify ${seconds(result.verifyMs)}); ` +
            `consistent as of ${result.snapshotAt.toISOString()}; verified (integrity_check ok); SHA-256 in ${result.checksumFile}.`,
        );
        note(
          `The backup holds no master key. Back up the master key (${masterKeySource(config)}) too, and store it apart from the backup: ` +
            'without that key the retrievable primary API keys in the backup cannot be decrypted, and a server restored from it will not start unless ECGRID_JWT_SECRET is set.',
        );
      }),
    );

  const restore = operatorCommand(program, 'restore', 'replace the SQLite database of a stopped server with a backup, after verifying it (PostgreSQL: use pg_restore, see README)')
    .requiredOption('--from <file>', 'the backup file to restore (only read)')
    .action(
      runAction({}, async (flags) => {
        const config = sqliteConfig(readEnv(flags), 'restore');
        const result = restoreSqliteDatabase(String(flags.from), config.sqliteFile);
        const checksum = result.checksumChecked ? `SHA-256 matches ${checksumFileOf(result.backup)}` : `no ${checksumFileOf(result.backup)} beside it: structure checked only`;
        out(`Restored ${result.backup} into ${result.target}: ${describeDatabase(result.database)}, in ${seconds(result.durationMs)} (verify ${seconds(result.verifyMs)}; integrity_check ok; ${checksum}).`);
        note(masterKeyVerdict(config, result.target));
      }),
    );
  addDatabaseOptions(backup);
  addDatabaseOptions(restore);
}
