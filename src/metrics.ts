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
