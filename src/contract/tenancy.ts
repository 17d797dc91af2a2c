/** Networks and mailboxes (API.md §2, §6). */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { STATUSES } from '../domain/statuses.js';
import { Formatted, Id, IdOrZero, PageCounts, PageNo, RecordsPerPage, Status, Text, Timestamp } from './common.js';

const addressOutput = {
  address1: Type.String(),
  address2: Type.String(),
  city: Type.String(),
  state: Type.String(),
  zip: Type.String(),
  phone: Type.String(),
  website: Type.String(),
};

/** Optional address fields of update bodies; `""` clears one. */
const addressInput = {
  companyName: Type.Optional(Text(128, { minLength: 1 })),
  address1: Type.Optional(Text(128)),
  address2: Type.Optional(Text(128)),
  city: Type.Optional(Text(64)),
  state: Type.Optional(Type.String({ pattern: '^([A-Za-z]{2})?$', description: '2 letters' })),
  zip: Type.Optional(Text(16)),
  phone: Type.Optional(Text(32)),
  website: Type.Optional(Formatted('ecgrid-url', 256)),
};

export const NetworkIDInfo = Type.Object(
  {
    networkId: Type.Integer(),
    uniqueId: Type.String(),
    companyName: Type.String(),
    status: Status,
    created: Timestamp,
    modified: Timestamp,
    ...addressOutput,
  }
);
export type NetworkIDInfo = Static<typeof NetworkIDInfo>;

export const MailboxIDInfo = Type.Object(
  {
    mailboxId: Type.Integer(),
    networkId: Type.Integer(),
    uniqueId: Type.String(),
    companyName: Type.String(),
    status: Status,
    created: Timestamp,
    modified: Timestamp,
    ...addressOutput,
  }
);
export type MailboxIDInfo = Static<typeof MailboxIDInfo>;

const paging = {
  status: Type.Optional(Status),
  pageNo: Type.Optional(PageNo),
  recordsPerPage: Type.Optional(RecordsPerPage),
};

export const ListNetworksBody = Type.Object({
  networkId: Type.Optional(IdOrZero('0 = all in scope')),
  mailboxId: Type.Optional(IdOrZero('networks holding this mailbox; 0 = any')),
  ...paging,
});
export type ListNetworksBody = Static<typeof ListNetworksBody>;

export const NetworkList = Type.Object({
  ...PageCounts,
  networks: Type.Array(NetworkIDInfo),
});
export type NetworkList = Static<typeof NetworkList>;

/**
 * Extension (not in ECGrid v2.6): `status` on the update bodies suspends or
 * reactivates a network or mailbox (any status but Terminated, which only the
 * terminate calls set, after their checks). Absent = unchanged.
 */
const statusChange = {
  status: Type.Optional(Type.Enum([...STATUSES], {
    description: 'Extension: Development, Active, Preproduction or Suspended; Terminated is refused here (use the DELETE call)',
  })),
};

export const UpdateNetworkBody = Type.Object({ networkId: Id(), ...addressInput, ...statusChange });
export type UpdateNetworkBody = Static<typeof UpdateNetworkBody>;

export const UNIQUE_ID_PATTERN = '^[A-Za-z0-9]{1,12}$';

/**
 * Create a network: the operator CLI's `network create` and, as an Extension
 * (ECGrid v2.6 has no such call, API.md §6), POST /v2/networks/create.
 * `status` defaults to Active.
 */
export const CreateNetworkBody = Type.Object({
  uniqueId: Type.String({ pattern: UNIQUE_ID_PATTERN, description: '≤ 12 letters and digits, unique' }),
  ...addressInput,
  companyName: Text(128, { minLength: 1 }),
  status: Type.Optional(Status),
});
export type CreateNetworkBody = Static<typeof CreateNetworkBody>;

export const CreateMailboxBody = Type.Object({
  networkId: Id(),
  uniqueId: Type.String({ pattern: UNIQUE_ID_PATTERN, description: '≤ 12 letters and digits, unique in the network' }),
  companyName: Text(128, { minLength: 1 }),
});
export type CreateMailboxBody = Static<typeof CreateMailboxBody>;

export const ListMailboxesBody = Type.Object({ networkId: Type.Optional(IdOrZero('0 = any in scope')), ...paging });
export type ListMailboxesBody = Static<typeof ListMailboxesBody>;

export const MailboxList = Type.Object({
  ...PageCounts,
  mailboxes: Type.Array(MailboxIDInfo),
});
export type MailboxList = Static<typeof MailboxList>;

export const UpdateMailboxBody = Type.Object({ mailboxId: Id(), ...addressInput, ...statusChange });
export type UpdateMailboxBody = Static<typeof UpdateMailboxBody>;
