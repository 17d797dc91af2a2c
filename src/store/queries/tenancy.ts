/**
 * Networks and mailboxes: the same columns, the same mapping, two tables.
 */
import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { Status } from '../../domain/statuses.js';
import type { Mailbox, Network } from '../../domain/types.js';
import type { Database, TenantRow } from '../schema.js';
import { untilCommit, type Dialect } from '../dialects/dialect.js';
import { asUpdated } from './held-update.js';
import { enumLiteral } from './enum-literal.js';
import { countLive } from './live-count.js';
import { containsPattern, mailboxesInScope, networksInScope } from './scope-filter.js';

const TENANT_COLUMNS = [
  'unique_id', 'company_name', 'status', 'address1', 'address2', 'city', 'state', 'zip', 'phone', 'website', 'created', 'modified',
] as const;

/** Fields of a network or mailbox that an update may change. */
export type TenantPatch = Partial<Pick<Network, 'companyName' | 'status' | 'address1' | 'address2' | 'city' | 'state' | 'zip' | 'phone' | 'website'>>;

export interface NewTenant {
  uniqueId: string;
  companyName: string;
  status: Status;
  created: string;
  address1?: string;
  address2?: string;
  city?: string;
  state?: string;
  zip?: string;
  phone?: string;
  website?: string;
}

const PATCH_COLUMNS: Record<keyof TenantPatch, keyof TenantRow> = {
  companyName: 'company_name',
  status: 'status',
  address1: 'address1',
  address2: 'address2',
  city: 'city',
  state: 'state',
  zip: 'zip',
  phone: 'phone',
  website: 'website',
};

type TenantColumns = Pick<Selectable<TenantRow>, (typeof TENANT_COLUMNS)[number]>;

function tenantValues(tenant: NewTenant) {
  return {
    unique_id: tenant.uniqueId,
    unique_key: tenant.uniqueId.toLowerCase(),
    company_name: tenant.companyName,
    status: tenant.status,
    address1: tenant.address1 ?? '',
    address2: tenant.address2 ?? '',
    city: tenant.city ?? '',
    state: tenant.state ?? '',
    zip: tenant.zip ?? '',
    phone: tenant.phone ?? '',
    website: tenant.website ?? '',
    created: tenant.created,
    modified: tenant.created,
  };
}

function patchValues(patch: TenantPatch, modified: string): Record<string, unknown> {
  const values: Record<string, unknown> = { modified };
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) values[PATCH_COLUMNS[field as keyof TenantPatch]] = value;
  }
  return values;
}

function tenantOf(row: TenantColumns & { network_id: number }, dialect: Dialect): Network {
  return {
    networkId: row.network_id,
    uniqueId: row.unique_id,
    companyName: row.company_name,
    status: row.status as Status,
    address1: row.address1,
    address2: row.address2,
    city: row.city,
    state: row.state,
    zip: row.zip,
    phone: row.phone,
    website: row.website,
    created: dialect.readTime(row.created),
    modified: dialect.readTime(row.modified),
  };
}

function mailboxOf(row: TenantColumns & { network_id: number; mailbox_id: number }, dialect: Dialect): Mailbox {
  return { ...tenantOf(row, dialect), mailboxId: row.mailbox_id };
}

/** A placement's destination as read: its network, and its mailbox when it names one. */
export interface DestinationRows {
  network: Network;
  mailbox: Mailbox | null;
}

/** The network's (alias n) or mailbox's (alias m) columns in a select of several tables, each as `<alias>_<column>`. */
const destinationColumns = (alias: 'n' | 'm') =>
  [...TENANT_COLUMNS, 'network_id', ...(alias === 'm' ? ['mailbox_id'] : [])].map((column) => sql.ref(`${alias}.${column}`).as(`${alias}_${column}`));
const NETWORK_DESTINATION_COLUMNS = destinationColumns('n');
const MAILBOX_DESTINATION_COLUMNS = destinationColumns('m');

/**
 * The select of a placement's destination: the network (alias n) and, when
 * mailboxId > 0, the mailbox (alias m), for the caller to lock (FOR SHARE OF
 * destinationTables: network first, the lock order of store.ts) and to read
 * back with destinationOfRow. No row when either does not exist.
 */
export function destinationSelect(db: Kysely<Database>, networkId: number, mailboxId: number) {
  const network = db.selectFrom('networks as n').select(NETWORK_DESTINATION_COLUMNS).where('n.network_id', '=', networkId);
  return mailboxId > 0
    ? network.innerJoin('mailboxes as m', (join) => join.on('m.mailbox_id', '=', mailboxId)).select(MAILBOX_DESTINATION_COLUMNS)
    : network;
}

/** The aliases of destinationSelect's tables, in the lock order of store.ts: what a caller locks. */
export const destinationTables = (mailboxId: number): readonly string[] => (mailboxId > 0 ? ['n', 'm'] : ['n']);

/** The destination in a row of destinationSelect (columns of other tables beside them are left). */
export function destinationOfRow(row: Record<string, unknown>, dialect: Dialect): DestinationRows {
  /** The columns of one alias, under their own names. */
  const of = <R>(alias: 'n' | 'm') =>
    Object.fromEntries(Object.entries(row).flatMap(([name, value]) => (name.startsWith(`${alias}_`) ? [[name.slice(2), value]] : []))) as R;
  return { network: tenantOf(of('n'), dialect), mailbox: 'm_mailbox_id' in row ? mailboxOf(of('m'), dialect) : null };
}

abstract class TenantQueries {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: Dialect,
  ) {}

  protected toTenant(row: TenantColumns & { network_id: number }): Network {
    return tenantOf(row, this.dialect);
  }
}

export class NetworkQueries extends TenantQueries {
  #select() {
    return this.db.selectFrom('networks').select([...TENANT_COLUMNS, 'network_id']);
  }

  /** The network with this id whatever its status; null on a miss. Sees every scope. */
  async findById(networkId: number): Promise<Network | null> {
    const row = await this.#select().where('network_id', '=', networkId).executeTakeFirst();
    return row ? this.toTenant(row) : null;
  }

  /** As findById, and keeps the row from changing (status!) until the transaction ends (PostgreSQL). */
  async findByIdForShare(networkId: number): Promise<Network | null> {
    const row = await this.dialect.forShare(this.#select().where('network_id', '=', networkId)).executeTakeFirst();
    return row ? this.toTenant(row) : null;
  }

  async findByIdForUpdate(networkId: number): Promise<Network | null> {
    const row = await this.dialect.forUpdate(this.#select().where('network_id', '=', networkId)).executeTakeFirst();
    return row ? this.toTenant(row) : null;
  }

  /** Networks in scope, by id, optionally only the one holding `mailboxId`; with the total count. */
  async list(
    scope: Scope,
    filter: { networkId?: number; mailboxId?: number; status?: Status },
    page: { pageNo: number; recordsPerPage: number },
  ): Promise<{ networks: Network[]; total: number }> {
    let query = this.db.selectFrom('networks').where(networksInScope(scope));
    if (filter.networkId) query = query.where('network_id', '=', filter.networkId);
    if (filter.status) query = query.where('status', '=', enumLiteral(filter.status));
    if (filter.mailboxId) {
      const mailboxId = filter.mailboxId;
      query = query.where('network_id', 'in', (eb) =>
        eb.selectFrom('mailboxes').select('mailboxes.network_id').where('mailboxes.mailbox_id', '=', mailboxId),
      );
    }
    const rows = await query
      .select([...TENANT_COLUMNS, 'network_id'])
      .orderBy('network_id')
      .limit(page.recordsPerPage)
      .offset((page.pageNo - 1) * page.recordsPerPage)
      .execute();
    const count = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return { networks: rows.map((row) => this.toTenant(row)), total: this.dialect.readCount(count.total) };
  }

  /** Inserts a network, with an explicit id when given; StoreConflict('networks_unique_id_unique') on a taken uniqueId. */
  async insert(network: NewTenant & { networkId?: number }): Promise<Network> {
    const row = await this.db
      .insertInto('networks')
      .values({ ...(network.networkId !== undefined ? { network_id: network.networkId } : {}), ...tenantValues(network) })
      .returning([...TENANT_COLUMNS, 'network_id'])
      .executeTakeFirstOrThrow();
    if (network.networkId !== undefined) await this.dialect.syncIdentity(this.db, 'networks');
    return this.toTenant(row);
  }

  /** The UPDATE of a network this transaction holds (read FOR UPDATE), not waited for where the dialect need not: see UserQueries.updateHeld. */
  async updateHeld(before: Network, patch: TenantPatch, modified: string): Promise<Network> {
    const row = await this.db
      .updateTable('networks')
      .set(patchValues(patch, modified))
      .where('network_id', '=', before.networkId)
      .returning([...TENANT_COLUMNS, 'network_id'])
      .modifyEnd(untilCommit)
      .executeTakeFirst();
    return row ? this.toTenant(row) : asUpdated(before, patch, { modified });
  }
}

export class MailboxQueries extends TenantQueries {
  #select() {
    return this.db.selectFrom('mailboxes').select([...TENANT_COLUMNS, 'network_id', 'mailbox_id']);
  }

  #toMailbox = (row: TenantColumns & { network_id: number; mailbox_id: number }): Mailbox => mailboxOf(row, this.dialect);

  /** The mailbox with this id whatever its status; null on a miss. Sees every scope. */
  async findById(mailboxId: number): Promise<Mailbox | null> {
    const row = await this.#select().where('mailbox_id', '=', mailboxId).executeTakeFirst();
    return row ? this.#toMailbox(row) : null;
  }

  /** As findById, and keeps the row from changing (status!) until the transaction ends (PostgreSQL). */
  async findByIdForShare(mailboxId: number): Promise<Mailbox | null> {
    const row = await this.dialect.forShare(this.#select().where('mailbox_id', '=', mailboxId)).executeTakeFirst();
    return row ? this.#toMailbox(row) : null;
  }

  async findByIdForUpdate(mailboxId: number): Promise<Mailbox | null> {
    const row = await this.dialect.forUpdate(this.#select().where('mailbox_id', '=', mailboxId)).executeTakeFirst();
    return row ? this.#toMailbox(row) : null;
  }

  /**
   * A placement's destination (destinationSelect: the network, and the
   * mailbox when mailboxId > 0), kept from changing until the transaction ends
   * (as findByIdForShare each) by one statement. Null when either does not
   * exist; checkPlacement then reads each alone to say which.
   */
  async findDestinationForShare(networkId: number, mailboxId: number): Promise<DestinationRows | null> {
    const row = await this.dialect.forShare(destinationSelect(this.db, networkId, mailboxId), destinationTables(mailboxId)).executeTakeFirst();
    return row ? destinationOfRow(row, this.dialect) : null;
  }

  /** As findDestinationForShare, locking nothing: for a decision that the write then guards (UserQueries.insertWithEvent). */
  async findDestination(networkId: number, mailboxId: number): Promise<DestinationRows | null> {
    const row = await destinationSelect(this.db, networkId, mailboxId).executeTakeFirst();
    return row ? destinationOfRow(row, this.dialect) : null;
  }

  /** Mailboxes in scope, by id, with the total count. `uniqueIdContains`: a case-insensitive literal part of the uniqueId. */
  async list(
    scope: Scope,
    filter: { networkId?: number; status?: Status; uniqueIdContains?: string },
    page: { pageNo: number; recordsPerPage: number },
  ): Promise<{ mailboxes: Mailbox[]; total: number }> {
    let query = this.db.selectFrom('mailboxes').where(mailboxesInScope(scope));
    if (filter.networkId) query = query.where('network_id', '=', filter.networkId);
    if (filter.status) query = query.where('status', '=', enumLiteral(filter.status));
    if (filter.uniqueIdContains !== undefined) {
      query = query.where(sql<SqlBool>`unique_key like ${containsPattern(filter.uniqueIdContains)} escape '\\'`);
    }
    const rows = await query
      .select([...TENANT_COLUMNS, 'network_id', 'mailbox_id'])
      .orderBy('mailbox_id')
      .limit(page.recordsPerPage)
      .offset((page.pageNo - 1) * page.recordsPerPage)
      .execute();
    const count = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return { mailboxes: rows.map(this.#toMailbox), total: this.dialect.readCount(count.total) };
  }

  /** Inserts a mailbox; StoreConflict('mailboxes_unique_id_unique') when its uniqueId is taken in the network. */
  async insert(mailbox: NewTenant & { networkId: number; mailboxId?: number }): Promise<Mailbox> {
    const row = await this.db
      .insertInto('mailboxes')
      .values({
        ...(mailbox.mailboxId !== undefined ? { mailbox_id: mailbox.mailboxId } : {}),
        network_id: mailbox.networkId,
        ...tenantValues(mailbox),
      })
      .returning([...TENANT_COLUMNS, 'network_id', 'mailbox_id'])
      .executeTakeFirstOrThrow();
    if (mailbox.mailboxId !== undefined) await this.dialect.syncIdentity(this.db, 'mailboxes');
    return this.#toMailbox(row);
  }

  /** Mailboxes of a network that are not Terminated (a network with any cannot be terminated). Locks nothing. */
  countLiveInNetwork(networkId: number): Promise<number> {
    return countLive(this.db, this.dialect, 'mailboxes', 'network_id', networkId);
  }

  /** The UPDATE of a mailbox this transaction holds (read FOR UPDATE), not waited for where the dialect need not: see UserQueries.updateHeld. */
  async updateHeld(before: Mailbox, patch: TenantPatch, modified: string): Promise<Mailbox> {
    const row = await this.db
      .updateTable('mailboxes')
      .set(patchValues(patch, modified))
      .where('mailbox_id', '=', before.mailboxId)
      .returning([...TENANT_COLUMNS, 'network_id', 'mailbox_id'])
      .modifyEnd(untilCommit)
      .executeTakeFirst();
    return row ? this.#toMailbox(row) : asUpdated(before, patch, { modified });
  }
}
