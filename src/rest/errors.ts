import { isDomainError, type DomainError } from '../domain/errors.js';
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
  }
}

/**
 * The domain error behind `error`, or null for anything unexpected: that one is logged
 * with the request id and its details never reach the client.
 */
export function expectedError(error: unknown, rest: RestRequest): DomainError | null {
  if (isDomainError(error)) return error;
  rest.log.error({ err: error, path: rest.url.pathname }, 'unexpected error in a REST handler');
  return null;
}

export function internalErrorMessage(rest: RestRequest): string {
  return `Internal server error (request id ${rest.requestId})`;
}
