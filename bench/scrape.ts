/*
 * Reads chat-bff's /metrics (src/metrics.ts): the bench takes a scrape before and after
 * each measured run and divides the statement count by the request count.
 */

export interface Scrape {
  requests: number;
  statements: number;
}

export async function scrapeMetrics(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}: is it mounted?`);
  const text = await response.text();
  let requests = 0;
  let statements = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const value = Number(line.slice(space + 1));
    if (series.startsWith('chat_bff_http_requests_total{')) requests += value;
    else if (series === 'chat_bff_sql_statements_total') statements = value;
  }
  return { requests, statements };
}

/** Statements per request between two scrapes (the scrape itself is not counted by the server). */
export function statementsPerRequest(before: Scrape, after: Scrape): number | null {
  const requests = after.requests - before.requests;
  return requests > 0 ? (after.statements - before.statements) / requests : null;
}

/**
 * Waits until the server has finished what a load run left in flight (autocannon stops
 * sending at the deadline, the server still answers what it had): two equal scrapes.
 */
export async function settledScrape(baseUrl: string, timeoutMs = 30_000): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  let previous = await scrapeMetrics(baseUrl);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await scrapeMetrics(baseUrl);
    if (
      (current.requests === previous.requests && current.statements === previous.statements) ||
      Date.now() > deadline
    )
      return current;
    previous = current;
  }
}
