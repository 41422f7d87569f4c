import { isDatabaseUnavailable } from '../db/errors.js';
import { DeadlineExceededError } from '../db/request-deadline.js';

/*
 * The errors a service may throw on purpose. Each has a stable code; every transport
 * maps them to its own envelope (GraphQL extensions.code, IMKit RC/error, Rocket.Chat
 * success:false, Virola errorText). Anything else is a bug: masked and logged.
 */

export type DomainErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

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

/** How long a client should wait before retrying a SERVICE_UNAVAILABLE (HTTP Retry-After). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Not the client's fault and not a bug: the database is down, restarting, out of
 * connections, or the request's deadline passed. Every transport answers 503 with
 * Retry-After (GraphQL: SERVICE_UNAVAILABLE), so clients and load balancers retry.
 */
export class ServiceUnavailableError extends DomainError {
  override name = 'ServiceUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;
}

/** What a client needs to know about the limit it hit (HTTP RateLimit / RateLimit-Policy headers). */
export interface RateLimitInfo {
  /** The limit's name, e.g. "login-account" or "send-message". */
  policy: string;
  /** Requests (or failures) allowed per window. */
  limit: number;
  /** The window, in seconds. */
  windowSeconds: number;
  /** Whole seconds until a retry can succeed (at least 1). */
  retryAfterSeconds: number;
}

/**
 * The caller went over a limit (too many failed logins, writes, open subscriptions):
 * HTTP 429 with Retry-After and RateLimit headers, GraphQL RATE_LIMITED with
 * extensions.retryAfter. Refused before any work is done, so nothing changed.
 */
export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  readonly limit: RateLimitInfo;
  readonly retryAfterSeconds: number;

  constructor(message: string, limit: RateLimitInfo, options: { reason?: string } = {}) {
    super(message, options);
    this.limit = limit;
    this.retryAfterSeconds = limit.retryAfterSeconds;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** A request's deadline passed: SERVICE_UNAVAILABLE with reason DEADLINE_EXCEEDED. */
export function deadlinePassed(error: DeadlineExceededError): ServiceUnavailableError {
  return new ServiceUnavailableError(error.message, { reason: 'DEADLINE_EXCEEDED' });
}

/**
 * The DomainError a transport should answer with: the error itself, a
 * ServiceUnavailableError for a fault outside the process (database, deadline), or
 * null for anything else (a bug: masked and logged by the transport).
 */
export function asExpectedError(error: unknown): DomainError | null {
  if (isDomainError(error)) return error;
  if (error instanceof DeadlineExceededError) return deadlinePassed(error);
  if (isDatabaseUnavailable(error))
    return new ServiceUnavailableError('The database is unavailable; try again shortly', {
      reason: 'DATABASE_UNAVAILABLE',
    });
  return null;
}
