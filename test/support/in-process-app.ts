import type { LogEvent } from 'kysely';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/create-database.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import {
  createStatementCounter,
  createTestDatabase,
  type StatementCounter,
  type TestDatabase,
} from './database.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';

/*
 * The app as the server builds it (createApp: routing, request ids, /graphql and the REST
 * dialects), called in-process through its fetch handler against a real database of the
 * run's driver, with the tests' one GraphQL client over it.
 */

export const silentLog = createLogger('silent');

interface AppClient extends GraphQLClient {
  db: Db;
  fetch: FetchHandler;
}

export interface InProcessApp extends AppClient {
  /** The process's event bus, in every request context (subscriptions need one). */
  events: EventBus;
}

export interface InProcessAppOptions {
  /** Default: an in-memory bus, as the server has without REDIS_URL. */
  events?: EventBus;
  /** Settings as environment variables, over the defaults. */
  env?: Record<string, string>;
}

export function createInProcessApp(db: Db, options: InProcessAppOptions = {}): InProcessApp {
  const events = options.events ?? createMemoryEventBus({ log: silentLog });
  return { ...assemble(db, events, options.env ?? {}), events };
}

function assemble(db: Db, events: EventBus | undefined, env: Record<string, string>): AppClient {
  const fetch = createApp({
    db,
    config: loadConfig({ DATA_DIR: ':memory:', ...env }),
    log: silentLog,
    ...(events && { events }),
  });
  return { db, fetch, ...createGraphQLClient((request) => fetch(request)) };
}

/** The app without an event bus (the tests of queries need none). */
export interface StartedApp extends AppClient {
  database: TestDatabase;
  /** Counts every statement the app's database runs. */
  statements: StatementCounter;
  close(): Promise<void>;
}

/** A fresh database of its own (statements counted) and the app over it. */
export async function startInProcessApp(): Promise<StartedApp> {
  const statements = createStatementCounter();
  const database = await createTestDatabase({ onQuery: (event: LogEvent) => statements.onQuery(event) });
  return {
    ...assemble(database.db, undefined, {}),
    database,
    statements,
    close: () => database.close(),
  };
}
