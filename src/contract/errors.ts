/**
 * Error codes and statuses of API.md §1 "Errors". Services throw ApiError;
 * only http/errors.ts turns one into an envelope.
 */
export const ERROR_CODES = [
  'InvalidParameter',
  'DuplicateObject',
  'InvalidAPIKey',
  'InvalidSession',
  'AccessDenied',
  'ObjectNotFound',
  'RateLimitExceeded',
  'InternalError',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 400 InvalidParameter; the message always starts with the field it names. */
  static invalid(field: string, problem: string): ApiError {
    return new ApiError(400, 'InvalidParameter', `${field}: ${problem}`);
  }

  static duplicate(field: string, problem: string): ApiError {
    return new ApiError(400, 'DuplicateObject', `${field}: ${problem}`);
  }

  /** 404 for missing *and* out-of-scope objects: the same words for both. */
  static notFound(objectType: 'User' | 'Network' | 'Mailbox' | 'Key' | 'API key', id: number | string): ApiError {
    return new ApiError(404, 'ObjectNotFound', `${objectType} ${id} not found.`);
  }

  static forbidden(): ApiError {
    return new ApiError(403, 'AccessDenied', 'Your AuthLevel does not allow this action.');
  }

  static invalidApiKey(): ApiError {
    return new ApiError(401, 'InvalidAPIKey', 'X-API-Key is missing, unknown, revoked, or its user is not active.');
  }

  static invalidSession(message = 'Session is missing, expired or revoked.'): ApiError {
    return new ApiError(401, 'InvalidSession', message);
  }
}
