import {
  asExpectedError,
  RateLimitedError,
  RETRY_AFTER_SECONDS,
  type DomainError,
} from '../domain/errors.js';
import { rateLimitHeaders } from '../limits/rate-limit-headers.js';
import type { RestRequest } from './rest-request.js';

/** HTTP status of a domain error, the same in every dialect. */
export function statusOf(error: DomainError): number {
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'BAD_USER_INPUT':
      return 400;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'SERVICE_UNAVAILABLE':
      return 503;
  }
}

/** Headers a 503 or 429 carries: when to try again (and, for a 429, which limit was hit). */
export function retryHeaders(error: DomainError): Record<string, string> {
  if (error instanceof RateLimitedError) return rateLimitHeaders(error.limit);
  return error.code === 'SERVICE_UNAVAILABLE' ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
}

/**
 * The domain error behind `error`, or null for anything unexpected: that one is logged
 * with the request id and its details never reach the client.
 */
export function expectedError(error: unknown, rest: RestRequest): DomainError | null {
  const expected = asExpectedError(error);
  if (expected) {
    if (expected.code === 'SERVICE_UNAVAILABLE')
      rest.log.warn({ err: error, path: rest.url.pathname }, 'answered 503: the database is unavailable');
    return expected;
  }
  rest.log.error({ err: error, path: rest.url.pathname }, 'unexpected error in a REST handler');
  return null;
}

export function internalErrorMessage(rest: RestRequest): string {
  return `Internal server error (request id ${rest.requestId})`;
}
