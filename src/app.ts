import { randomUUID } from 'node:crypto';
import { editHeaders } from './http/response-headers.js';
import { jsonResponse as json } from './http/json-response.js';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { Db } from './db/create-database.js';
import { graphqlLimits } from './graphql/request-limits.js';
import { graphqlExposure } from './graphql/exposure.js';
import { createGraphQLRoute, GRAPHQL_ENDPOINT } from './graphql/yoga.js';
import type { Logger } from './logger.js';
import { withSecurityHeaders } from './http/security-headers.js';
import { createRestRoutes } from './rest/rest-routes.js';
import { createMetricsHandler, routeLabel, type Metrics } from './metrics.js';
import { runWithDeadline, withinDeadline } from './db/request-deadline.js';
import type { EventBus } from './realtime/event-bus.js';
import { createLimits, type Limits } from './limits/limits.js';
import { createAuthThrottles, type AuthThrottles } from './limits/auth-throttles.js';
import type { FetchHandler, RouteContext, RouteHandler } from './http/routes.js';

/*
 * The whole HTTP surface as one fetch handler (Request -> Response), so tests call it
 * in-process and node:http is only an adapter (server.ts). The route types are in http/routes.ts.
 */

export type { FetchHandler, RouteContext, RouteHandler } from './http/routes.js';

/** What lives as long as the process; everything else is built per request. */
export interface AppDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** The event bus (src/realtime/event-bus.ts): every request context publishes to it, subscriptions listen on it. */
  events?: EventBus;
  /** Request and SQL statement counters, served at /metrics (src/metrics.ts). */
  metrics?: Metrics;
  /** Extra routes tried after the built-in ones (tests, tools). */
  routes?: readonly RouteHandler[];
  /** True once shutdown has begun: /readyz says so at once, so load balancers stop sending. */
  isDraining?: () => boolean;
  /**
   * Write rates and subscription caps (src/limits/limits.ts), shared with the WebSocket server
   * (main.ts builds them on the process's rate-limit store); default: from the config, counted in memory.
   */
  rateLimits?: Limits;
  /**
   * Throttles on wrong passwords and API keys (src/limits/auth-throttles.ts), shared with the
   * WebSocket server (main.ts builds them on the process's rate-limit store); default: from the config, in memory.
   */
  authThrottles?: AuthThrottles;
}

export const REQUEST_ID_HEADER = 'x-request-id';

export function createApp(deps: AppDeps): FetchHandler {
  const rateLimits = deps.rateLimits ?? createLimits(deps.config, { kind: 'memory' });
  const authThrottles = deps.authThrottles ?? createAuthThrottles(deps.config, { kind: 'memory' });
  const routes: RouteHandler[] = [
    createHealthRoutes(deps.db, deps.isDraining ?? (() => false)),
    // With METRICS_PORT, /metrics is served there (main.ts), not here.
    ...(deps.metrics && deps.config.METRICS_PORT === undefined
      ? [createMetricsRoute(deps.metrics, deps.config.METRICS_TOKEN)]
      : []),
    createGraphQLRoute({
      db: deps.db,
      log: deps.log,
      tokenTtlSeconds: deps.config.TOKEN_TTL_SECONDS,
      limits: graphqlLimits(deps.config),
      exposure: graphqlExposure(deps.config),
      rateLimits,
      authThrottles,
      corsOrigins: deps.config.CORS_ORIGINS,
      avatarLimits: {
        maxBytes: deps.config.AVATAR_MAX_BYTES,
        maxDimension: deps.config.AVATAR_MAX_DIMENSION,
      },
      ...(deps.events && { events: deps.events }),
    }),
    // IMKit, Rocket.Chat and Virola, each under its prefix (IMKIT_PREFIX, ROCKETCHAT_PREFIX, VIROLA_PREFIX).
    createRestRoutes({
      db: deps.db,
      config: deps.config,
      writeLimits: rateLimits.writes,
      anonymousLimit: rateLimits.anonymous,
      authThrottles,
      ...(deps.events && { events: deps.events }),
    }),
    ...(deps.routes ?? []),
  ];

  return async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const requestId = readRequestId(request) ?? randomUUID();
    const log = deps.log.child({ requestId });
    let url: URL | undefined;
    let response: Response;
    try {
      url = new URL(request.url);
      const target = url;
      // The deadline covers producing the answer; a stream's later events run without one.
      // Work still queued after a plain answer keeps it, so it never starts.
      response = await runWithDeadline(deps.config.REQUEST_TIMEOUT_MS, async (deadline) => {
        const answer = (await route(routes, request, target, { requestId, log })) ?? notFound(requestId);
        if (STREAMING.test(answer.headers.get('content-type') ?? '')) deadline.at = undefined;
        return answer;
      });
    } catch (error) {
      log.error({ err: error }, 'unhandled error');
      response = json(500, { error: 'Internal server error', requestId });
    }
    response = withSecurityHeaders(response, url, GRAPHQL_ENDPOINT);
    response = withHeader(response, REQUEST_ID_HEADER, requestId);
    if (url && url.pathname !== '/metrics')
      deps.metrics?.countRequest(routeLabel(url.pathname), response.status);
    log.info(
      {
        method: request.method,
        path: url?.pathname ?? request.url,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
    return response;
  };
}

async function route(
  routes: readonly RouteHandler[],
  request: Request,
  url: URL,
  context: RouteContext,
): Promise<Response | undefined> {
  for (const handler of routes) {
    const response = await handler(request, url, context);
    if (response) return response;
  }
  return undefined;
}

/** How long /readyz waits for the database: a load balancer's probe must get an answer, either way. */
const READINESS_TIMEOUT_MS = 800; // leaves the probe's own round trip room within a second

/** Liveness (the process answers) and readiness (the database answers, and we are not shutting down). */
function createHealthRoutes(db: Db, isDraining: () => boolean): RouteHandler {
  return async (request, url, { log }) => {
    if (url.pathname !== '/healthz' && url.pathname !== '/readyz') return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return json(405, { error: 'Method not allowed' }, { allow: 'GET, HEAD' });
    }
    if (url.pathname === '/healthz') return json(200, { status: 'ok' });
    if (isDraining()) return json(503, { status: 'draining', error: 'The server is shutting down' });
    try {
      // Its own, shorter deadline: a frozen database makes this a 503 in a second, and the probe's statement is cancelled.
      await runWithDeadline(READINESS_TIMEOUT_MS, () => withinDeadline(sql`select 1`.execute(db)));
      return json(200, { status: 'ready' });
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      return json(
        503,
        { status: 'unavailable', error: 'The database does not answer' },
        { 'retry-after': '1' },
      );
    }
  };
}

/** Prometheus-style counters (requests, SQL statements): the bench reads statements per request here. */
function createMetricsRoute(metrics: Metrics, token: string | undefined): RouteHandler {
  const answer = createMetricsHandler(metrics, token);
  return (request, url) => (url.pathname === '/metrics' ? answer(request) : undefined);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Answers whose body goes on after the response starts: subscriptions over SSE or multipart. */
const STREAMING = /^(text\/event-stream|multipart\/mixed)/i;

/** A caller's request id is kept when it is sane, so one id follows a request through proxies. */
function readRequestId(request: Request): string | undefined {
  const value = request.headers.get(REQUEST_ID_HEADER)?.trim();
  return value && REQUEST_ID.test(value) ? value : undefined;
}

function notFound(requestId: string): Response {
  return json(404, { error: 'Not found', requestId });
}

/** Sets a header; a Response with immutable headers (e.g. Response.redirect) is copied first. */
function withHeader(response: Response, name: string, value: string): Response {
  return editHeaders(response, (headers) => headers.set(name, value));
}
