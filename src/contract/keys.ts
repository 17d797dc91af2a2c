/** API keys (API.md §5). */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { Id, KeyVisibility, NullableTimestamp, Timestamp } from './common.js';

export const KeyInfo = Type.Object({
  keyId: Type.Integer(),
  userId: Type.Integer(),
  key: Type.String({ description: 'full key at creation and for the primary key; otherwise first 4 + … + last 4' }),
  visibility: KeyVisibility,
  created: Timestamp,
  isPrimary: Type.Boolean({ description: 'Extension: the user\'s primary key (the one GET /v2/users/key/{id} returns)' }),
  /** Extension: when a Session key stops working; null for the others. */
  expiresAt: NullableTimestamp,
});
export type KeyInfo = Static<typeof KeyInfo>;

export const CreateKeyBody = Type.Object({ userId: Id(), visibility: KeyVisibility });
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const GetKeyBody = Type.Object({ userId: Id() });
export type GetKeyBody = Static<typeof GetKeyBody>;

export const ListKeysBody = Type.Object({ userId: Id(), visibility: Type.Optional(KeyVisibility) });
export type ListKeysBody = Static<typeof ListKeysBody>;

export const DeleteKeyBody = Type.Object({ keyId: Id() });
export type DeleteKeyBody = Static<typeof DeleteKeyBody>;
