/**
 * How a tool says no (MCP.md §5.1): a tool result with `isError: true` whose
 * text is `{code, message, userMessage, suggestedAction}`. Services' ApiErrors
 * map by status to the codes of the table; anything else is INTERNAL_ERROR
 * with a fixed text and the request id (details go to the log).
 */
import { ApiError } from '../contract/errors.js';

export type ToolErrorCode = 'VALIDATION_ERROR' | 'NOT_FOUND' | 'FORBIDDEN' | 'INTERNAL_ERROR';

export class ToolFailure extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly userMessage: string,
    readonly suggestedAction: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }

  toJSON() {
    return { code: this.code, message: this.message, userMessage: this.userMessage, suggestedAction: this.suggestedAction };
  }
}

export type ObjectKind = 'user' | 'network' | 'mailbox';

/** Missing and out of scope alike: the same words for both (PERMISSIONS.md). */
export function notFound(field: string, kind: ObjectKind, id: number): ToolFailure {
  return new ToolFailure(
    'NOT_FOUND',
    `${field}: ${kind} ${id} not found`,
    `No ${kind} with id ${id} was found among the ${kind}s you can see.`,
    `Check the ${field}; to find ids, list what you can see with ${kind === 'user' ? 'connectivity_user_list-users' : 'connectivity_mailbox_list-mailboxes'}.`,
  );
}

/** get-user-by-login found nobody (in scope): the login is not repeated (MCP.md §5.1: never a string the caller sent). */
export function loginNotFound(): ToolFailure {
  return new ToolFailure(
    'NOT_FOUND',
    'loginName: no user with this login name',
    'No user with that login name was found among the users you can see.',
    'Check the spelling, or search with connectivity_user_list-users and a part of the name.',
  );
}

export function validationFailure(message: string, suggestedAction?: string): ToolFailure {
  return new ToolFailure(
    'VALIDATION_ERROR',
    message,
    'The request had a missing or invalid parameter.',
    suggestedAction ?? 'Correct the parameter named in the message (see the tool\'s inputSchema) and call the tool again.',
  );
}

/**
 * The failure for anything a tool threw. An ApiError 404 carries no field
 * name, so tools that can reach one turn it into `notFound` themselves; here
 * it still maps to NOT_FOUND, with the REST text.
 */
export function toolFailureOf(error: unknown, requestId: string): ToolFailure {
  if (error instanceof ToolFailure) return error;
  if (error instanceof ApiError) {
    switch (error.status) {
      case 400:
        return validationFailure(error.message);
      case 404:
        return new ToolFailure('NOT_FOUND', error.message, 'The object was not found among those you can see.', 'Check the id and try again.');
      case 403:
        return new ToolFailure(
          'FORBIDDEN',
          'your AuthLevel does not allow this action',
          'Your account is not allowed to do this.',
          'Ask an administrator of your network to do it, or to raise your AuthLevel.',
        );
    }
  }
  return new ToolFailure(
    'INTERNAL_ERROR',
    `Internal error (request ${requestId})`,
    'The server could not complete the request.',
    `Try again shortly; if it persists, give the server's operator the request id ${requestId}.`,
  );
}
