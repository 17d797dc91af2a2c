/**
 * The client CLI: every API operation as a command, through the typed client,
 * against a running server (ECGRID_URL, and ECGRID_API_KEY or ECGRID_TOKEN —
 * or the flags --url, --api-key, --bearer):
 *
 *   ecgrid-identity users get 1042
 *   ecgrid-identity users update --user-id 1042 --email john.smith@example.com
 *   ecgrid-identity users list --network-id 1 --status Active
 *   ecgrid-identity keys create --user-id 1042 --visibility Shared --json
 *
 * Commands are made from the contract's tables (the operation's client name
 * gives `group command`; `{id}` in its path a positional argument; its body
 * schema the options), so a new operation gets its command by itself.
 * Output: a readable table, or `--json` for the raw `data`. Exit codes: 0 ok,
 * 1 API error (its errorCode and message on stderr), 2 usage error.
 * A secret (password, token) given as `-` is read from standard input.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { TSchema } from 'typebox';
import { createClient, EcgridError } from '../client/index.js';
import { OPERATION_ROUTES, type OperationId } from '../contract/operation-routes.js';
import { OPERATION_SCHEMAS } from '../contract/operation-schemas.js';
import { exitOnUsageError, note, out, printTable } from './terminal.js';

type PropertySchema = { type?: string; enum?: string[]; description?: string; writeOnly?: boolean; minimum?: number; maximum?: number };
type ObjectSchema = { properties?: Record<string, PropertySchema>; required?: string[] };

class UsageError extends Error {}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camelFlag = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The value of one option, typed as the schema says; malformed is a usage error naming the option. */
function readValue(flag: string, schema: PropertySchema, raw: unknown): unknown {
  if (schema.type === 'boolean') return raw === true || raw === 'true';
  let text = String(raw);
  if (schema.writeOnly && text === '-') text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag}: must be an integer`);
    return Number(text);
  }
  if (schema.type === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new UsageError(`${flag}: must be a number`);
    return Number(text);
  }
  if (schema.enum) {
    const match = schema.enum.find((value) => value.toLowerCase() === text.toLowerCase());
    if (!match) throw new UsageError(`${flag}: must be one of ${schema.enum.join(', ')}`);
    return match;
  }
  return text;
}

function describe(schema: PropertySchema): string {
  const parts = [schema.description ?? ''];
  if (schema.enum) parts.push(`one of ${schema.enum.join(', ')}`);
  if (schema.writeOnly) parts.push('`-` reads it from standard input');
  return parts.filter(Boolean).join('; ');
}

/** A readable rendering of `data`: tables for lists, key/value lines for objects. */
export function render(data: unknown): void {
  if (data === null || data === true) {
    out('ok');
  } else if (typeof data !== 'object') {
    out(String(data));
  } else if (Array.isArray(data)) {
    renderList(data);
  } else {
    const record = data as Record<string, unknown>;
    const list = Object.values(record).find((value) => Array.isArray(value));
    if (list && 'totalRecords' in record) {
      renderList(list as unknown[]);
      out(`(page ${String(record.pageNo)}, ${String(record.recordsPerPage)} per page, ${String(record.totalRecords)} in all)`);
    } else {
      printTable(['field', 'value'], Object.entries(record).map(([key, value]) => [key, cell(value)]));
    }
  }
}

/** Rows of objects as a table of their first nine fields (the reference's fields lead every object). */
function renderList(items: unknown[]): void {
  if (items.length === 0) {
    out('(none)');
  } else if (typeof items[0] !== 'object' || items[0] === null) {
    for (const item of items) out(String(item));
  } else {
    const columns = Object.keys(items[0] as object).slice(0, 9);
    printTable(columns, items.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c]))));
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const GROUP_DESCRIPTIONS: Record<string, string> = {
  auth: 'log in, refresh, log out, session, own password (API)',
  users: 'users: get, update, create, list, roles, keys, … (API)',
  keys: 'API keys: create, get, list, delete (API)',
  networks: 'networks: get, list, update (API)',
  mailboxes: 'mailboxes: create, get, list, update, terminate (API)',
  audit: 'the audit log (API: list)',
};

function addOperation(program: Command, operationId: OperationId): void {
  const route = OPERATION_ROUTES[operationId];
  const spec: { summary: string; body?: TSchema } = OPERATION_SCHEMAS[operationId];
  const [group, method] = route.client.split('.') as [string, string];
  const parent =
    program.commands.find((c) => c.name() === group) ?? exitOnUsageError(program.command(group).description(GROUP_DESCRIPTIONS[group] ?? `${group} (API)`));
  const command = exitOnUsageError(parent.command(kebab(method)).description(`${spec.summary} — ${route.method} ${route.path}`));
  const hasId = route.path.includes('{id}');
  if (hasId) command.argument('<id>', 'the id in the path');

  const body = (spec.body ?? {}) as ObjectSchema;
  const properties = Object.entries(body.properties ?? {});
  const required = new Set(body.required ?? []);
  for (const [name, schema] of properties) {
    const flag = `--${kebab(name)}`;
    const option = new Option(schema.type === 'boolean' ? flag : `${flag} <value>`, describe(schema));
    if (required.has(name)) option.makeOptionMandatory();
    command.addOption(option);
  }
  command
    .option('--json', 'print the raw `data` as JSON')
    .option('--url <url>', 'server base URL (env ECGRID_URL)')
    .option('--api-key <key>', 'X-API-Key (env ECGRID_API_KEY)')
    .option('--bearer <token>', 'Bearer token (env ECGRID_TOKEN)');

  command.action(async (...args: unknown[]) => {
    const flags = (hasId ? args[1] : args[0]) as Record<string, unknown>;
    try {
      const input: Record<string, unknown> = {};
      if (hasId) {
        const id = String(args[0]);
        if (!/^\d+$/.test(id)) throw new UsageError(`<id>: must be a positive integer`);
        input.id = Number(id);
      }
      for (const [name, schema] of properties) {
        const raw = flags[camelFlag(kebab(name))];
        if (raw !== undefined) input[name] = readValue(`--${kebab(name)}`, schema, raw);
      }
      const baseUrl = (flags.url as string | undefined) ?? process.env.ECGRID_URL;
      if (!baseUrl) throw new UsageError('no server: set ECGRID_URL or pass --url');
      const client = createClient({
        baseUrl,
        apiKey: (flags.apiKey as string | undefined) ?? process.env.ECGRID_API_KEY,
        token: (flags.bearer as string | undefined) ?? process.env.ECGRID_TOKEN,
      });
      const data = await client.call(operationId, input);
      if (flags.json) out(JSON.stringify(data, null, 2));
      else render(data);
    } catch (error) {
      if (error instanceof UsageError) {
        note(`ecgrid-identity: ${error.message}`);
        process.exitCode = 2;
      } else if (error instanceof EcgridError) {
        note(`ecgrid-identity: ${error.errorCode}${error.status ? ` (${error.status})` : ''}: ${error.message}`);
        process.exitCode = 1;
      } else {
        throw error;
      }
    }
  });
}

/** Adds one command per API operation (after the operator commands, whose groups `audit` it shares). */
export function registerApiCommands(program: Command): void {
  for (const operationId of Object.keys(OPERATION_ROUTES) as OperationId[]) addOperation(program, operationId);
}
