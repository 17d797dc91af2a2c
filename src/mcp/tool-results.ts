/**
 * Result objects of the MCP tools (MCP.md §5.2): our domain objects under the
 * documented MCP field names and order, documented fields we do not store as
 * null. Each shape has its output schema next to its presenter.
 */
import type { Mailbox, Network, User } from '../domain/types.js';
import { isLockedOut, wireTime } from '../services/present.js';

type JsonSchema = Record<string, unknown>;

const INT = { type: 'integer' };
const STRING = { type: 'string' };
const NULL = { type: 'null' };
const BOOL = { type: 'boolean' };
/** UTC, whole seconds: `2024-03-15T10:22:00Z` (no `format`: clients' validators do not all know it). */
const TIME = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' };
const nullable = (schema: JsonSchema) => ({ ...schema, type: [schema.type, 'null'] });

function objectSchema(properties: Record<string, JsonSchema>, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return { type: 'object', properties: { ...properties, ...extra }, required: Object.keys(properties) };
}

/** Per-user figures not on the user row: its open sessions and the token lifetime. */
export interface UserFigures {
  openSessions: number;
  timeOutSeconds: number;
}

const USER_PROPERTIES = {
  userId: INT,
  loginName: STRING,
  firstName: STRING,
  lastName: STRING,
  company: STRING,
  email: STRING,
  phone: STRING,
  timeZoneOffset: nullable({ type: 'number' }),
  authLevel: STRING,
  lockoutStatus: BOOL,
  networkId: INT,
  mailboxId: INT,
  lastLogin: nullable(TIME),
  openSessions: INT,
  timeOut: INT,
  created: TIME,
  modified: TIME,
};
export const USER_SCHEMA = objectSchema(USER_PROPERTIES);

export function presentMcpUser(user: User, figures: UserFigures) {
  return {
    userId: user.userId,
    loginName: user.login,
    firstName: user.firstName,
    lastName: user.lastName,
    company: user.company,
    email: user.email,
    phone: user.phone,
    timeZoneOffset: user.timeZoneOffset,
    authLevel: user.authLevel,
    lockoutStatus: isLockedOut(user),
    networkId: user.networkId,
    mailboxId: user.mailboxId,
    lastLogin: user.lastLogin === null ? null : wireTime(user.lastLogin),
    openSessions: figures.openSessions,
    timeOut: figures.timeOutSeconds,
    created: wireTime(user.created),
    modified: wireTime(user.modified),
  };
}

export const ME_SCHEMA = objectSchema({ ecgridOsVersion: NULL, sessionId: nullable(STRING), sessionEventId: NULL, ...USER_PROPERTIES });

export function presentMe(user: User, figures: UserFigures, sessionId: string | null) {
  return { ecgridOsVersion: null, sessionId, sessionEventId: null, ...presentMcpUser(user, figures) };
}

/** `<role>UserId`, `<role>LoginName`, `<role>AuthLevel` for each role: contacts, which we do not store. */
function contacts(roles: readonly string[]): Record<string, null> {
  return Object.fromEntries(roles.flatMap((role) => [`${role}UserId`, `${role}LoginName`, `${role}AuthLevel`].map((name) => [name, null])));
}
const nullSchemas = (fields: Record<string, null>) => Object.fromEntries(Object.keys(fields).map((name) => [name, NULL]));

const NETWORK_ROLES = ['owner', 'errors', 'interconnects', 'billing'] as const;
const MAILBOX_ROLES = ['owner', 'errors', 'interconnects', 'notices', 'reports', 'customerService', 'accounting'] as const;

export function presentMcpNetwork(network: Network) {
  return {
    networkId: network.networkId,
    name: network.companyName,
    status: network.status,
    runStatus: null,
    outageStatus: null,
    ...contacts(NETWORK_ROLES),
    publicWebsite: network.website,
    ediWebsite: null,
    routingNetworkId: null,
    created: wireTime(network.created),
    modified: wireTime(network.modified),
  };
}
export const NETWORK_SCHEMA = objectSchema({
  networkId: INT, name: STRING, status: STRING, runStatus: NULL, outageStatus: NULL, ...nullSchemas(contacts(NETWORK_ROLES)),
  publicWebsite: STRING, ediWebsite: NULL, routingNetworkId: NULL, created: TIME, modified: TIME,
});

const MAILBOX_HEAD = (mailbox: Mailbox) => ({
  mailboxId: mailbox.mailboxId,
  networkId: mailbox.networkId,
  name: mailbox.uniqueId,
  description: mailbox.companyName,
  status: mailbox.status,
  useType: null,
  managed: null,
  ecgridAccount: null,
  defaultAs2Id: null,
});
const MAILBOX_HEAD_SCHEMA = {
  mailboxId: INT, networkId: INT, name: STRING, description: STRING, status: STRING, useType: NULL, managed: NULL, ecgridAccount: NULL, defaultAs2Id: NULL,
};

export function presentMcpMailbox(mailbox: Mailbox) {
  return {
    ...MAILBOX_HEAD(mailbox),
    ...contacts(MAILBOX_ROLES),
    priceListId: null,
    contractId: null,
    created: wireTime(mailbox.created),
    modified: wireTime(mailbox.modified),
  };
}
export const MAILBOX_SCHEMA = objectSchema({
  ...MAILBOX_HEAD_SCHEMA, ...nullSchemas(contacts(MAILBOX_ROLES)), priceListId: NULL, contractId: NULL, created: TIME, modified: TIME,
});

/** The documented list row of a mailbox (list-mailboxes, get-mailbox-by-name). */
export function presentMailboxRow(mailbox: Mailbox) {
  return { ...MAILBOX_HEAD(mailbox), ...contacts(['owner']), created: wireTime(mailbox.created), modified: wireTime(mailbox.modified) };
}
const MAILBOX_ROW_SCHEMA = objectSchema({ ...MAILBOX_HEAD_SCHEMA, ...nullSchemas(contacts(['owner'])), created: TIME, modified: TIME });

/** A list result: `count`, the items, and (Extension) `truncated: true` only when more matched than were returned. */
export function listResult<K extends string, T>(key: K, items: T[], truncated: boolean) {
  return { count: items.length, [key]: items, ...(truncated ? { truncated: true as const } : {}) } as { count: number; truncated?: true } & Record<K, T[]>;
}
const listSchema = (key: string, item: JsonSchema) =>
  objectSchema({ count: INT, [key]: { type: 'array', items: item } }, { truncated: { type: 'boolean', const: true } });

export const USER_LIST_SCHEMA = listSchema('users', USER_SCHEMA);
export const MAILBOX_LIST_SCHEMA = listSchema('mailboxes', MAILBOX_ROW_SCHEMA);

export const HELLO_SCHEMA = objectSchema({
  message: STRING, loginName: STRING, authLevel: STRING, networkId: STRING, mailboxId: STRING, serverTimeUtc: TIME,
});
export const VERSION_SCHEMA = objectSchema({ rest: STRING, ecgridOs: NULL });
