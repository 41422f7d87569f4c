import { isTrustedOrigin, requestHost } from '../auth/origin-policy.js';
import { editHeaders } from '../http/response-headers.js';
import type { HttpMethod } from './router.js';

/*
 * CORS for the REST dialects: pages of trusted origins (CORS_ORIGINS, or this server's
 * own) may call them, with credentials (the Virola cookie) or with the dialects' headers.
 * Other origins get no Access-Control-Allow-Origin: their browsers keep the answers
 * from them, and a preflight for a header or a JSON body fails, so nothing is sent.
 */

/** Every dialect's credential headers, and a JSON body's Content-Type. */
const ALLOWED_HEADERS = [
  'IM-API-KEY',
  'IM-CLIENT-KEY',
  'IM-Authorization',
  'IM-CLIENT-ID',
  'Authorization',
  'X-User-Id',
  'X-Auth-Token',
  'X-App-Id',
  'Content-Type',
  'X-Request-Id',
].join(', ');

/** Response headers a page may read besides the safelisted ones. */
const EXPOSED_HEADERS = [
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'WWW-Authenticate',
  'Content-Disposition',
  'X-Request-Id',
].join(', ');

/** How long a browser may reuse a preflight's answer (seconds; Chromium caps it at 7,200). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The request's Origin when it is trusted, else undefined (also for requests without one). */
function trustedOrigin(request: Request, corsOrigins: readonly string[]): string | undefined {
  const origin = request.headers.get('origin');
  return origin !== null && isTrustedOrigin(origin, requestHost(request), corsOrigins) ? origin : undefined;
}

/**
 * The answer to OPTIONS on a route's path: 204 with Allow, and for a trusted origin the
 * CORS preflight's grants (its methods from the route table, the dialects' headers).
 */
export function preflightResponse(
  request: Request,
  methods: readonly HttpMethod[],
  corsOrigins: readonly string[],
): Response {
  const headers = new Headers({ allow: [...methods, 'OPTIONS'].join(', '), vary: 'Origin' });
  const origin = trustedOrigin(request, corsOrigins);
  if (origin !== undefined) {
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-allow-credentials', 'true');
    headers.set('access-control-allow-methods', methods.join(', '));
    headers.set('access-control-allow-headers', ALLOWED_HEADERS);
    headers.set('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
  }
  return new Response(null, { status: 204, headers });
}

/** A dialect's answer with the CORS headers a trusted origin's page needs to read it. */
export function withCorsHeaders(
  response: Response,
  request: Request,
  corsOrigins: readonly string[],
): Response {
  const origin = trustedOrigin(request, corsOrigins);
  const add = (headers: Headers) => {
    if (!/\borigin\b/i.test(headers.get('vary') ?? '')) headers.append('vary', 'Origin');
    if (origin === undefined) return;
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-allow-credentials', 'true');
    headers.set('access-control-expose-headers', EXPOSED_HEADERS);
  };
  return editHeaders(response, add);
}
