import type { RouteHandler } from '../http/routes.js';
import { checkCookieRequest } from '../auth/origin-policy.js';
import { withinDeadline } from '../db/request-deadline.js';
import { defaultAuthThrottles } from '../limits/auth-throttles.js';
import { preflightResponse, withCorsHeaders } from './cors.js';
import type { Dialect, DialectRoute, RestDeps } from './dialect.js';
import { jsonResponse } from './http.js';
import { imkitDialect } from './imkit/imkit.routes.js';
import { buildOpenApiDocument } from './openapi.js';
import { queryParamNames } from './query-params.js';
import { checkRequestParams, createRestRequest, type RestRequest } from './rest-request.js';
import { rocketchatDialect } from './rocketchat/rocketchat.routes.js';
import { createRouteTable, stripPrefix, type HttpMethod, type RouteTable } from './router.js';
import { virolaDialect } from './virola/virola.routes.js';

/*
 * The REST compatibility surface: the three dialects, each mounted under its configured
 * prefix ('' = the documented paths), plus GET /openapi.json. When two dialects serve
 * the same path (Rocket.Chat and Virola: POST /api/v1/login, /api/v1/logout), the first
 * whose route claims the request wins, else the first mounted (Rocket.Chat, then Virola).
 * OPTIONS on a route's path answers CORS preflights (src/rest/cors.ts); a write with the
 * session cookie from another site's page is refused (src/auth/origin-policy.ts).
 */

export const DIALECTS: readonly Dialect[] = [imkitDialect, rocketchatDialect, virolaDialect];

interface Mount {
  dialect: Dialect;
  prefix: string;
  table: RouteTable<DialectRoute>;
}

interface Candidate {
  mount: Mount;
  route: DialectRoute;
  params: Record<string, string>;
}

export function createRestRoutes(given: RestDeps, dialects: readonly Dialect[] = DIALECTS): RouteHandler {
  const deps: RestDeps = { ...given, authThrottles: given.authThrottles ?? defaultAuthThrottles() };
  const mounts: Mount[] = dialects.map((dialect) => ({
    dialect,
    prefix: dialect.prefix(deps.config),
    table: createRouteTable(dialect.routes),
  }));
  let openApiJson: string | undefined;
  const corsOrigins = deps.config.CORS_ORIGINS;

  const answer: RouteHandler = async (request, url, { requestId, log }) => {
    if (url.pathname === '/openapi.json') {
      if (request.method !== 'GET')
        return jsonResponse(405, { error: 'Method not allowed' }, { allow: 'GET' });
      openApiJson ??= JSON.stringify(buildOpenApiDocument(deps.config, dialects));
      return new Response(openApiJson, { headers: { 'content-type': 'application/json; charset=utf-8' } });
    }

    const candidates: Candidate[] = [];
    let notAllowed: { mount: Mount; allowed: HttpMethod[] } | undefined;
    for (const mount of mounts) {
      const path = stripPrefix(url.pathname, mount.prefix);
      if (path === null) continue;
      const match = mount.table.match(request.method, path);
      if (match.kind === 'found') {
        candidates.push({ mount, route: match.route, params: match.params });
      } else if (match.kind === 'method-not-allowed') {
        notAllowed ??= { mount, allowed: match.allowed };
      }
    }

    const base = createRestRequest({ request, url, params: {}, requestId, log });
    if (candidates.length === 0) {
      return notAllowed ? notAllowed.mount.dialect.methodNotAllowed(notAllowed.allowed, base) : undefined;
    }
    const chosen = await choose(candidates, base);
    const rest: RestRequest = { ...base, params: chosen.params };
    try {
      await deps.anonymousLimit?.consume(request);
      checkRequestParams(rest, queryParamNames(chosen.route.doc.query));
      if (!SAFE_METHODS.has(request.method))
        checkCookieRequest(request, corsOrigins, { requirePreflight: false });
      // Past the request's deadline the dialect answers 503 in its own shape (the pool cancels the statement).
      return await withinDeadline(chosen.route.handler(rest, deps));
    } catch (error) {
      return chosen.mount.dialect.errorResponse(error, rest);
    }
  };
  return async (request, url, context) => {
    if (request.method === 'OPTIONS') {
      const methods = allowedMethods(mounts, url.pathname);
      return methods.length > 0 ? preflightResponse(request, methods, corsOrigins) : undefined;
    }
    const response = await answer(request, url, context);
    return response && withCorsHeaders(response, request, corsOrigins);
  };
}

/** Methods that change nothing (GET routes never do): the cookie needs no origin check for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Every method some dialect serves at `pathname`, in route-table order. */
function allowedMethods(mounts: readonly Mount[], pathname: string): HttpMethod[] {
  const methods = new Set<HttpMethod>();
  for (const mount of mounts) {
    const path = stripPrefix(pathname, mount.prefix);
    const match = path === null ? undefined : mount.table.match('OPTIONS', path);
    if (match?.kind === 'method-not-allowed') for (const method of match.allowed) methods.add(method);
  }
  return [...methods];
}

async function choose(candidates: Candidate[], rest: RestRequest): Promise<Candidate> {
  const first = candidates[0] as Candidate;
  if (candidates.length === 1) return first;
  for (const candidate of candidates) {
    try {
      if (await candidate.route.claims?.(rest)) return candidate;
    } catch {
      // An unreadable body claims nothing; the default dialect answers it with its 400.
    }
  }
  return first;
}
