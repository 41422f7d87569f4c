/*
 * One HTTP exchange with chat-bff over loopback, timed, and judged: `ok` (the answer a
 * healthy server gives), `unavailable` (what a server that cannot reach a dependency must
 * say: 503 with Retry-After in REST, SERVICE_UNAVAILABLE in GraphQL), or `error` (anything
 * else: a 500, a masked INTERNAL_SERVER_ERROR, a reset connection, no answer in time).
 */

export type Outcome = 'ok' | 'unavailable' | 'error';

export interface Exchange {
  op: string;
  /** performance.now() when the request was sent and when its answer was complete. */
  start: number;
  end: number;
  status: number;
  outcome: Outcome;
  /** Why it is not ok: a status and code, or the network error. */
  detail: string;
  /** The parsed JSON answer, when there was one. */
  body: unknown;
}

export interface RequestSpec {
  op: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  graphql?: boolean;
}

/** No exchange waits longer than this, whatever the server does (the harness is bounded too). */
export const CLIENT_TIMEOUT_MS = 30_000;

export async function exchange(baseUrl: string, spec: RequestSpec): Promise<Exchange> {
  const start = performance.now();
  const result = (status: number, outcome: Outcome, detail: string, body: unknown = undefined): Exchange => ({
    op: spec.op,
    start,
    end: performance.now(),
    status,
    outcome,
    detail,
    body,
  });
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl}${spec.path}`, {
      method: spec.method,
      headers: {
        ...(spec.body !== undefined && { 'content-type': 'application/json' }),
        ...(spec.graphql && { accept: 'application/graphql-response+json, application/json' }),
        ...spec.headers,
      },
      ...(spec.body !== undefined && { body: JSON.stringify(spec.body) }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return result(0, 'error', `network: ${networkCause(error)}`);
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const status = response.status;
  if (spec.graphql) return judgeGraphQL(result, status, body);
  if (status >= 200 && status < 300) return result(status, 'ok', '', body);
  if (status === 503) {
    return response.headers.get('retry-after')
      ? result(status, 'unavailable', '503', body)
      : result(status, 'error', '503 without Retry-After', body);
  }
  return result(status, 'error', `${status} ${text.slice(0, 160)}`, body);
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

function judgeGraphQL(
  result: (status: number, outcome: Outcome, detail: string, body?: unknown) => Exchange,
  status: number,
  body: unknown,
): Exchange {
  const answer = (body ?? {}) as GraphQLAnswer;
  const codes = (answer.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
  if (codes.length > 0) {
    if (codes.every((c) => c === 'SERVICE_UNAVAILABLE'))
      return result(status, 'unavailable', 'SERVICE_UNAVAILABLE', body);
    return result(
      status,
      'error',
      `${status} ${codes.join(',')}: ${answer.errors?.[0]?.message ?? ''}`.slice(0, 200),
      body,
    );
  }
  if (status === 503) return result(status, 'unavailable', '503', body);
  if (status !== 200 || !answer.data) return result(status, 'error', `${status} without data`, body);
  // A mutation's payload union: anything but the payload type is a refusal.
  for (const value of Object.values(answer.data)) {
    const typename = (value as { __typename?: string } | null)?.__typename;
    if (typename !== undefined && typename.endsWith('Error')) {
      const code = (value as { code?: string }).code;
      if (code === 'SERVICE_UNAVAILABLE') return result(status, 'unavailable', code, body);
      return result(status, 'error', `${typename} ${code ?? ''}`, body);
    }
  }
  return result(status, 'ok', '', body);
}

function networkCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${CLIENT_TIMEOUT_MS} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
