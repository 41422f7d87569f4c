import { RateLimitedError } from '../../domain/errors.js';
import { expectedError, internalErrorMessage, retryHeaders, statusOf } from '../errors.js';
import { jsonResponse } from '../http.js';
import type { RestRequest } from '../rest-request.js';
import type { HttpMethod } from '../router.js';

/*
 * Rocket.Chat's error shapes: a missing or wrong login is 401
 * {status:"error", message:"You must be logged in to do this."}, with `error` saying which
 * (MISSING_CREDENTIALS: log in; INVALID_TOKEN: the token is wrong, expired or revoked,
 * our addition: Rocket.Chat answers both alike); everything else is
 * {success:false, error, errorType?} with the HTTP status, as its API answers failures
 * ("<reason> [<error-type>]" for a bad parameter).
 */

export const NOT_LOGGED_IN = 'You must be logged in to do this.';

export function rcNotLoggedIn(reason: string | undefined): Response {
  const error = reason === 'MISSING_CREDENTIALS' ? reason : 'INVALID_TOKEN';
  return jsonResponse(401, { status: 'error', message: NOT_LOGGED_IN, error });
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

/**
 * An answer a handler has already put in Rocket.Chat's words: {success:false, error,
 * errorType?} with its status (the failures Rocket.Chat itself gives for that call).
 */
export class RcApiError extends Error {
  override name = 'RcApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorType?: string,
  ) {
    super(error);
  }
}

/** A body that does not fit the call, worded as Rocket.Chat's parameter validation words it. */
export function rcInvalidParams(problems: string[]): RcApiError {
  return new RcApiError(400, `${problems.join('\n ')} [invalid-params]`, 'invalid-params');
}

/**
 * Rocket.Chat answers a refused write with 400 and a Meteor error ("<reason> [<type>]"),
 * not 403/404: these are its words for the domain's reasons.
 */
const REFUSALS: Record<string, { error: string; errorType?: string }> = {
  NOT_ROOM_MEMBER: { error: 'Not allowed [error-not-allowed]', errorType: 'error-not-allowed' },
  ROOM_NOT_FOUND: { error: 'Invalid room [error-invalid-room]', errorType: 'error-invalid-room' },
  ROOM_READ_ONLY: { error: "You can't send messages because the room is readonly." },
  ROOM_ARCHIVED: { error: 'Room is archived [error-room-archived]', errorType: 'error-room-archived' },
};

/** Rocket.Chat's own words when its rate limiter refuses a call. */
function tooManyRequests(retryAfterSeconds: number): string {
  return `Error, too many requests. Please slow down. You must wait ${retryAfterSeconds} seconds before trying this endpoint again. [error-too-many-requests]`;
}

/** Handlers' errors: 401 in the status shape, the rest as failures. */
export function rcError(error: unknown, rest: RestRequest): Response {
  if (error instanceof RcApiError) return rcFailure(error.status, error.error, error.errorType);
  const known = expectedError(error, rest);
  if (!known) return rcFailure(500, internalErrorMessage(rest));
  const status = statusOf(known);
  if (status === 503) return rcFailure(503, known.message, 'error-service-unavailable', retryHeaders(known));
  if (known instanceof RateLimitedError)
    return rcFailure(
      429,
      tooManyRequests(known.retryAfterSeconds),
      'error-too-many-requests',
      retryHeaders(known),
    );
  if (status === 401) return rcNotLoggedIn(known.reason);
  if (status === 400) {
    const errorType = `error-${known.field ?? 'param'}-param-invalid`;
    return rcFailure(400, `${known.message} [${errorType}]`, errorType);
  }
  if (status === 403 || status === 404) {
    const type = status === 403 ? 'error-not-allowed' : 'error-not-found';
    const refusal = (known.reason !== undefined && Object.hasOwn(REFUSALS, known.reason)
      ? REFUSALS[known.reason]
      : undefined) ?? { error: `${known.message} [${type}]`, errorType: type };
    return rcFailure(400, refusal.error, refusal.errorType);
  }
  return rcFailure(status, known.message);
}

/** The login/logout calls answer in the status shape throughout, as Rocket.Chat's do. */
export function rcAuthError(error: unknown, rest: RestRequest): Response {
  const known = expectedError(error, rest);
  if (!known) return jsonResponse(500, { status: 'error', message: internalErrorMessage(rest) });
  const status = statusOf(known);
  if (status === 503)
    return jsonResponse(503, { status: 'error', message: known.message }, retryHeaders(known));
  if (known instanceof RateLimitedError) {
    const body = {
      status: 'error',
      error: 'error-too-many-requests',
      message: tooManyRequests(known.retryAfterSeconds),
    };
    return jsonResponse(429, body, retryHeaders(known));
  }
  if (status === 401 && known.reason === 'INVALID_CREDENTIALS') {
    return jsonResponse(401, { status: 'error', error: 'Unauthorized', message: 'Unauthorized' });
  }
  if (status === 401) return rcNotLoggedIn(known.reason);
  return jsonResponse(status, { status: 'error', message: known.message });
}

export function rcMethodNotAllowed(allowed: readonly HttpMethod[], rest: RestRequest): Response {
  return rcFailure(405, `${rest.request.method} is not allowed here; use ${allowed.join(', ')}`, undefined, {
    allow: allowed.join(', '),
  });
}
