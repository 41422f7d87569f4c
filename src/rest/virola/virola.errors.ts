import { expectedError, internalErrorMessage, retryHeaders, statusOf } from '../errors.js';
import { jsonResponse } from '../http.js';
import type { RestRequest } from '../rest-request.js';
import type { HttpMethod } from '../router.js';

/* Virola's error shape: {errorText, httpStatusCode} with the same HTTP status. */

export const WRONG_BEARER = 'Wrong Bearer, please renew Web API Access Token';
/** No session cookie and no Bearer at all (the documented text above is for a wrong or expired one). */
export const NO_BEARER = 'No Bearer, please log in to get a Web API Access Token';

export function virolaErrorResponse(
  status: number,
  errorText: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { errorText, httpStatusCode: status }, headers);
}

export function virolaError(error: unknown, rest: RestRequest): Response {
  const known = expectedError(error, rest);
  if (!known) return virolaErrorResponse(500, internalErrorMessage(rest));
  const status = statusOf(known);
  if (status === 401) {
    return virolaErrorResponse(
      401,
      known.reason === 'INVALID_CREDENTIALS'
        ? 'Wrong user name or password'
        : known.reason === 'MISSING_CREDENTIALS'
          ? NO_BEARER
          : WRONG_BEARER,
    );
  }
  return virolaErrorResponse(status, known.message, retryHeaders(known));
}

export function virolaMethodNotAllowed(allowed: readonly HttpMethod[], rest: RestRequest): Response {
  return virolaErrorResponse(405, `${rest.request.method} is not allowed here; use ${allowed.join(', ')}`, {
    allow: allowed.join(', '),
  });
}
