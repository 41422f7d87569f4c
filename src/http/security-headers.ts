import { editHeaders } from './response-headers.js';
/*
 * Headers that keep a browser from treating an answer as something it is not, set once
 * on every answer the app's fetch handler gives (app.ts), whatever route made it:
 *
 * - X-Content-Type-Options: nosniff: the declared type is final (an image is never
 *   sniffed into a document or a script).
 * - Content-Security-Policy: an API answer or an image loads and runs nothing, and may
 *   not be framed; an image opened as a page is also sandboxed (no script, unique
 *   origin). The GraphiQL page is the one document: it runs its inline bundle, whose
 *   editor starts workers from blob: URLs and uses inline styles and data: fonts, and
 *   talks to this origin only.
 * - Cross-Origin-Resource-Policy: same-site: another site's page cannot embed our
 *   answers (<img>, <script>) to read them; CORS requests are not affected by it.
 *
 * A route that sets its own policy keeps it. Headers are added in place, so a stream's
 * body (SSE) is never re-wrapped.
 */

export const API_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
} as const;

const IMAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

const GRAPHIQL_POLICY = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data: blob:",
  'font-src data:',
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds the security headers to an answer (copying it only when its headers are immutable). */
export function withSecurityHeaders(response: Response, url: URL | undefined, graphqlPath: string): Response {
  const type = response.headers.get('content-type') ?? '';
  const policy =
    url?.pathname === graphqlPath && /^text\/html/i.test(type)
      ? GRAPHIQL_POLICY
      : /^image\//i.test(type)
        ? IMAGE_POLICY
        : API_SECURITY_HEADERS['content-security-policy'];
  const add = (headers: Headers) => {
    headers.set('x-content-type-options', API_SECURITY_HEADERS['x-content-type-options']);
    if (!headers.has('content-security-policy')) headers.set('content-security-policy', policy);
    if (!headers.has('cross-origin-resource-policy'))
      headers.set('cross-origin-resource-policy', API_SECURITY_HEADERS['cross-origin-resource-policy']);
  };
  return editHeaders(response, add);
}
