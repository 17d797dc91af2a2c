/** Users (API.md §2 UserIDInfo, §3 bodies). */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import {
  AuthLevel, AuthLevelInput, CellCarrier, Formatted, Id, IdOrZero, NullableTimestamp, PageNo, RecordsPerPage,
  Secret, Status, Text, Timestamp,
} from './common.js';
import { AUTH_LEVELS } from '../domain/levels.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '../domain/password-policy.js';

export const LOGIN_PATTERN = '^[A-Za-z0-9._@+-]{1,64}$';
export const NAME_MAX = 128;

const LOGIN_RULE = { pattern: LOGIN_PATTERN, minLength: 1, maxLength: 64, description: '1–64 of letters, digits and . _ - @ +' };
const Email = Formatted('ecgrid-email', 254);
const Name = Text(NAME_MAX);
const Password = Secret({ format: 'ecgrid-password' });

/** The seed's response object; field order as in API.md §2, extension fields after. */
export const UserIDInfo = Type.Object(
  {
    userId: Type.Integer(),
    login: Type.String(),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    networkId: Type.Integer(),
    mailboxId: Type.Integer({ description: '0 = network-level user' }),
    authLevel: AuthLevel,
    status: Status,
    created: Timestamp,
    modified: Timestamp,
    lastLogin: NullableTimestamp,
    lockedOut: Type.Boolean(),
    company: Type.String(),
    phone: Type.String(),
    cellPhone: Type.String(),
    cellCarrier: CellCarrier,
    timeZoneOffset: Type.Union([Type.Number(), Type.Null()]),
    lockedUntil: Type.Union([Timestamp, Type.Null()], {
      description: 'Extension: when the lockout ends while lockedOut is true, else null; shown to whoever may read the user, like lockedOut',
    }),
  }
);
export type UserIDInfo = Static<typeof UserIDInfo>;

/** PUT /v2/users — the seed. Extension: `status` (Active ↔ Suspended only). */
export const UpdateUserBody = Type.Object({
  userId: Id('ID of the user to update'),
  email: Type.Optional(Email),
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  status: Type.Optional(Type.Enum(['Active', 'Suspended'], { description: 'Extension: suspend or reactivate' })),
});
export type UpdateUserBody = Static<typeof UpdateUserBody>;

/** POST /v2/users. Decision: `loginName` is accepted as an alias of `login`. */
export const CreateUserBody = Type.Object({
  login: Type.String({ ...LOGIN_RULE, 'x-alias': 'loginName' }),
  password: Password,
  email: Email,
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  networkId: Type.Optional(IdOrZero('default: the caller\'s network')),
  mailboxId: Type.Optional(IdOrZero('default: the caller\'s mailbox; 0 = network level')),
  authLevel: Type.Optional(AuthLevelInput),
});
export type CreateUserBody = Static<typeof CreateUserBody>;

export const ListUsersBody = Type.Object({
  networkId: Type.Optional(IdOrZero('0 or absent = any in scope')),
  mailboxId: Type.Optional(IdOrZero('0 or absent = any in scope')),
  authLevel: Type.Optional(AuthLevelInput),
  status: Type.Optional(Status),
  name: Type.Optional(
    Type.String({
      minLength: 1, maxLength: 40, pattern: '^[^\\u0000-\\u001f\\u007f]*$',
      description: 'a part of the login or e-mail address, without control characters (Extension; any case, matched literally)',
    }),
  ),
  lockedOut: Type.Optional(Type.Boolean({ description: 'Extension: true = only users locked out now; false = no filter' })),
  pageNo: Type.Optional(PageNo),
  recordsPerPage: Type.Optional(RecordsPerPage),
});
export type ListUsersBody = Static<typeof ListUsersBody>;

export const ByNameBody = Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }) });
export type ByNameBody = Static<typeof ByNameBody>;

export const SetPasswordBody = Type.Object({
  userId: Id(),
  newPassword: Password,
  revokeSessions: Type.Optional(Type.Boolean({ description: "Extension: also revoke the user's sessions (default false: they stay valid)" })),
});
export type SetPasswordBody = Static<typeof SetPasswordBody>;

export const GeneratePasswordBody = Type.Object({
  length: Type.Optional(Type.Integer({ minimum: PASSWORD_MIN, maximum: PASSWORD_MAX, default: 12 })),
});
export type GeneratePasswordBody = Static<typeof GeneratePasswordBody>;

export const SetRoleBody = Type.Object({
  userId: Id(),
  authLevel: Type.Enum([...AUTH_LEVELS], { description: 'the new level (not NoChange)' }),
  networkId: Type.Optional(IdOrZero()),
  mailboxId: Type.Optional(IdOrZero()),
});
export type SetRoleBody = Static<typeof SetRoleBody>;

export const SetNetworkMailboxBody = Type.Object({
  userId: Id(),
  networkId: IdOrZero(),
  mailboxId: Type.Optional(IdOrZero()),
});
export type SetNetworkMailboxBody = Static<typeof SetNetworkMailboxBody>;

export const UpdateConfigBody = Type.Object({
  userId: Id(),
  company: Type.Optional(Text(NAME_MAX)),
  phone: Type.Optional(Text(32)),
  cellPhone: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9+() .-]*$' })),
  cellCarrier: Type.Optional(CellCarrier),
  timeZoneOffset: Type.Optional(Type.Number({ minimum: -12, maximum: 14, multipleOf: 0.25 })),
});
export type UpdateConfigBody = Static<typeof UpdateConfigBody>;

export const SendSmsBody = Type.Object({
  userId: Id(),
  message: Type.String({ minLength: 1, maxLength: 160 }),
});
export type SendSmsBody = Static<typeof SendSmsBody>;

/**
 * One user of an import file (`ecgrid-identity import`; export writes the same
 * fields but `password`): POST /v2/users's body — the same schema, so the same
 * rules and messages — with `password` optional (absent: no usable password),
 * the fields of update-config, and the status to import the user in.
 */
export const ImportUserRow = Type.Object({
  ...CreateUserBody.properties,
  password: Type.Optional(CreateUserBody.properties.password),
  company: UpdateConfigBody.properties.company,
  phone: UpdateConfigBody.properties.phone,
  cellPhone: UpdateConfigBody.properties.cellPhone,
  cellCarrier: UpdateConfigBody.properties.cellCarrier,
  timeZoneOffset: UpdateConfigBody.properties.timeZoneOffset,
  status: Type.Optional(Type.Enum(['Active', 'Suspended', 'Terminated'], { description: 'default Active' })),
});
export type ImportUserRow = Static<typeof ImportUserRow>;

/** The columns of an import or export file, in this order (`password` only ever read). */
export const USER_FILE_FIELDS = [
  'login', 'email', 'firstName', 'lastName', 'company', 'phone', 'cellPhone', 'cellCarrier', 'timeZoneOffset',
  'networkId', 'mailboxId', 'authLevel', 'status', 'password',
] as const satisfies ReadonlyArray<keyof ImportUserRow>;
export type UserFileField = (typeof USER_FILE_FIELDS)[number];
