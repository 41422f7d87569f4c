import { createApp, type FetchHandler } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Db } from '../../../src/db/create-database.js';
import { createLogger } from '../../../src/logger.js';
import type { EventBus } from '../../../src/realtime/event-bus.js';
import { createGraphQLClient, type GraphQLClient } from '../../support/graphql-client.js';
import type { RestClient } from './rest-client.js';

/*
 * The whole app (createApp: routing, request ids, /graphql and the REST dialects
 * together) called in-process through its fetch handler, as the server calls it.
 */

export interface AppClient extends RestClient, GraphQLClient {
  app: FetchHandler;
}

/** `events`: the event bus, for subscriptions (without one they answer an internal error). */
export function createAppClient(db: Db, env: Record<string, string> = {}, events?: EventBus): AppClient {
  const config = loadConfig({ DATA_DIR: ':memory:', ...env });
  const app = createApp({ db, config, log: createLogger('silent'), ...(events && { events }) });
  const client: AppClient = {
    ...createGraphQLClient(app, 'http://chat.test'),
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
  };
  return client;
}
