/** Building blocks shared by every schema: ids, enums, strings, the envelope. */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { AUTH_LEVELS } from '../domain/levels.js';
import { STATUSES } from '../domain/statuses.js';
import { CELL_CARRIERS } from '../domain/cell-carriers.js';
import type { FormatName } from './formats.js';

export const MAX_ID = 2_147_483_647;

/** A positive 32-bit id. */
export const Id = (description?: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, ...(description ? { description } : {}) });
/** A network or mailbox id where 0 means "none / network level / any". */
export const IdOrZero = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: MAX_ID, ...(description ? { description } : {}) });

export const AuthLevel = Type.Enum([...AUTH_LEVELS], { description: 'AuthLevel, highest first' });
/** Input form: also `NoChange` ("leave as is" / "any"). */
export const AuthLevelInput = Type.Enum([...AUTH_LEVELS, 'NoChange']);
export const Status = Type.Enum([...STATUSES]);
export const KeyVisibility = Type.Enum(['Private', 'Shared', 'Public', 'Session']);
export const CellCarrier = Type.Enum([...CELL_CARRIERS]);

export const Timestamp = Type.String({ description: 'UTC ISO-8601, e.g. 2024-03-15T10:22:00Z' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const Text = (maxLength: number, extra: Record<string, unknown> = {}) => Type.String({ maxLength, ...extra });
export const Formatted = (format: FormatName, maxLength: number) => Type.String({ format, maxLength });
/** Secrets are never trimmed (a space may be part of a password) and never logged. */
export const Secret = (extra: Record<string, unknown> = {}) => Type.String({ writeOnly: true, maxLength: 1024, ...extra });

export const PageNo = Type.Integer({ minimum: 1, maximum: MAX_ID, default: 1 });
export const RecordsPerPage = Type.Integer({ minimum: 1, maximum: 500, default: 25 });

/** A list answer's total and the page it shows; its items go under their own name. */
export const PageCounts = {
  totalRecords: Type.Integer(),
  pageNo: Type.Integer(),
  recordsPerPage: Type.Integer(),
};

/** The envelope of API.md §1 around a success payload. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({
    success: Type.Boolean(),
    data,
    errorCode: Type.String(),
    message: Type.String(),
  });
}

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Boolean({ const: false }),
    data: Type.Null(),
    errorCode: Type.String({ description: 'InvalidParameter, DuplicateObject, InvalidAPIKey, InvalidSession, AccessDenied, ObjectNotFound, RateLimitExceeded or InternalError' }),
    message: Type.String(),
  }
);

/** `{ "id": … }` path parameters. */
export const IdParams = Type.Object({ id: Id() });
