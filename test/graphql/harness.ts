import type { LogEvent } from 'kysely';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/create-database.js';
import { createLogger } from '../../src/logger.js';
import {
  createStatementCounter,
  createTestDatabase,
  type StatementCounter,
  type TestDatabase,
} from '../support/database.js';

/*
 * GraphQL over HTTP, in-process: requests go through the app's fetch handler (routing,
 * request ids) into yoga, against a real database of the run's driver.
 */

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface GraphQLHarness {
  db: Db;
  database: TestDatabase;
  statements: StatementCounter;
  fetch: FetchHandler;
  /** POSTs an operation to /graphql with the given headers. */
  request<T = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export const silentLog = createLogger('silent');

export async function startGraphQL(): Promise<GraphQLHarness> {
  const statements = createStatementCounter();
  const database = await createTestDatabase({ onQuery: (event: LogEvent) => statements.onQuery(event) });
  const fetch = createApp({
    db: database.db,
    config: loadConfig({ DATA_DIR: ':memory:' }),
    log: silentLog,
  });
  return {
    db: database.db,
    database,
    statements,
    fetch,
    async request<T>(
      query: string,
      options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
    ) {
      const response = await fetch(
        new Request('http://chat-bff.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
          body: JSON.stringify({ query, variables: options.variables ?? {} }),
        }),
      );
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLResponse<T>['body'],
      };
    },
    close: () => database.close(),
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
