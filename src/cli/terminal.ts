/**
 * What every command shares with the terminal, and nothing else (no server
 * code: the API commands must not load it): output, tables, and exit codes
 * for usage errors (2).
 */
import type { Command, CommanderError } from 'commander';

export const out = (line: string) => process.stdout.write(`${line}\n`);
export const note = (line: string) => process.stderr.write(`${line}\n`);

/** Usage errors found by commander (unknown option, missing value, no subcommand) exit with 2; help with 0. */
export function exitOnUsageError(command: Command): Command {
  return command.exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2));
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
