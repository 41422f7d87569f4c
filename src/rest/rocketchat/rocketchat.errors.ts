import { expectedError, internalErrorMessage, statusOf } from '../errors.js';
import { jsonResponse } from '../http.js';
import type { RestRequest } from '../rest-request.js';
import type { HttpMethod } from '../router.js';

/*
 * Rocket.Chat's error shapes: a missing or wrong login is 401
 * {status:"error", message:"You must be logged in to do this."}; everything else is
 * {success:false, error, errorType?} with the HTTP status, as its API answers failures
 * ("<reason> [<error-type>]" for a bad parameter).
 */

export const NOT_LOGGED_IN = 'You must be logged in to do this.';

export function rcNotLoggedIn(): Response {
  return jsonResponse(401, { status: 'error', message: NOT_LOGGED_IN });
}

export function rcFailure(
  status: number,
  error: string,
  errorType?: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(
    status,
    { success: false, error, ...(errorType !== undefined && { errorType }) },
    headers,
  );
}

/** Handlers' errors: 401 in the status shape, the rest as failures. */
export function rcError(error: unknown, rest: RestRequest): Response {
  const known = expectedError(error, rest);
  if (!known) return rcFailure(500, internalErrorMessage(rest));
  const status = statusOf(known);
  if (status === 401) return rcNotLoggedIn();
  if (status === 400) {
    const errorType = `error-${known.field ?? 'param'}-param-invalid`;
    return rcFailure(400, `${known.message} [${errorType}]`, errorType);
  }
  return rcFailure(status, known.message);
}

/** The login/logout calls answer in the status shape throughout, as Rocket.Chat's do. */
export function rcAuthError(error: unknown, rest: RestRequest): Response {
  const known = expectedError(error, rest);
  if (!known) return jsonResponse(500, { status: 'error', message: internalErrorMessage(rest) });
  const status = statusOf(known);
  if (status === 401 && known.reason === 'INVALID_CREDENTIALS') {
    return jsonResponse(401, { status: 'error', error: 'Unauthorized', message: 'Unauthorized' });
  }
  if (status === 401) return rcNotLoggedIn();
  return jsonResponse(status, { status: 'error', message: known.message });
}

export function rcMethodNotAllowed(allowed: readonly HttpMethod[], rest: RestRequest): Response {
  return rcFailure(405, `${rest.request.method} is not allowed here; use ${allowed.join(', ')}`, undefined, {
    allow: allowed.join(', '),
  });
}
