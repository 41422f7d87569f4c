/*
 * The one GraphQL client of the tests: an operation POSTed as JSON to /graphql through
 * any fetch (the app's fetch handler in-process, or a real server over HTTP), answered
 * with its status, headers and parsed body; subscriptions read as Server-Sent Events.
 */

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: GraphQLError[];
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: GraphQLBody<T>;
}

export interface GraphQLRequestOptions {
  variables?: Record<string, unknown>;
  headers?: Record<string, string> | undefined;
}

export type Send = (request: Request) => Promise<Response>;

export interface GraphQLClient {
  /** POSTs an operation to /graphql with the given variables and headers. */
  request<T = Record<string, unknown>>(
    query: string,
    options?: GraphQLRequestOptions,
  ): Promise<GraphQLResponse<T>>;
  /** request, failing the test unless the answer is a 200 without errors; returns the body. */
  expectData<T = Record<string, unknown>>(
    query: string,
    options?: GraphQLRequestOptions,
  ): Promise<{ data: T; errors?: GraphQLError[] }>;
  /** Opens a subscription as Server-Sent Events; resolves once the stream is open. */
  subscribe(query: string, options?: GraphQLRequestOptions): Promise<SseSubscription>;
}

export function createGraphQLClient(send: Send, baseUrl = 'http://chat-bff.test'): GraphQLClient {
  const client: GraphQLClient = {
    async request<T>(query: string, { variables = {}, headers = {} }: GraphQLRequestOptions = {}) {
      const response = await send(
        new Request(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        }),
      );
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLBody<T>,
      };
    },
    async expectData<T>(query: string, options?: GraphQLRequestOptions) {
      const { status, body } = await client.request<T>(query, options);
      if (status !== 200 || body.errors?.length) {
        throw new Error(`GraphQL answered ${status}: ${JSON.stringify(body)}`);
      }
      return body as { data: T; errors?: GraphQLError[] };
    },
    subscribe: (query, { variables = {}, headers = {} } = {}) =>
      openSse(send, baseUrl, query, variables, headers),
  };
  return client;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function apiKey(key: string): Record<string, string> {
  return { 'im-api-key': key };
}

/** One SSE subscription: its results in order, and the end of the stream. */
export interface SseSubscription {
  status: number;
  /** The next result; rejects after `timeoutMs` (or when the stream ended first). */
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<GraphQLBody<T>>;
  /** Resolves with no further result within `ms` (throws if one arrives). */
  expectSilence(ms: number): Promise<void>;
  /** Whether the server completed the stream. */
  readonly completed: boolean;
  /** Waits until the server completes the stream. */
  waitForComplete(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a subscription over SSE through any fetch (the in-process app, or a real server over HTTP). */
export async function openSse(
  send: (request: Request) => Promise<Response>,
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await send(
    new Request(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    }),
  );
  const results: GraphQLBody<unknown>[] = [];
  const waiters: (() => void)[] = [];
  let completed = false;
  let failed: unknown;
  const wake = () => waiters.splice(0).forEach((w) => w());

  const reader = response.body?.getReader();
  const pump = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let index: number;
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const lines = block.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (event === 'complete') completed = true;
          else if (data) results.push(JSON.parse(data) as GraphQLBody<unknown>);
          wake();
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) failed = error;
    }
    completed = true;
    wake();
  })();

  const waitFor = (ready: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      check();
    });

  return {
    status: response.status,
    get completed() {
      return completed;
    },
    async next<T>(timeoutMs = 5000) {
      await waitFor(() => results.length > 0 || completed, timeoutMs, 'a subscription result');
      const result = results.shift();
      if (!result)
        throw new Error(`the stream ended without a further result${failed ? `: ${String(failed)}` : ''}`);
      return result as GraphQLBody<T>;
    },
    async expectSilence(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (results.length > 0) throw new Error(`expected no result, got ${JSON.stringify(results[0])}`);
    },
    waitForComplete: (timeoutMs = 5000) => waitFor(() => completed, timeoutMs, 'the stream to complete'),
    async close() {
      abort.abort();
      await reader?.cancel().catch(() => {});
      await pump;
    },
  };
}
