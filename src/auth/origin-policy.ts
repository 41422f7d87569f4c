import { ForbiddenError } from '../domain/errors.js';
import { readCredentials } from './credentials.js';

/*
 * When the session cookie may stand for its user. A browser attaches the cookie to
 * requests that other sites' pages make (forms, images, WebSockets), so a request that
 * relies on it must show it was not forged: it comes from a trusted origin (this one,
 * or one listed in CORS_ORIGINS), and, for GraphQL over HTTP, it is one that a browser
 * only sends after a CORS preflight. Credentials sent in headers (Authorization,
 * IM-*, X-Auth-Token) or in a WebSocket's connection_init are out of a foreign page's
 * reach: these rules do not apply to them.
 */

/** Why a cross-site request was refused (extensions.reason / the dialect's message). */
export const CROSS_SITE_REASON = 'CROSS_SITE_REQUEST';

/**
 * Headers no HTML form or <img> can send: a request carrying one was preflighted.
 * graphql-yoga's CSRF plugin default, Apollo Server's two, and the classic XHR marker.
 */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-requested-with',
] as const;

/** The content types a cross-site form or no-cors fetch may send without a preflight. */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/** Whether the request's credentials are the session cookie (no header credentials beside it). */
export function isCookieAuthenticated(request: Request): boolean {
  return readCredentials(request)?.kind === 'session';
}

/** An origin as browsers serialize it ("https://app.example:8443"), or null for anything else ("null", paths). */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** An origin as written in CORS_ORIGINS (scheme, host, optional port; no path), normalized, or null. */
export function parseOriginSetting(entry: string): string | null {
  const origin = normalizeOrigin(entry);
  if (origin === null) return null;
  const url = new URL(entry);
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
  return bare && !entry.endsWith('?') && !entry.endsWith('#') ? origin : null;
}

/**
 * Whether a page of `origin` may use the cookie: it is listed in `allowlist`
 * (CORS_ORIGINS, normalized), or it is this server's own origin. Behind a proxy, "own"
 * means the Origin's host[:port] equals the request's Host header; the scheme is not
 * compared, since TLS usually ends at the proxy. A proxy that rewrites Host needs its
 * public origin in CORS_ORIGINS.
 */
export function isTrustedOrigin(
  origin: string,
  host: string | null | undefined,
  allowlist: readonly string[],
): boolean {
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false; // "null" (sandboxed frames, file:), or not an origin at all
  if (allowlist.includes(normalized)) return true;
  return host !== null && host !== undefined && new URL(normalized).host === host.trim().toLowerCase();
}

/** The Host the request came to: its Host header, else its URL's (the in-process fetch handler). */
export function requestHost(request: Request): string {
  return request.headers.get('host') ?? new URL(request.url).host;
}

/**
 * The origin of the page that sent the request: the Origin header, else the origin of
 * the Referer. Undefined when neither is sent: not a browser (browsers send Origin with
 * every cross-origin POST and WebSocket), so not a forgery.
 */
export function sourceOrigin(request: Request): string | undefined {
  const origin = request.headers.get('origin');
  if (origin !== null) return origin;
  const referer = request.headers.get('referer');
  if (referer === null) return undefined;
  return normalizeOrigin(referer) ?? 'null';
}

/** Whether a browser would have asked (CORS preflight) before sending this request. */
export function isPreflighted(request: Request): boolean {
  if (CSRF_HEADERS.some((name) => request.headers.has(name))) return true;
  const type = request.headers.get('content-type');
  if (type === null) return false;
  const essence = (type.split(';')[0] ?? '').trim().toLowerCase();
  return !SIMPLE_CONTENT_TYPES.has(essence);
}

/**
 * Refuses (ForbiddenError, reason CROSS_SITE_REQUEST) a cookie-authenticated request that
 * comes from a page of an untrusted origin. `requirePreflight` also refuses one a foreign
 * page could have sent without a preflight (GraphQL over HTTP: a form post, a GET link).
 */
export function checkCookieRequest(
  request: Request,
  allowlist: readonly string[],
  options: { requirePreflight: boolean },
): void {
  if (!isCookieAuthenticated(request)) return;
  const origin = sourceOrigin(request);
  if (origin !== undefined && !isTrustedOrigin(origin, requestHost(request), allowlist)) {
    throw new ForbiddenError(
      `The session cookie is not accepted from ${origin}: send the request from an allowed origin (CORS_ORIGINS), or authenticate with a header`,
      { reason: CROSS_SITE_REASON },
    );
  }
  if (options.requirePreflight && !isPreflighted(request)) {
    throw new ForbiddenError(
      `A request authenticated by the session cookie must have a JSON (non-form) content type or one of the headers ${CSRF_HEADERS.join(', ')}, so that no other site can forge it`,
      { reason: CROSS_SITE_REASON },
    );
  }
}
