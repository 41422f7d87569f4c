import { InvalidInputError } from '../domain/errors.js';
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
   * Malformed JSON throws BAD_USER_INPUT.
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
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError('The request body is not valid JSON', { field: 'body' });
  }
}
