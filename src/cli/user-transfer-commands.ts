/**
 * `ecgrid-identity import --from FILE` and `export --to FILE`: users in bulk,
 * CSV (header row) or JSON Lines by extension, straight on the configured
 * database as the operator (audit actor 0), like the other operator commands.
 *
 * import: every row is checked as POST /v2/users would check it (its schema
 * through read-input.ts, then the service's rules: services/user-import-service.ts)
 * and each rejected row reported as `line N: field: problem`. Any rejected row
 * and nothing is written, unless --continue-on-error (then the others are);
 * --dry-run checks and writes nothing. Exit status 0: every row imported (or
 * valid, dry run); 1: rows rejected or the import failed; 2: the command line.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { Type } from 'typebox';
import { IdOrZero } from '../contract/common.js';
import { ImportUserRow, USER_FILE_FIELDS } from '../contract/users.js';
import type { ImportRowInput } from '../services/user-import-service.js';
import { inputChecker, readInput, UsageError, type OptionNames } from './read-input.js';
import { addDatabaseOptions, exitOnUsageError, note, onDatabase, out, runAction, type ReadEnv } from './operator-runtime.js';
import { startProgress, withProgress, type Progress } from './progress.js';
// user-files.js (and the CSV library) are loaded by the commands that use them, not at every start of the CLI.
import type { ExportRecord, UserFileFormat } from './user-files.js';
import type { User } from '../domain/types.js';
import { setHashingPriority } from '../security/hashing-threads.js';

const NetworkOption = Type.Object({ networkId: Type.Optional(IdOrZero()) });
const NETWORK_OPTION: OptionNames = { networkId: '--network' };
/** Users read per page while exporting. */
const EXPORT_PAGE = 2000;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

const files = () => import('./user-files.js');

async function fileFormat(path: string, option: string): Promise<UserFileFormat> {
  const format = (await files()).formatOf(path);
  if (!format) throw new UsageError(`${option}: ${path} must end in .csv or .jsonl (.ndjson)`);
  return format;
}

function networkOption(flags: Record<string, unknown>): number | undefined {
  return readInput<{ networkId?: number }>(NetworkOption, flags.network === undefined ? {} : { networkId: flags.network }, NETWORK_OPTION).networkId;
}

/** The rows of the file, each checked against POST /v2/users's schema (with the API's messages). */
async function readRows(path: string, format: UserFileFormat): Promise<ImportRowInput[]> {
  const { readUserFile } = await files();
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`--from: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const check = inputChecker<ImportUserRow>(ImportUserRow);
  return readUserFile(bytes, path, format).map((row): ImportRowInput => {
    if (row.problem !== undefined) return { line: row.line, problem: row.problem };
    const checked = check(row.raw);
    return checked.problem !== undefined ? { line: row.line, problem: checked.problem } : { line: row.line, value: checked.value };
  });
}

function registerImport(program: Command, readEnv: ReadEnv): void {
  const command = exitOnUsageError(program.command('import'))
    .description('create users from a CSV (header row) or JSON Lines file, each row checked as POST /v2/users checks it (operator)')
    .requiredOption('--from <file>', `.csv or .jsonl file; fields: ${USER_FILE_FIELDS.join(', ')} (password optional: without it the user has no usable password until one is set)`)
    .option('--dry-run', 'check every row and report; write nothing')
    .option('--continue-on-error', 'import the good rows even if some are rejected (default: any rejected row and nothing is written)')
    .option('--network <id>', 'rows without networkId go to this network; rows naming another are rejected');
  addDatabaseOptions(command);
  command.action(
    runAction({ ...NETWORK_OPTION, from: '--from' }, async (flags) => {
      const started = Date.now();
      // Hashing is the work asked for here: at the command's own priority, not the server's nice 19.
      setHashingPriority(0);
      const path = String(flags.from);
      const format = await fileFormat(path, '--from');
      const networkId = networkOption(flags);
      let rows: ImportRowInput[];
      try {
        rows = await readRows(path, format);
      } catch (error) {
        if (error instanceof (await files()).UserFileError) {
          note(`ecgrid-identity: ${path}: ${error.message.replace(`${path}: `, '')}`);
          out(`Nothing imported: ${path} cannot be read.`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      await onDatabase(readEnv(flags), async (services, context) => {
        const plan = await withProgress('checking', rows.length, (onProgress) => services.userImport.check(context, rows, { networkId }, onProgress), { unit: 'rows' });
        for (const row of plan.rejected) note(`line ${row.line}: ${row.problem}`);
        const rejected = plan.rejected.length;
        const tally = `${count(rows.length, 'row')} read, ${plan.accepted.length.toLocaleString('en-US')} valid, ${rejected.toLocaleString('en-US')} rejected`;
        if (flags.dryRun) {
          out(`Dry run: ${tally} in ${seconds(started)}; nothing written.`);
        } else if (rejected > 0 && !flags.continueOnError) {
          out(`Nothing imported: ${tally} (fix them, or use --continue-on-error to import the valid rows).`);
        } else if (plan.accepted.length === 0) {
          out(`Nothing imported: ${tally}.`);
        } else {
          const withPassword = plan.accepted.filter((row) => row.password !== undefined).length;
          // One bar at a time: writing starts once the passwords are hashed (its first report).
          const hashing = withPassword > 0 ? await startProgress('hashing passwords', withPassword, { unit: 'passwords' }) : null;
          let writing: Promise<Progress> | undefined;
          try {
            await services.userImport.write(context, plan, {
              onHashed: (done, total) => {
                hashing?.onProgress(done, total);
                if (done === total) hashing?.stop();
              },
              onWritten: (done, total) => {
                hashing?.stop();
                writing ??= startProgress('writing', total, { unit: 'users' });
                void writing.then((bar) => bar.onProgress(done, total));
              },
            });
          } finally {
            hashing?.stop();
            (await writing)?.stop();
          }
          out(`Imported ${count(plan.accepted.length, 'user')} from ${path} in ${seconds(started)} (${tally}${withPassword > 0 ? `; ${count(withPassword, 'password')} hashed` : ''}).`);
        }
        if (rejected > 0) process.exitCode = 1;
      });
    }),
  );
}

function exportRecord(user: User): ExportRecord {
  return {
    login: user.login,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    company: user.company,
    phone: user.phone,
    cellPhone: user.cellPhone,
    cellCarrier: user.cellCarrier,
    timeZoneOffset: user.timeZoneOffset,
    networkId: user.networkId,
    mailboxId: user.mailboxId,
    authLevel: user.authLevel,
    status: user.status,
  };
}

function registerExport(program: Command, readEnv: ReadEnv): void {
  const command = exitOnUsageError(program.command('export'))
    .description('write every user (or one network\'s) to a CSV or JSON Lines file that import reads back; passwords are never exported (operator)')
    .requiredOption('--to <file>', '.csv or .jsonl file (replaced once complete)')
    .option('--network <id>', 'only the users of this network');
  addDatabaseOptions(command);
  command.action(
    runAction({ ...NETWORK_OPTION, to: '--to' }, async (flags) => {
      const started = Date.now();
      const path = String(flags.to);
      const format = await fileFormat(path, '--to');
      const networkId = networkOption(flags);
      await onDatabase(readEnv(flags), async (services) => {
        // The operator sees every user (a system scope).
        const system = { kind: 'system' as const };
        const total = await services.store.read((r) => r.users.count(system, networkId === undefined ? {} : { networkId }));
        const { UserFileWriter } = await files();
        let writer: InstanceType<typeof UserFileWriter>;
        try {
          writer = new UserFileWriter(path, format);
        } catch (error) {
          throw new UsageError(`--to: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        }
        let written = 0;
        try {
          await withProgress('exporting', total, async (onProgress) => {
            for (let after = 0; ; ) {
              const page = await services.store.read((r) => r.users.listAfter(after, EXPORT_PAGE, networkId));
              if (page.length === 0) break;
              writer.write(page.map(exportRecord));
              written += page.length;
              after = page[page.length - 1]!.userId;
              onProgress(written, Math.max(total, written));
            }
          }, { unit: 'users' });
          writer.finish();
        } catch (error) {
          writer.abandon();
          throw error;
        }
        out(`Exported ${count(written, 'user')} to ${path} in ${seconds(started)}.`);
      });
    }),
  );
}

/** Adds `import` and `export` to the program. */
export function registerUserTransferCommands(program: Command, readEnv: ReadEnv): void {
  registerImport(program, readEnv);
  registerExport(program, readEnv);
}
