import { createHash, timingSafeEqual } from 'node:crypto';
import type { LogEvent } from 'kysely';

/*
 * Process-wide counters in the Prometheus text format, served at /metrics: HTTP requests
 * by route and status class, and SQL statements from Kysely's log hook (createDatabase's
 * onQuery), so "statements per request" can be read off a running server (the bench does:
 * the difference of two scrapes). Plain counters, no library: a handful of numbers.
 */

export interface Metrics {
  /** For createDatabase's onQuery: counts every statement Kysely runs. */
  onQuery(event: LogEvent): void;
  /** Counts an answered request; /metrics itself is not counted. */
  countRequest(route: string, status: number): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  let statements = 0;
  let statementErrors = 0;
  let statementSeconds = 0;
  return {
    onQuery(event) {
      statements++;
      statementSeconds += event.queryDurationMillis / 1000;
      if (event.level === 'error') statementErrors++;
    },
    countRequest(route, status) {
      const key = `route="${route}",status="${Math.floor(status / 100)}xx"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    },
    render() {
      const lines = [
        '# HELP chat_bff_http_requests_total HTTP requests answered, by route and status class.',
        '# TYPE chat_bff_http_requests_total counter',
        ...[...requests].map(([labels, n]) => `chat_bff_http_requests_total{${labels}} ${n}`),
        '# HELP chat_bff_sql_statements_total SQL statements run.',
        '# TYPE chat_bff_sql_statements_total counter',
        `chat_bff_sql_statements_total ${statements}`,
        '# HELP chat_bff_sql_statement_errors_total SQL statements that failed.',
        '# TYPE chat_bff_sql_statement_errors_total counter',
        `chat_bff_sql_statement_errors_total ${statementErrors}`,
        '# HELP chat_bff_sql_statement_seconds_total Time spent waiting for SQL statements.',
        '# TYPE chat_bff_sql_statement_seconds_total counter',
        `chat_bff_sql_statement_seconds_total ${statementSeconds.toFixed(6)}`,
        '# HELP chat_bff_process_resident_memory_bytes Resident memory of the process.',
        '# TYPE chat_bff_process_resident_memory_bytes gauge',
        `chat_bff_process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}

/** The route label of a path: graphql, health, or rest (the dialects, and anything unknown). */
export function routeLabel(pathname: string): string {
  if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return 'graphql';
  if (pathname === '/healthz' || pathname === '/readyz') return 'health';
  return 'rest';
}

/**
 * Answers GET /metrics with the counters. With a token (METRICS_TOKEN), only a request
 * with `Authorization: Bearer <token>` gets them (compared in constant time); others get a
 * 401. Served by the app on its port, or alone on METRICS_PORT (src/main.ts).
 */
export function createMetricsHandler(
  metrics: Metrics,
  token: string | undefined,
): (request: Request) => Promise<Response> {
  const expected = token === undefined ? undefined : digest(token);
  return (request) => {
    if (new URL(request.url).pathname !== '/metrics') return Promise.resolve(plain(404, 'Not found\n'));
    if (request.method !== 'GET')
      return Promise.resolve(plain(405, 'Method not allowed\n', { allow: 'GET' }));
    if (expected && !timingSafeEqual(digest(bearerOf(request)), expected)) {
      return Promise.resolve(
        plain(401, 'Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n', {
          'www-authenticate': 'Bearer realm="metrics"',
        }),
      );
    }
    return Promise.resolve(plain(200, metrics.render(), {}, 'text/plain; version=0.0.4; charset=utf-8'));
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function bearerOf(request: Request): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
}

function plain(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'text/plain; charset=utf-8',
): Response {
  return new Response(body, { status, headers: { 'content-type': contentType, ...headers } });
}
