/**
 * Every operation of the API: method, path, and its name in the client.
 * Plain data with no imports, so the typed client can use it at run time
 * without pulling in any schema library; the server registers its routes
 * from the same table (http/operation-route.ts), so the two cannot disagree.
 *
 * `idempotent`: running it twice has the effect of running it once, so a
 * client may retry it after a 5xx or a lost connection.
 */
export interface OperationRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI form: `{id}` for path parameters. */
  readonly path: string;
  /** `namespace.method` in the client (`users.update`) and `namespace method` in the CLI. */
  readonly client: `${string}.${string}`;
  readonly idempotent: boolean;
  /** Answers without a credential. */
  readonly public?: true;
}

export const OPERATION_ROUTES = {
  // Auth (API.md §4)
  getVersion: { method: 'GET', path: '/v2/auth/version', client: 'auth.version', idempotent: true, public: true },
  login: { method: 'POST', path: '/v2/auth/login', client: 'auth.login', idempotent: false, public: true },
  refreshToken: { method: 'POST', path: '/v2/auth/refresh', client: 'auth.refresh', idempotent: false, public: true },
  logout: { method: 'POST', path: '/v2/auth/logout', client: 'auth.logout', idempotent: false },
  getSession: { method: 'POST', path: '/v2/auth/session', client: 'auth.session', idempotent: true },
  changePassword: { method: 'PUT', path: '/v2/auth/password', client: 'auth.changePassword', idempotent: false },
  // Users (API.md §3)
  updateUser: { method: 'PUT', path: '/v2/users', client: 'users.update', idempotent: true },
  createUser: { method: 'POST', path: '/v2/users', client: 'users.create', idempotent: false },
  getCurrentUser: { method: 'GET', path: '/v2/users/me', client: 'users.me', idempotent: true },
  getUser: { method: 'GET', path: '/v2/users/{id}', client: 'users.get', idempotent: true },
  terminateUser: { method: 'DELETE', path: '/v2/users/{id}', client: 'users.terminate', idempotent: true },
  listUsers: { method: 'POST', path: '/v2/users/list', client: 'users.list', idempotent: true },
  getUsersByName: { method: 'POST', path: '/v2/users/by-name', client: 'users.byName', idempotent: true },
  generateUserKey: { method: 'POST', path: '/v2/users/key-generate/{id}', client: 'users.generateKey', idempotent: false },
  getUserKey: { method: 'GET', path: '/v2/users/key/{id}', client: 'users.getKey', idempotent: true },
  setUserPassword: { method: 'POST', path: '/v2/users/password', client: 'users.setPassword', idempotent: true },
  generatePassword: { method: 'POST', path: '/v2/users/generate-password', client: 'users.generatePassword', idempotent: true },
  setUserRole: { method: 'POST', path: '/v2/users/role', client: 'users.setRole', idempotent: true },
  setUserNetworkMailbox: { method: 'POST', path: '/v2/users/set-network-mailbox', client: 'users.setNetworkMailbox', idempotent: true },
  updateUserConfig: { method: 'POST', path: '/v2/users/update-config', client: 'users.updateConfig', idempotent: true },
  sendUserSms: { method: 'POST', path: '/v2/users/send-sms', client: 'users.sendSms', idempotent: false },
  resetUserSessions: { method: 'POST', path: '/v2/users/reset/{id}', client: 'users.resetSessions', idempotent: true },
  // Keys (API.md §5)
  createKey: { method: 'POST', path: '/v2/keys/create', client: 'keys.create', idempotent: false },
  getPrimaryKey: { method: 'POST', path: '/v2/keys/get-key', client: 'keys.getPrimary', idempotent: true },
  listKeys: { method: 'POST', path: '/v2/keys/list', client: 'keys.list', idempotent: true },
  deleteKey: { method: 'DELETE', path: '/v2/keys', client: 'keys.delete', idempotent: true },
  // Networks and mailboxes (API.md §6)
  getNetwork: { method: 'GET', path: '/v2/networks/{id}', client: 'networks.get', idempotent: true },
  listNetworks: { method: 'POST', path: '/v2/networks/list', client: 'networks.list', idempotent: true },
  updateNetwork: { method: 'PUT', path: '/v2/networks', client: 'networks.update', idempotent: true },
  // Extensions: ECGrid v2.6 creates and terminates networks outside its API.
  createNetwork: { method: 'POST', path: '/v2/networks/create', client: 'networks.create', idempotent: false },
  terminateNetwork: { method: 'DELETE', path: '/v2/networks/{id}', client: 'networks.terminate', idempotent: true },
  createMailbox: { method: 'POST', path: '/v2/mailboxes/create', client: 'mailboxes.create', idempotent: false },
  getMailbox: { method: 'GET', path: '/v2/mailboxes/{id}', client: 'mailboxes.get', idempotent: true },
  listMailboxes: { method: 'POST', path: '/v2/mailboxes/list', client: 'mailboxes.list', idempotent: true },
  updateMailbox: { method: 'POST', path: '/v2/mailboxes/update', client: 'mailboxes.update', idempotent: true },
  terminateMailbox: { method: 'DELETE', path: '/v2/mailboxes/{id}', client: 'mailboxes.terminate', idempotent: true },
  // Audit (extension)
  listAuditEvents: { method: 'POST', path: '/v2/audit/list', client: 'audit.list', idempotent: true },
} as const satisfies Record<string, OperationRoute>;

export type OperationId = keyof typeof OPERATION_ROUTES;
