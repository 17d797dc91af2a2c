/**
 * What networks and mailboxes share: the editable company and address fields
 * of PUT /v2/networks and POST /v2/mailboxes/update, and the rule that a
 * Terminated one is permanent.
 */
import { ApiError } from '../contract/errors.js';
import type { Network } from '../domain/types.js';
import type { Status } from '../domain/statuses.js';
import type { TenantPatch } from '../store/queries/tenancy.js';
import { diff } from './audit-trail.js';

export const EDITABLE_TENANT_FIELDS = [
  'companyName', 'address1', 'address2', 'city', 'state', 'zip', 'phone', 'website',
] as const;

type TenantInput = Partial<Record<(typeof EDITABLE_TENANT_FIELDS)[number], string>>;

/**
 * The fields of `input` that differ from `before` (absent = unchanged, `""`
 * clears). Decision: `state` is stored in capitals (`il` → `IL`).
 */
export function tenantPatch(before: Network, input: TenantInput): TenantPatch {
  const patch: TenantPatch = {};
  for (const field of EDITABLE_TENANT_FIELDS) {
    let value = input[field];
    if (value === undefined) continue;
    if (field === 'state') value = value.toUpperCase();
    if (value !== before[field]) patch[field] = value;
  }
  return patch;
}

/**
 * Extension `status` of the update bodies: the patch gains it when it differs.
 * Terminated is refused (400 naming `status`): only the terminate calls set it,
 * after checking that nothing live is left inside.
 */
export function withStatusChange(before: Network, patch: TenantPatch, status: Status | undefined, terminateCall: string): TenantPatch {
  if (status === undefined || status === before.status) return patch;
  if (status === 'Terminated') throw ApiError.invalid('status', `cannot be set to Terminated here; use ${terminateCall}`);
  return { ...patch, status };
}

/** The fields an update's audit event compares: the editable ones and the status (Extension). */
export const AUDITED_TENANT_FIELDS = [...EDITABLE_TENANT_FIELDS, 'status'] as const;

/** A Terminated network or mailbox cannot be changed any more (400 naming the id field). */
export function refuseTerminatedTenant(tenant: Network, kind: 'network' | 'mailbox', id: number, field: string): void {
  if (tenant.status === 'Terminated') throw ApiError.invalid(field, `${kind} ${id} is Terminated and cannot be changed`);
}

/** The audit changes of a new network or mailbox: its uniqueId, status and every field that is not empty. */
export function creationChanges<T extends Network>(created: T, extra: ReadonlyArray<keyof T> = []) {
  const fields = [...extra, 'uniqueId', 'status', ...EDITABLE_TENANT_FIELDS] as Array<keyof T>;
  return diff(null, created, fields.filter((field) => created[field] !== ''));
}
