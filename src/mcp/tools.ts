/**
 * The tool registry (MCP.md §5): the ten identity tools, in the documented
 * order, each a thin adapter over one service use-case — the same scope, the
 * same refusals as REST. `tools/list`, `tools/call` and every discovery
 * document are generated from this one list.
 */
import { ApiError } from '../contract/errors.js';
import { LOGIN_PATTERN } from '../contract/users.js';
import { API_VERSION } from '../contract/version.js';
import { scopeKindOf } from '../domain/levels.js';
import type { User } from '../domain/types.js';
import type { RequestContext } from '../services/context.js';
import type { Services } from '../services/index.js';
import { wireTime } from '../services/present.js';
import { argumentReader, idParam, inputSchemaOf, type ArgumentReader, type ParamSpecs, type ToolArguments } from './tool-arguments.js';
import { loginNotFound, notFound, validationFailure, type ObjectKind } from './tool-errors.js';
import {
  HELLO_SCHEMA, MAILBOX_LIST_SCHEMA, MAILBOX_SCHEMA, ME_SCHEMA, NETWORK_SCHEMA, USER_LIST_SCHEMA, USER_SCHEMA, VERSION_SCHEMA,
  listResult, presentMailboxRow, presentMcpMailbox, presentMcpNetwork, presentMcpUser, presentMe,
} from './tool-results.js';
import { SERVER_NAME } from './server-info.js';

/** Every list tool returns at most this many items (MCP.md §9 #14). */
export const LIST_CAP = 1000;

export interface ToolContext {
  caller: RequestContext;
  services: Services;
  tokenTtlSeconds: number;
}

export interface Tool {
  name: string;
  description: string;
  inputSchema: ReturnType<typeof inputSchemaOf>;
  outputSchema: Record<string, unknown>;
  arguments: ArgumentReader;
  run(context: ToolContext, args: ToolArguments): Promise<object>;
}

function tool(
  name: string,
  description: string,
  params: ParamSpecs,
  outputSchema: Record<string, unknown>,
  run: Tool['run'],
): Tool {
  return { name, description, inputSchema: inputSchemaOf(params), outputSchema, arguments: argumentReader(params), run };
}

const SCOPE_NOTE = 'Objects outside your scope (other networks, other mailboxes) answer NOT_FOUND, exactly like missing ones.';

/** A service read whose 404 (missing or out of scope) becomes NOT_FOUND naming the field. */
async function orNotFound<T>(read: Promise<T>, field: string, kind: ObjectKind, id: number): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound(field, kind, id);
    throw error;
  }
}

/** Users as MCP User objects, with their open-session counts read in one query. */
async function presentUsers({ services, tokenTtlSeconds }: ToolContext, users: User[]) {
  const open = await services.sessions.openSessionCounts(users.map((user) => user.userId));
  return users.map((user) => presentMcpUser(user, { openSessions: open.get(user.userId) ?? 0, timeOutSeconds: tokenTtlSeconds }));
}

async function presentUser(context: ToolContext, user: User) {
  return (await presentUsers(context, [user]))[0]!;
}

export const TOOLS: readonly Tool[] = [
  tool(
    'connectivity_system_hello-world',
    'Greets you and echoes who you are signed in as (login, AuthLevel, network and mailbox ids as strings). ' +
      'Use it to check that the connection and your credential work.',
    { name: { type: 'string', minLength: 0, maxLength: 256, description: 'Whom to greet; absent or empty: your login' } },
    HELLO_SCHEMA,
    async ({ caller }, args) => {
      const { principal } = caller;
      const name = (args.name as string | undefined) || principal.login;
      return {
        message: `Hello, ${name}, from ${SERVER_NAME}.`,
        loginName: principal.login,
        authLevel: principal.authLevel,
        networkId: String(principal.networkId),
        mailboxId: String(principal.mailboxId),
        serverTimeUtc: wireTime(new Date().toISOString()),
      };
    },
  ),
  tool(
    'connectivity_system_get-version',
    'Returns the version of the ECGrid REST API this server speaks ("2.6"); ecgridOs is null (there is no ECGridOS back end).',
    {},
    VERSION_SCHEMA,
    async () => ({ rest: API_VERSION, ecgridOs: null }),
  ),
  tool(
    'connectivity_user_get-user-me',
    'Returns your own user profile and, when you signed in with a Bearer token, the id of your session. ' +
      'Use it to find out who you are, your AuthLevel and where you sit (network, mailbox). It never returns a key or token.',
    {},
    ME_SCHEMA,
    async ({ caller, services, tokenTtlSeconds }) => {
      const user = await services.users.me(caller);
      const open = await services.sessions.openSessionCounts([user.userId]);
      const credential = caller.principal.credential;
      const figures = { openSessions: open.get(user.userId) ?? 0, timeOutSeconds: tokenTtlSeconds };
      return presentMe(user, figures, credential.kind === 'session' ? credential.sessionId : null);
    },
  ),
  tool(
    'connectivity_user_get-user-by-id',
    `Returns one user by its numeric userId. ${SCOPE_NOTE}`,
    { userId: idParam('The user id') },
    USER_SCHEMA,
    async (context, args) => {
      const userId = args.userId as number;
      return presentUser(context, await orNotFound(context.services.users.get(context.caller, userId), 'userId', 'user', userId));
    },
  ),
  tool(
    'connectivity_user_get-user-by-login',
    'Returns the one user whose login name equals loginName (any case; e-mail addresses are not searched). ' +
      `If several users in different networks share the login, answers VALIDATION_ERROR listing their ids. ${SCOPE_NOTE}`,
    {
      loginName: {
        type: 'string', minLength: 1, maxLength: 64, required: true, description: 'The exact login name (1–64 of letters, digits and . _ - @ +)',
        pattern: { regex: new RegExp(LOGIN_PATTERN), source: LOGIN_PATTERN, words: '1–64 of letters, digits and . _ - @ +' },
      },
    },
    USER_SCHEMA,
    async (context, args) => {
      const users = await context.services.users.byName(context.caller, args.loginName as string);
      if (users.length === 0) throw loginNotFound();
      if (users.length > 1) {
        const ids = users.map((user) => user.userId).sort((a, b) => a - b);
        throw validationFailure(
          `loginName: matches several users (${ids.join(', ')})`,
          `Call connectivity_user_get-user-by-id with one of the userIds ${ids.join(', ')}.`,
        );
      }
      return presentUser(context, users[0]!);
    },
  ),
  tool(
    'connectivity_user_list-users',
    'Lists the users you can see that match filters, ordered by userId (at most 1,000; truncated: true when more matched). ' +
      'Give at least one of networkId, mailboxId (-1 = all mailboxes, 0 = network-level users only) or name ' +
      '(a part of the login or e-mail address, any case); lockedOut: true keeps only users locked out now. ' +
      'Filters pointing outside your scope give an empty list.',
    {
      networkId: idParam('Only users of this network', false),
      mailboxId: { type: 'integer', minimum: -1, maximum: 2_147_483_647, description: '-1: all mailboxes; 0: network-level users only; ≥ 1: that mailbox' },
      name: { type: 'string', minLength: 1, maxLength: 40, description: 'A part of the login or e-mail address (any case, no wildcards)' },
      lockedOut: { type: 'boolean', description: 'true: only users locked out now; false or absent: no filter' },
    },
    USER_LIST_SCHEMA,
    async (context, args) => {
      const { networkId, mailboxId, name, lockedOut } = args as { networkId?: number; mailboxId?: number; name?: string; lockedOut?: boolean };
      if (networkId === undefined && mailboxId === undefined && name === undefined) {
        throw validationFailure('networkId: one of networkId, mailboxId or name is required', 'Call again with networkId, mailboxId (-1 for all) or name.');
      }
      const { users, truncated } = await context.services.users.search(
        context.caller,
        { networkId, mailboxId: mailboxId === -1 ? undefined : mailboxId, nameContains: name, lockedOut },
        LIST_CAP,
      );
      return listResult('users', await presentUsers(context, users), truncated);
    },
  ),
  tool(
    'connectivity_network_get-network-by-id',
    `Returns one network by its numeric networkId (name, status, website, dates; contact fields are null). ${SCOPE_NOTE}`,
    { networkId: idParam('The network id') },
    NETWORK_SCHEMA,
    async ({ caller, services }, args) => {
      const networkId = args.networkId as number;
      return presentMcpNetwork(await orNotFound(services.networks.get(caller, networkId), 'networkId', 'network', networkId));
    },
  ),
  tool(
    'connectivity_mailbox_get-mailbox-by-id',
    `Returns one mailbox by its numeric mailboxId (name, description, status, dates; contact fields are null). ${SCOPE_NOTE}`,
    { mailboxId: idParam('The mailbox id') },
    MAILBOX_SCHEMA,
    async ({ caller, services }, args) => {
      const mailboxId = args.mailboxId as number;
      return presentMcpMailbox(await orNotFound(services.mailboxes.get(caller, mailboxId), 'mailboxId', 'mailbox', mailboxId));
    },
  ),
  tool(
    'connectivity_mailbox_list-mailboxes',
    'Lists the mailboxes of a network that you can see, any status, ordered by mailboxId (at most 1,000). ' +
      'networkId absent: your own network (Root, TechOps and NetOps: every network). A network outside your scope gives count 0.',
    { networkId: idParam('The network; absent: your own', false) },
    MAILBOX_LIST_SCHEMA,
    async ({ caller, services }, args) => {
      // Absent: the caller's own network — except for system levels, which see every network (MCP.md §5.12).
      const own = scopeKindOf(caller.principal.authLevel) === 'system' ? undefined : caller.principal.networkId;
      const networkId = (args.networkId as number | undefined) ?? own;
      const { mailboxes, truncated } = await services.mailboxes.search(caller, { networkId }, LIST_CAP);
      return listResult('mailboxes', mailboxes.map(presentMailboxRow), truncated);
    },
  ),
  tool(
    'connectivity_mailbox_get-mailbox-by-name',
    'Finds the mailboxes of one network whose name contains the given text (any case, no wildcards), ordered by mailboxId. ' +
      'An empty list is a success; a network outside your scope gives count 0.',
    {
      networkId: idParam('The network to search'),
      name: { type: 'string', minLength: 1, maxLength: 128, required: true, description: 'A part of the mailbox name' },
    },
    MAILBOX_LIST_SCHEMA,
    async ({ caller, services }, args) => {
      const filter = { networkId: args.networkId as number, uniqueIdContains: args.name as string };
      const { mailboxes, truncated } = await services.mailboxes.search(caller, filter, LIST_CAP);
      return listResult('mailboxes', mailboxes.map(presentMailboxRow), truncated);
    },
  ),
];
