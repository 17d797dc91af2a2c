/** Wires the services of one server instance. */
import type { Config } from '../config.js';
import { KeyVault } from '../security/key-vault.js';
import type { Store } from '../store/store.js';
import { AuthService } from './auth-service.js';
import { SessionService } from './session-service.js';
import { UserService } from './user-service.js';
import { UserAdminService } from './user-admin-service.js';
import { createSmsSender } from '../mail/sms-sender.js';
import { KeyService } from './key-service.js';
import { NetworkService } from './network-service.js';
import { MailboxService } from './mailbox-service.js';
import { AuditService } from './audit-service.js';
import { UserImportService } from './user-import-service.js';

export interface Services {
  store: Store;
  vault: KeyVault;
  auth: AuthService;
  sessions: SessionService;
  users: UserService;
  userAdmin: UserAdminService;
  keys: KeyService;
  networks: NetworkService;
  mailboxes: MailboxService;
  audit: AuditService;
  userImport: UserImportService;
}

export function createServices(config: Config, store: Store): Services {
  const vault = KeyVault.fromConfig(config);
  const sessions = new SessionService(config, store, vault);
  return {
    store,
    vault,
    auth: new AuthService(store, sessions),
    sessions,
    users: new UserService(store, vault),
    userAdmin: new UserAdminService(store, createSmsSender(config)),
    keys: new KeyService(store, vault, config.tokenTtlSeconds),
    networks: new NetworkService(store),
    mailboxes: new MailboxService(store),
    audit: new AuditService(store),
    userImport: new UserImportService(store),
  };
}
