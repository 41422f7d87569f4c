import { loadConfig, type Config } from '../../../src/config.js';
import type { Db } from '../../../src/db/create-database.js';
import { createLogger } from '../../../src/logger.js';
import { createRestRoutes } from '../../../src/rest/rest-routes.js';

/*
 * The REST router called in-process through its fetch-style route handler, the way the
 * app's fetch handler calls it.
 */

export interface RestClient {
  fetch(path: string, init?: RequestInit & { base?: string }): Promise<Response>;
  /** fetch, then the parsed JSON body. */
  json<T = Record<string, unknown>>(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T; response: Response }>;
  config: Config;
}

export function createRestClient(db: Db, env: Record<string, string> = {}): RestClient {
  const config = loadConfig({ DATA_DIR: ':memory:', ...env });
  const handler = createRestRoutes({ db, config });
  const log = createLogger('silent');
  let n = 0;
  const client: RestClient = {
    config,
    async fetch(path, init = {}) {
      const { base = 'http://chat.test', ...rest } = init;
      const request = new Request(new URL(path, base), rest);
      const response = await handler(request, new URL(request.url), { requestId: `req-${++n}`, log });
      return response ?? new Response('{"error":"Not found"}', { status: 404 });
    },
    async json(path, init) {
      const response = await client.fetch(path, init);
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text), response };
    },
  };
  return client;
}

export function imkitHeaders(clientKey: string, token: string, clientId?: string): Record<string, string> {
  return {
    'IM-CLIENT-KEY': clientKey,
    'IM-Authorization': token,
    ...(clientId !== undefined && { 'IM-CLIENT-ID': clientId }),
  };
}
