import { InvalidInputError } from '../domain/errors.js';
import { checkUntrustedValue, stringProblem } from '../domain/untrusted-input.js';
import type { Logger } from '../logger.js';

/** What a REST handler gets: the request, its matched path params and a body read once. */
export interface RestRequest {
  readonly request: Request;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly requestId: string;
  readonly log: Logger;
  /**
   * The body as JSON, or a urlencoded form as a plain object; undefined when empty.
   * Read once and cached, so a dialect can sniff it before the handler parses it.
   * Malformed JSON, and a body that breaks the input rule (src/domain/untrusted-input.ts), throw BAD_USER_INPUT.
   */
  body(): Promise<unknown>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function createRestRequest(input: {
  request: Request;
  url: URL;
  params: Record<string, string>;
  requestId: string;
  log: Logger;
}): RestRequest {
  let cached: Promise<unknown> | undefined;
  return {
    ...input,
    query: input.url.searchParams,
    body() {
      cached ??= readBody(input.request);
      return cached;
    },
  };
}

async function readBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    throw new InvalidInputError(`The request body is larger than ${MAX_BODY_BYTES} bytes`, { field: 'body' });
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new InvalidInputError(`The request body is larger than ${MAX_BODY_BYTES} bytes`, { field: 'body' });
  }
  if (text.trim() === '') return undefined;
  const type = request.headers.get('content-type') ?? '';
  let body: unknown;
  if (type.includes('application/x-www-form-urlencoded')) {
    body = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new InvalidInputError('The request body is not valid JSON', { field: 'body' });
    }
  }
  checkUntrustedValue(body, 'body');
  return body;
}

/** Query and path parameters under the input rule; the body is checked when read. */
export function checkRequestParams(rest: RestRequest): void {
  for (const [name, value] of [...rest.query, ...Object.entries(rest.params)]) {
    const problem = stringProblem(name) ?? stringProblem(value);
    if (problem) {
      const field = stringProblem(name) ? 'query' : name;
      throw new InvalidInputError(`Invalid ${field}: it ${problem}`, { field });
    }
  }
}
