import http from 'node:http';

/*
 * HTTP as an attacker sends it: node:http, so every exchange can leave from a loopback
 * address of its own (127.x.y.z all reach a server on 127.0.0.1), which is how the audit
 * plays many clients, or one client that never changes address, against per-IP limits.
 * Every exchange is bounded in time and never throws: a network failure is status 0.
 */

export const CLIENT_TIMEOUT_MS = 15_000;

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined. */
  json: unknown;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
}

export interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The local address to send from (default 127.0.0.1). */
  from?: string;
}

export function send(baseUrl: string, path: string, options: Send = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const started = performance.now();
  return new Promise<Answer>((resolve) => {
    const done = (answer: Omit<Answer, 'ms'>) => resolve({ ...answer, ms: performance.now() - started });
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body)) }),
          ...options.headers,
        },
        localAddress: options.from ?? '127.0.0.1',
        timeout: CLIENT_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          done({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
        response.on('error', (error) =>
          done({ status: 0, headers: {}, text: error.message, json: undefined }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      done({ status: 0, headers: {}, text: error.code ?? error.message, json: undefined }),
    );
    request.end(options.body);
  });
}

export function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export const JSON_TYPE = { 'content-type': 'application/json' };

export function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  from?: string,
): Promise<Answer> {
  return send(baseUrl, path, {
    method: 'POST',
    headers: { ...JSON_TYPE, ...headers },
    body: JSON.stringify(body),
    ...(from !== undefined && { from }),
  });
}

export interface GraphQLError {
  message?: string;
  extensions?: { code?: string; reason?: string; retryAfter?: number } & Record<string, unknown>;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

export interface GraphQLAnswer extends Answer {
  body: GraphQLBody;
  /** Codes of the top-level errors, then the __typename of a mutation's error payload. */
  codes: string[];
}

export async function graphql(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  from?: string,
): Promise<GraphQLAnswer> {
  const answer = await postJson(
    baseUrl,
    '/graphql',
    { query, variables },
    { accept: 'application/graphql-response+json, application/json', ...headers },
    from,
  );
  return withCodes(answer);
}

export function withCodes(answer: Answer): GraphQLAnswer {
  const body = (answer.json ?? {}) as GraphQLBody;
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
  for (const value of Object.values(body.data ?? {})) {
    const payload = value as { __typename?: string; code?: string } | null;
    if (payload?.__typename?.endsWith('Error')) codes.push(payload.code ?? payload.__typename);
  }
  return { ...answer, body, codes };
}

/** The value at a dotted path of an answer's data (`sendMessage.chatMessage.numericId`). */
export function dataAt(answer: GraphQLAnswer, path: string): unknown {
  let value: unknown = answer.body.data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A GraphQL multipart request (one file at `variables.<filePath>`), serialized by the platform's FormData. */
export async function multipartBody(
  query: string,
  variables: Record<string, unknown>,
  filePath: string,
  file: { bytes: Uint8Array; name: string; type: string },
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables }));
  form.set('map', JSON.stringify({ 0: [`variables.${filePath}`] }));
  form.set('0', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const request = new Request('http://form.local', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? 'multipart/form-data',
  };
}

/** Loopback addresses per attack, so one attack's per-IP counts never reach another's. */
export function address(attack: number, client: number): string {
  return `127.${attack}.${Math.floor(client / 250) + 1}.${(client % 250) + 1}`;
}
