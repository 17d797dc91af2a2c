/** Auth (API.md §4). */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { AuthLevel, NullableTimestamp, Secret, Timestamp } from './common.js';

export const VersionInfo = Type.Object({ version: Type.String() });

export const LoginBody = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 254, 'x-alias': 'email' }),
  password: Secret({ minLength: 1 }),
});
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({
  token: Secret({ minLength: 1, maxLength: 4096, 'x-alias': 'refreshToken' }),
});
export type RefreshBody = Static<typeof RefreshBody>;

export const ChangePasswordBody = Type.Object({
  currentPassword: Secret({ minLength: 1 }),
  newPassword: Secret({ format: 'ecgrid-password' }),
});
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

/** Decision: `refreshToken` is also returned (one page of the reference shows it). */
export const TokenInfo = Type.Object({
  token: Type.String(),
  expiresAt: Timestamp,
  userId: Type.Integer(),
  refreshToken: Type.String(),
});
export type TokenInfo = Static<typeof TokenInfo>;

export const SessionInfo = Type.Object({
  userId: Type.Integer(),
  login: Type.String(),
  networkId: Type.Integer(),
  mailboxId: Type.Integer(),
  authLevel: AuthLevel,
  expiresAt: NullableTimestamp,
  /** Extension: how many sessions (Bearer logins) of this user are open, this one included. */
  openSessions: Type.Integer({ minimum: 0 }),
});
export type SessionInfo = Static<typeof SessionInfo>;
