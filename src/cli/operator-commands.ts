/**
 * Operator commands: work directly on the configured database (the same
 * configuration as `serve`: ECGRID_DB / DATABASE_URL, ECGRID_MASTER_KEY(_FILE)),
 * no API key needed. They go through the same services as the API, as the
 * synthetic Root principal of services/operator.ts (audit actorUserId 0), so
 * the same validation, placement rules and audit apply; each command is one
 * service call, so nothing is written when it fails.
 *
 * Exit status: 0 done; 1 refused or failed (not found, duplicate, a business
 * rule, the database); 2 the command line itself is wrong (unknown option,
 * missing or ill-formed value, bad configuration).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { Type } from 'typebox';
import { ConfigError, loadConfig, OPTIONS } from '../config.js';
import type { AuditEventInfo } from '../contract/audit.js';
import { Id } from '../contract/common.js';
import { ApiError } from '../contract/errors.js';
import { CreateNetworkBody, ListNetworksBody, type NetworkIDInfo } from '../contract/tenancy.js';
import { CreateUserBody } from '../contract/users.js';
import type { AuditEvent } from '../domain/types.js';
import type { RequestContext } from '../services/context.js';
import type { Services } from '../services/index.js';
import { operatorContext } from '../services/operator.js';
import { presentAuditEvent, presentNetwork, presentUser } from '../services/present.js';
import { envWithFlags } from './main.js';
import { readInput, UsageError, withOptionName, type OptionNames } from './read-input.js';

const DATABASE_SETTINGS = ['ECGRID_DB', 'DATABASE_URL', 'ECGRID_MASTER_KEY', 'ECGRID_MASTER_KEY_FILE'];
const LIST_PAGE = 500;

type Flags = Record<string, unknown>;

const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

/** Usage errors found by commander (unknown option, missing value, no subcommand) exit with 2; help with 0. */
function exitOnUsageError(command: Command): Command {
  return command.exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2));
}

function addDatabaseOptions(command: Command): Command {
  for (const option of OPTIONS.filter((o) => DATABASE_SETTINGS.includes(o.env))) {
    command.addOption(new Option(`${option.flag} <value>`, `${option.description} (env ${option.env})`));
  }
  return command;
}

/** A leaf command (its database options are added last, so that its own options lead its help). */
function operatorCommand(parent: Command, name: string, description: string): Command {
  return exitOnUsageError(parent.command(name).description(description));
}

function runAction(options: OptionNames, handler: (flags: Flags) => Promise<void>) {
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

/**
 * Opens the configured database (migrating it like `serve`), runs `work` as the operator, closes it.
 * The store and services are loaded only here, so that help and usage errors answer quickly.
 */
async function onDatabase(flags: Flags, work: (services: Services, context: RequestContext) => Promise<void>): Promise<void> {
  const config = loadConfig(envWithFlags(flags));
  const [{ prepareStore }, { createServices }] = await Promise.all([import('../server.js'), import('../services/index.js')]);
  const store = await prepareStore(config);
  try {
    await work(createServices(config, store), operatorContext());
  } finally {
    await store.close();
  }
}

/** The body of a command: its options under their field names; absent options left out. */
function pick(flags: Flags, fields: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, flagKey] of Object.entries(fields)) if (flags[flagKey] !== undefined) body[field] = flags[flagKey];
  return body;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

// ---- network ---------------------------------------------------------------------------------

const ADDRESS_OPTIONS: Record<string, string> = {
  address1: '--address1', address2: '--address2', city: '--city', state: '--state', zip: '--zip', phone: '--phone', website: '--website',
};
const NETWORK_OPTIONS: OptionNames = { uniqueId: '--unique-id', companyName: '--company-name', status: '--status', ...ADDRESS_OPTIONS };

function registerNetworkCommands(program: Command): void {
  const network = exitOnUsageError(program.command('network').description('create and list networks (operator)'));

  const create = operatorCommand(network, 'create', 'create a network (ECGrid has no REST call for it)')
    .requiredOption('--unique-id <id>', 'up to 12 letters and digits, unique')
    .requiredOption('--company-name <name>', 'company name')
    .option('--status <status>', 'Development, Active, Preproduction, Suspended or Terminated (default Active)');
  for (const [field, flag] of Object.entries(ADDRESS_OPTIONS)) create.option(`${flag} <value>`, field === 'state' ? 'two letters' : field);
  create.option('--json', 'print the NetworkIDInfo as JSON');
  create.action(
    runAction(NETWORK_OPTIONS, async (flags) => {
      const fields = Object.fromEntries(Object.keys(NETWORK_OPTIONS).map((field) => [field, field]));
      const body = readInput<CreateNetworkBody>(CreateNetworkBody, pick(flags, fields), NETWORK_OPTIONS);
      await onDatabase(flags, async (services, context) => {
        const created = presentNetwork(await services.networks.create(context, body));
        if (flags.json) out(JSON.stringify(created));
        else out(`Created network ${created.networkId} ${created.uniqueId} "${created.companyName}" (${created.status}).`);
      });
    }),
  );

  operatorCommand(network, 'list', 'list every network, by networkId')
    .option('--status <status>', 'only networks in this status')
    .option('--json', 'print a JSON array of NetworkIDInfo')
    .action(
      runAction({ status: '--status' }, async (flags) => {
        const filter = readInput<ListNetworksBody>(ListNetworksBody, pick(flags, { status: 'status' }), { status: '--status' });
        await onDatabase(flags, async (services, context) => {
          const networks: NetworkIDInfo[] = [];
          for (let pageNo = 1; ; pageNo++) {
            const page = await services.networks.list(context, { ...filter, pageNo, recordsPerPage: LIST_PAGE });
            networks.push(...page.items.map(presentNetwork));
            if (page.items.length < LIST_PAGE) break;
          }
          if (flags.json) out(JSON.stringify(networks));
          else printTable(['networkId', 'uniqueId', 'status', 'companyName'], networks.map((n) => [String(n.networkId), n.uniqueId, n.status, n.companyName]));
        });
      }),
    );
}

// ---- user ------------------------------------------------------------------------------------

const USER_OPTIONS: OptionNames = {
  login: '--login', email: '--email', password: '--password-stdin', firstName: '--first-name', lastName: '--last-name',
  networkId: '--network', mailboxId: '--mailbox', authLevel: '--level',
};

/** The password given on standard input (one trailing line break dropped). */
function readPasswordFromStdin(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

function registerUserCommands(program: Command): void {
  const user = exitOnUsageError(program.command('user').description('create users (operator)'));

  operatorCommand(user, 'create', 'create a user, a Root included, with the same rules as POST /v2/users')
    .requiredOption('--login <login>', '1–64 letters, digits and . _ - @ +, unique in its network')
    .requiredOption('--email <address>', 'e-mail address')
    .option('--level <AuthLevel>', 'Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser or General (default MailboxUser)')
    .option('--network <id>', 'network id; 0 = none, for the system levels Root, TechOps, NetOps', '0')
    .option('--mailbox <id>', 'mailbox id; 0 = network level', '0')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--password-stdin', 'read the password from standard input; without it the user gets an unusable random password (give it a key with `key rotate`)')
    .option('--json', 'print the UserIDInfo as JSON')
    .action(
      runAction(USER_OPTIONS, async (flags) => {
        const raw = pick(flags, { login: 'login', email: 'email', firstName: 'firstName', lastName: 'lastName', networkId: 'network', mailboxId: 'mailbox', authLevel: 'level' });
        raw.password = flags.passwordStdin ? readPasswordFromStdin() : (await import('../services/bootstrap.js')).unusablePassword();
        const body = readInput<CreateUserBody>(CreateUserBody, raw, USER_OPTIONS);
        await onDatabase(flags, async (services, context) => {
          const created = presentUser(await services.users.create(context, body));
          if (flags.json) out(JSON.stringify(created));
          else out(`Created user ${created.userId} "${created.login}" (${created.authLevel}, network ${created.networkId}, mailbox ${created.mailboxId}).`);
          if (!flags.passwordStdin) note(`User ${created.userId} has no usable password; give it an API key with: ecgrid-identity key rotate --user ${created.userId}`);
        });
      }),
    );
}

// ---- key -------------------------------------------------------------------------------------

const KEY_OPTIONS: OptionNames = { userId: '--user', id: '--user' };
const RotateKeyInput = Type.Object({ userId: Id() });

function registerKeyCommands(program: Command): void {
  const key = exitOnUsageError(program.command('key').description('recover access: replace a user\'s primary API key (operator)'));

  operatorCommand(key, 'rotate', 'give a user a new primary API key, printed once; the previous one stops working at once')
    .requiredOption('--user <id>', 'the user id')
    .action(
      runAction(KEY_OPTIONS, async (flags) => {
        const { userId } = readInput<{ userId: number }>(RotateKeyInput, pick(flags, { userId: 'user' }), KEY_OPTIONS);
        await onDatabase(flags, async (services, context) => {
          const fresh = await services.users.generateKey(context, userId);
          out(fresh);
          note(`New primary API key of user ${userId}; the previous one no longer works. It is printed only this once.`);
        });
      }),
    );
}

// ---- audit -----------------------------------------------------------------------------------

const TAIL_OPTIONS: OptionNames = { lines: '--lines', interval: '--interval' };
const TailInput = Type.Object({
  lines: Type.Integer({ minimum: 1, maximum: 500 }),
  interval: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
});

function describeActor(actorUserId: number | null): string {
  if (actorUserId === null) return 'server';
  return actorUserId === 0 ? 'operator' : `user ${actorUserId}`;
}

/** One line per event: time, id, actor, action, target, changes. */
export function describeEvent(event: AuditEventInfo): string {
  const changes = Object.entries(event.changes)
    .map(([field, change]) => `${field}: ${JSON.stringify(change.old)} → ${JSON.stringify(change.new)}`)
    .join(', ');
  return [event.at, `#${event.eventId}`, describeActor(event.actorUserId), event.action, `${event.targetType} ${event.targetId}`, changes]
    .filter(Boolean)
    .join('  ');
}

/** Every event after `afterEventId`, oldest first. */
async function eventsAfter(services: Services, context: RequestContext, afterEventId: number): Promise<AuditEvent[]> {
  const byId = new Map<number, AuditEvent>();
  for (let pageNo = 1; ; pageNo++) {
    const page = await services.audit.list(context, { afterEventId, pageNo, recordsPerPage: LIST_PAGE });
    for (const event of page.items) byId.set(event.eventId, event);
    if (page.items.length < LIST_PAGE) break;
  }
  return [...byId.values()].sort((a, b) => a.eventId - b.eventId);
}

/** Resolves on SIGINT/SIGTERM; `sleep` waits for the interval or the signal, whichever comes first. */
function stopSignal() {
  let stopped = false;
  let wake = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    get stopped() {
      return stopped;
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

function registerAuditCommands(program: Command): void {
  const audit = exitOnUsageError(program.command('audit').description('read the audit log (operator)'));

  operatorCommand(audit, 'tail', 'print the most recent audit events, oldest first; with --follow, keep printing new ones')
    .option('-n, --lines <count>', 'how many recent events (1–500)', '20')
    .option('-f, --follow', 'keep printing new events until interrupted (Ctrl-C)')
    .option('--interval <ms>', 'with --follow: how often to look for new events, in milliseconds', '1000')
    .option('--json', 'print one JSON object per event')
    .action(
      runAction(TAIL_OPTIONS, async (flags) => {
        const { lines, interval } = readInput<{ lines: number; interval: number }>(TailInput, pick(flags, { lines: 'lines', interval: 'interval' }), TAIL_OPTIONS);
        const print = (event: AuditEvent) => {
          const info = presentAuditEvent(event);
          out(flags.json ? JSON.stringify(info) : describeEvent(info));
        };
        await onDatabase(flags, async (services, context) => {
          const recent = await services.audit.list(context, { recordsPerPage: lines });
          const events = [...recent.items].reverse();
          events.forEach(print);
          if (!flags.follow) return;
          let last = events.at(-1)?.eventId ?? 0;
          const signal = stopSignal();
          note('Following the audit log; Ctrl-C to stop.');
          while (!signal.stopped) {
            await signal.sleep(interval);
            if (signal.stopped) break;
            const fresh = await eventsAfter(services, context, last);
            fresh.forEach(print);
            last = fresh.at(-1)?.eventId ?? last;
          }
        });
      }),
    );
}

/** Adds `network`, `user`, `key` and `audit` to the program. */
export function registerOperatorCommands(program: Command): void {
  registerNetworkCommands(program);
  registerUserCommands(program);
  registerKeyCommands(program);
  registerAuditCommands(program);
  for (const group of program.commands.filter((c) => ['network', 'user', 'key', 'audit'].includes(c.name()))) {
    group.commands.forEach(addDatabaseOptions);
  }
}
