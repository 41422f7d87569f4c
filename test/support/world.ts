import type { Db } from '../../src/db/create-database.js';
import { createTestApp, type TestApp } from './factories.js';
import { apiKey, bearer, type GraphQLClient } from './graphql-client.js';
import { mutatorFor, type Mutate } from './mutate.js';

/*
 * The world most GraphQL tests start from: an app of their own with its users, each
 * user's client token as headers and a mutate function sending them, and the same for
 * the app's API key and for no credentials at all.
 */

export interface TestWorld<User extends string> {
  app: TestApp;
  /** Authorization: Bearer <the user's client token>. */
  headers: Record<User, Record<string, string>>;
  /** Mutations as each user. */
  as: Record<User, Mutate>;
  /** Mutations with the app's API key. */
  admin: Mutate;
  /** Mutations without credentials. */
  anonymous: Mutate;
}

export async function createTestWorld<User extends string>(
  client: GraphQLClient,
  db: Db,
  users: readonly User[],
): Promise<TestWorld<User>> {
  const app = await createTestApp(db, [...users]);
  const headers = {} as TestWorld<User>['headers'];
  const as = {} as TestWorld<User>['as'];
  for (const user of users) {
    headers[user] = bearer(await app.tokenFor(user));
    as[user] = mutatorFor(client, headers[user]);
  }
  return {
    app,
    headers,
    as,
    admin: mutatorFor(client, apiKey(app.apiKey)),
    anonymous: mutatorFor(client, {}),
  };
}
