/*
 * The errors a service may throw on purpose. Each has a stable code; every transport
 * maps them to its own envelope (GraphQL extensions.code, IMKit RC/error, Rocket.Chat
 * success:false, Virola errorText). Anything else is a bug: masked and logged.
 */

export type DomainErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** A finer reason a dialect may need (e.g. NOT_ROOM_MEMBER, ROOM_NOT_FOUND). */
  readonly reason: string | undefined;
  /** For input errors: which argument was wrong. */
  readonly field: string | undefined;

  constructor(message: string, options: { reason?: string; field?: string } = {}) {
    super(message);
    this.reason = options.reason;
    this.field = options.field;
  }
}

export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
}

export class InvalidInputError extends DomainError {
  override name = 'InvalidInputError';
  readonly code = 'BAD_USER_INPUT';
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
  readonly code = 'CONFLICT';
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
