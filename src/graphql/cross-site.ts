import type { CORSOptions, Plugin } from 'graphql-yoga';
import { checkCookieRequest, isTrustedOrigin, requestHost } from '../auth/origin-policy.js';
import { asExpectedError } from '../domain/errors.js';
import { toGraphQLError } from './errors.js';

/*
 * GraphQL over HTTP and the session cookie (rules in src/auth/origin-policy.ts). Our own
 * check rather than @graphql-yoga/plugin-csrf-prevention: that plugin refuses every
 * request without its header, which would break clients that authenticate by header
 * (not forgeable), and a JSON POST, which needs a preflight anyway (Apollo's rule),
 * is as safe as one with the header. It is one function, without a new dependency.
 */

/**
 * Refuses, with 403 and a FORBIDDEN error (reason CROSS_SITE_REQUEST), a cookie-
 * authenticated operation that is not preflighted (a form post, a GET link) or comes
 * from an untrusted origin. Yoga answers the GraphiQL page (GET, Accept: text/html)
 * before this runs; any other GET without a query runs nothing either.
 */
export function useCrossSiteGuard(corsOrigins: readonly string[]): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method === 'OPTIONS') return;
      if (request.method === 'GET' && !url.searchParams.has('query')) return;
      try {
        checkCookieRequest(request, corsOrigins, { requirePreflight: true });
      } catch (error) {
        const refused = asExpectedError(error);
        if (!refused) throw error;
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [toGraphQLError(refused).toJSON()] }), {
            status: 403,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          }),
        );
      }
    },
  };
}

/**
 * Yoga's CORS per request: pages of trusted origins (CORS_ORIGINS, or this server's own)
 * may send the cookie (Access-Control-Allow-Credentials); any other origin keeps yoga's
 * default (the origin echoed, no credentials), enough for clients that send a token.
 */
export function graphqlCors(corsOrigins: readonly string[]): (request: Request) => CORSOptions {
  return (request) => {
    const origin = request.headers.get('origin');
    const trusted = origin !== null && isTrustedOrigin(origin, requestHost(request), corsOrigins);
    return { credentials: trusted };
  };
}
