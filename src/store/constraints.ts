/**
 * The unique constraints of the schema, named once: migrations create them
 * under these names and dialects map a violation back to the name, so that
 * services can tell "login taken" from "mailbox uniqueId taken".
 */
export const UNIQUE_CONSTRAINTS = [
  { name: 'users_login_unique', table: 'users', columns: ['network_id', 'login_key'] },
  { name: 'mailboxes_unique_id_unique', table: 'mailboxes', columns: ['network_id', 'unique_key'] },
  { name: 'networks_unique_id_unique', table: 'networks', columns: ['unique_key'] },
  { name: 'api_keys_hash_unique', table: 'api_keys', columns: ['key_hash'] },
] as const;

export type UniqueConstraintName = (typeof UNIQUE_CONSTRAINTS)[number]['name'];
