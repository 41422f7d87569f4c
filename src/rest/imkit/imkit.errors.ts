import { expectedError, internalErrorMessage, retryHeaders, statusOf } from '../errors.js';
import { jsonResponse } from '../http.js';
import type { RestRequest } from '../rest-request.js';
import type { HttpMethod } from '../router.js';

/*
 * IMKit's error envelope: {RC: <HTTP status>, RM: <status text>, error: {code, message}},
 * with the codes and messages its documents show (INVALID_TOKEN, NOT_ROOM_MEMBER,
 * ROOM_NOT_FOUND) and the domain's reason codes otherwise.
 */

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** RM for a 404, by reason: the documents say "Room not found". */
const NOT_FOUND_TEXT: Record<string, string> = {
  ROOM_NOT_FOUND: 'Room not found',
  MESSAGE_NOT_FOUND: 'Message not found',
  USER_NOT_FOUND: 'User not found',
};

/** The documents' wording for the reasons they show. */
const DOCUMENTED_MESSAGE: Record<string, string> = {
  ROOM_NOT_FOUND: 'The specified room does not exist',
  NOT_ROOM_MEMBER: 'Client is not in the room or room does not exist',
};

const DEFAULT_CODE: Record<number, string> = {
  400: 'INVALID_PARAMETER',
  401: 'INVALID_TOKEN',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function imkitErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const RM = status === 404 ? (NOT_FOUND_TEXT[code] ?? 'Not found') : (STATUS_TEXT[status] ?? 'Error');
  return jsonResponse(status, { RC: status, RM, error: { code, message } }, headers);
}

export function imkitError(error: unknown, rest: RestRequest): Response {
  const known = expectedError(error, rest);
  if (!known) return imkitErrorResponse(500, 'INTERNAL_ERROR', internalErrorMessage(rest));
  const status = statusOf(known);
  const code =
    status === 503 || status === 429 ? known.code : (known.reason ?? DEFAULT_CODE[status] ?? known.code);
  return imkitErrorResponse(status, code, DOCUMENTED_MESSAGE[code] ?? known.message, retryHeaders(known));
}

export function imkitMethodNotAllowed(allowed: readonly HttpMethod[], rest: RestRequest): Response {
  return imkitErrorResponse(
    405,
    'METHOD_NOT_ALLOWED',
    `${rest.request.method} is not allowed on ${rest.url.pathname}; use ${allowed.join(', ')}`,
    { allow: allowed.join(', ') },
  );
}
