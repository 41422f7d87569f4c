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
  /**
   * The top-level keys of an object body, whether or not its values keep the input rule:
   * for telling two dialects on one path apart (so a refused body gets the right
   * dialect's 400), never for handling. [] when the body is empty or not an object.
   */
  bodyKeys(): Promise<string[]>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function createRestRequest(input: {
  request: Request;
  url: URL;
  params: Record<string, string>;
  requestId: string;
  log: Logger;
}): RestRequest {
  let parsed: Promise<unknown> | undefined;
  let checked: Promise<unknown> | undefined;
  const parse = () => (parsed ??= readBody(input.request));
  return {
    ...input,
    query: input.url.searchParams,
    body() {
      checked ??= parse().then((body) => {
        checkUntrustedValue(body, 'body');
        return body;
      });
      return checked;
    },
    async bodyKeys() {
      const body = await parse();
      return body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
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
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError('The request body is not valid JSON', { field: 'body' });
  }
}

/**
 * The path parameters and the query parameters a route reads (`names`: those it
 * declares) under the input rule; others are never read, so never refused.
 * The body is checked when read.
 */
export function checkRequestParams(rest: RestRequest, names: readonly string[]): void {
  const read = [
    ...Object.entries(rest.params),
    ...names.flatMap((name) => rest.query.getAll(name).map((value) => [name, value] as const)),
  ];
  for (const [name, value] of read) {
    const problem = stringProblem(value);
    if (problem) throw new InvalidInputError(`Invalid ${name}: it ${problem}`, { field: name });
  }
}
