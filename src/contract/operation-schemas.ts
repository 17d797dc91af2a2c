/**
 * The schemas of every operation of OPERATION_ROUTES: what the body and the
 * `data` of a success are. The server validates and serializes with them,
 * the OpenAPI document is generated from them, the client and CLI type
 * against them. Path parameters (`{id}`) are IdParams.
 */
import { Type, type TSchema } from 'typebox';
import { ChangePasswordBody, LoginBody, RefreshBody, SessionInfo, TokenInfo, VersionInfo } from './auth.js';
import { AuditEventList, ListAuditBody } from './audit.js';
import { CreateKeyBody, DeleteKeyBody, GetKeyBody, KeyInfo, ListKeysBody } from './keys.js';
import {
  CreateMailboxBody, CreateNetworkBody, ListMailboxesBody, ListNetworksBody, MailboxIDInfo, MailboxList, NetworkIDInfo, NetworkList,
  UpdateMailboxBody, UpdateNetworkBody,
} from './tenancy.js';
import {
  ByNameBody, CreateUserBody, GeneratePasswordBody, ListUsersBody, SendSmsBody, SetNetworkMailboxBody, SetPasswordBody,
  SetRoleBody, UpdateConfigBody, UpdateUserBody, UserIDInfo,
} from './users.js';
import type { OperationId } from './operation-routes.js';

export interface OperationSchema {
  readonly tag: 'Auth' | 'Users' | 'Keys' | 'Networks' | 'Mailboxes' | 'Audit';
  readonly summary: string;
  readonly body?: TSchema;
  readonly data: TSchema;
}

const True = Type.Boolean({ description: 'true once done' });
const Nothing = Type.Null();
const ApiKey = Type.String({ description: 'an API key' });

export const OPERATION_SCHEMAS = {
  getVersion: { tag: 'Auth', summary: 'API version', data: VersionInfo },
  login: { tag: 'Auth', summary: 'Log in: a Bearer token', body: LoginBody, data: TokenInfo },
  refreshToken: { tag: 'Auth', summary: 'Exchange a token for a new one', body: RefreshBody, data: TokenInfo },
  logout: { tag: 'Auth', summary: 'End the Bearer session', data: Nothing },
  getSession: { tag: 'Auth', summary: 'The calling session', data: SessionInfo },
  changePassword: { tag: 'Auth', summary: 'Change your own password', body: ChangePasswordBody, data: Nothing },

  updateUser: { tag: 'Users', summary: 'Update User', body: UpdateUserBody, data: UserIDInfo },
  createUser: { tag: 'Users', summary: 'Create User', body: CreateUserBody, data: UserIDInfo },
  getCurrentUser: { tag: 'Users', summary: 'Get the calling user', data: UserIDInfo },
  getUser: { tag: 'Users', summary: 'Get User', data: UserIDInfo },
  terminateUser: { tag: 'Users', summary: 'Terminate User (permanent)', data: True },
  listUsers: { tag: 'Users', summary: 'List Users', body: ListUsersBody, data: Type.Array(UserIDInfo) },
  getUsersByName: { tag: 'Users', summary: 'Find users by login', body: ByNameBody, data: Type.Array(UserIDInfo) },
  generateUserKey: { tag: 'Users', summary: 'Generate a new primary API key', data: ApiKey },
  getUserKey: { tag: 'Users', summary: 'Get the primary API key', data: ApiKey },
  setUserPassword: { tag: 'Users', summary: "Set a user's password (admin)", body: SetPasswordBody, data: True },
  generatePassword: {
    tag: 'Users', summary: 'Generate a random password', body: GeneratePasswordBody,
    data: Type.String({ description: 'a random password meeting the policy' }),
  },
  setUserRole: { tag: 'Users', summary: 'Set Role', body: SetRoleBody, data: UserIDInfo },
  setUserNetworkMailbox: { tag: 'Users', summary: 'Set Network Mailbox', body: SetNetworkMailboxBody, data: UserIDInfo },
  updateUserConfig: { tag: 'Users', summary: 'Update Config', body: UpdateConfigBody, data: True },
  sendUserSms: { tag: 'Users', summary: 'Send an SMS to a user', body: SendSmsBody, data: True },
  resetUserSessions: { tag: 'Users', summary: 'Revoke every session of a user', data: True },

  createKey: { tag: 'Keys', summary: 'Create an API key (shown in full only now)', body: CreateKeyBody, data: KeyInfo },
  getPrimaryKey: { tag: 'Keys', summary: 'Get the primary API key of a user', body: GetKeyBody, data: KeyInfo },
  listKeys: { tag: 'Keys', summary: 'List the API keys of a user (masked but the primary)', body: ListKeysBody, data: Type.Array(KeyInfo) },
  deleteKey: { tag: 'Keys', summary: 'Delete (revoke) an API key at once', body: DeleteKeyBody, data: True },

  getNetwork: { tag: 'Networks', summary: 'Get Network', data: NetworkIDInfo },
  listNetworks: { tag: 'Networks', summary: 'List Networks', body: ListNetworksBody, data: NetworkList },
  updateNetwork: { tag: 'Networks', summary: 'Update Network (status: extension)', body: UpdateNetworkBody, data: NetworkIDInfo },
  createNetwork: { tag: 'Networks', summary: 'Create Network (extension; NetOps and above)', body: CreateNetworkBody, data: NetworkIDInfo },
  terminateNetwork: {
    tag: 'Networks', summary: 'Terminate Network (extension; NetOps and above; refused while it has mailboxes or users)', data: Nothing,
  },
  createMailbox: { tag: 'Mailboxes', summary: 'Create Mailbox', body: CreateMailboxBody, data: MailboxIDInfo },
  getMailbox: { tag: 'Mailboxes', summary: 'Get Mailbox', data: MailboxIDInfo },
  listMailboxes: { tag: 'Mailboxes', summary: 'List Mailboxes', body: ListMailboxesBody, data: MailboxList },
  updateMailbox: { tag: 'Mailboxes', summary: 'Update Mailbox (status: extension)', body: UpdateMailboxBody, data: MailboxIDInfo },
  terminateMailbox: { tag: 'Mailboxes', summary: 'Terminate Mailbox (refused while it has users)', data: Nothing },

  listAuditEvents: { tag: 'Audit', summary: 'List audit events in scope, newest first (extension)', body: ListAuditBody, data: AuditEventList },
} as const satisfies Record<OperationId, OperationSchema>;
