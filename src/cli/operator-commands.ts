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
import type { Command } from 'commander';
import { Type } from 'typebox';
import { Id } from '../contract/common.js';
import { CreateNetworkBody, ListNetworksBody, type NetworkIDInfo } from '../contract/tenancy.js';
import { CreateUserBody, SetRoleBody } from '../contract/users.js';
import { unusablePassword } from '../services/bootstrap.js';
import { presentNetwork, presentUser } from '../services/present.js';
import { registerAuditCommands } from './audit-tail.js';
import { readInput, type OptionNames } from './read-input.js';
import {
  addDatabaseOptions, exitOnUsageError, LIST_PAGE, note, onDatabase, operatorCommand, out, pick, printTable, runAction, type ReadEnv,
} from './operator-runtime.js';

// ---- network ---------------------------------------------------------------------------------

const ADDRESS_OPTIONS: Record<string, string> = {
  address1: '--address1', address2: '--address2', city: '--city', state: '--state', zip: '--zip', phone: '--phone', website: '--website',
};
const NETWORK_OPTIONS: OptionNames = { uniqueId: '--unique-id', companyName: '--company-name', status: '--status', ...ADDRESS_OPTIONS };

function registerNetworkCommands(program: Command, readEnv: ReadEnv): void {
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
      await onDatabase(readEnv(flags), async (services, context) => {
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
        await onDatabase(readEnv(flags), async (services, context) => {
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

const ROLE_OPTIONS: OptionNames = { userId: '--user', authLevel: '--level', networkId: '--network', mailboxId: '--mailbox' };

function registerUserCommands(program: Command, readEnv: ReadEnv): void {
  const user = exitOnUsageError(program.command('user').description('create users and set their roles (operator)'));

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
        raw.password = flags.passwordStdin ? readPasswordFromStdin() : unusablePassword();
        const body = readInput<CreateUserBody>(CreateUserBody, raw, USER_OPTIONS);
        await onDatabase(readEnv(flags), async (services, context) => {
          const created = presentUser(await services.users.create(context, body));
          if (flags.json) out(JSON.stringify(created));
          else out(`Created user ${created.userId} "${created.login}" (${created.authLevel}, network ${created.networkId}, mailbox ${created.mailboxId}).`);
          if (!flags.passwordStdin) note(`User ${created.userId} has no usable password; give it an API key with: ecgrid-identity key rotate --user ${created.userId}`);
        });
      }),
    );
  registerSetRoleCommand(user, readEnv);
}

function registerSetRoleCommand(user: Command, readEnv: ReadEnv): void {
  operatorCommand(user, 'set-role', 'change a user\'s AuthLevel (and optionally move it), with the same rules as POST /v2/users/role')
    .requiredOption('--user <id>', 'the user id')
    .requiredOption('--level <AuthLevel>', 'the new level: Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser or General')
    .option('--network <id>', 'move to this network (mailbox becomes 0 unless --mailbox is given)')
    .option('--mailbox <id>', 'move to this mailbox (0 = network level)')
    .option('--json', 'print the UserIDInfo as JSON')
    .action(
      runAction(ROLE_OPTIONS, async (flags) => {
        const raw = pick(flags, { userId: 'user', authLevel: 'level', networkId: 'network', mailboxId: 'mailbox' });
        const body = readInput<SetRoleBody>(SetRoleBody, raw, ROLE_OPTIONS);
        await onDatabase(readEnv(flags), async (services, context) => {
          const changed = presentUser(await services.userAdmin.setRole(context, body));
          if (flags.json) out(JSON.stringify(changed));
          else out(`User ${changed.userId} "${changed.login}" is now ${changed.authLevel} (network ${changed.networkId}, mailbox ${changed.mailboxId}).`);
        });
      }),
    );
}

// ---- key -------------------------------------------------------------------------------------

const KEY_OPTIONS: OptionNames = { userId: '--user', id: '--user' };
const RotateKeyInput = Type.Object({ userId: Id() });

function registerKeyCommands(program: Command, readEnv: ReadEnv): void {
  const key = exitOnUsageError(program.command('key').description('recover access: replace a user\'s primary API key (operator)'));

  operatorCommand(key, 'rotate', 'give a user a new primary API key, printed once; the previous one stops working at once')
    .requiredOption('--user <id>', 'the user id')
    .action(
      runAction(KEY_OPTIONS, async (flags) => {
        const { userId } = readInput<{ userId: number }>(RotateKeyInput, pick(flags, { userId: 'user' }), KEY_OPTIONS);
        await onDatabase(readEnv(flags), async (services, context) => {
          const fresh = await services.users.generateKey(context, userId);
          out(fresh);
          note(`New primary API key of user ${userId}; the previous one no longer works. It is printed only this once.`);
        });
      }),
    );
}

/** Adds `network`, `user`, `key` and `audit` to the program; `readEnv` gives the settings a command runs with. */
export function registerOperatorCommands(program: Command, readEnv: ReadEnv): void {
  registerNetworkCommands(program, readEnv);
  registerUserCommands(program, readEnv);
  registerKeyCommands(program, readEnv);
  registerAuditCommands(exitOnUsageError(program.command('audit').description('read the audit log (operator: tail; API: list)')), readEnv);
  for (const group of program.commands.filter((c) => ['network', 'user', 'key', 'audit'].includes(c.name()))) {
    group.commands.forEach(addDatabaseOptions);
  }
}
