import { createApp, type FetchHandler } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Db } from '../../../src/db/create-database.js';
import { createLogger } from '../../../src/logger.js';
import type { EventBus } from '../../../src/realtime/event-bus.js';
import type { RestClient } from './rest-client.js';

/*
 * The whole app (createApp: routing, request ids, /graphql and the REST dialects
 * together) called in-process through its fetch handler, as the server calls it.
 */

export interface AppClient extends RestClient {
  app: FetchHandler;
  /** POSTs a GraphQL operation to /graphql; fails the test on transport errors. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<{ data: T; errors?: unknown[] }>;
}

/** `events`: the event bus, for subscriptions (without one they answer an internal error). */
export function createAppClient(db: Db, env: Record<string, string> = {}, events?: EventBus): AppClient {
  const config = loadConfig({ DATA_DIR: ':memory:', ...env });
  const app = createApp({ db, config, log: createLogger('silent'), ...(events && { events }) });
  const client: AppClient = {
    app,
    config,
    fetch(path, init = {}) {
      const { base = 'http://chat.test', ...rest } = init;
      return app(new Request(new URL(path, base), rest));
    },
    async json(path, init) {
      const response = await client.fetch(path, init);
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text), response };
    },
    async gql<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
      const { status, body } = await client.json<{ data: T; errors?: unknown[] }>('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      if (status !== 200 || body.errors?.length) {
        throw new Error(`GraphQL answered ${status}: ${JSON.stringify(body)}`);
      }
      return body;
    },
  };
  return client;
}
