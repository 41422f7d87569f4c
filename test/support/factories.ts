import type { Db } from '../../src/db/create-database.js';
import { createRequestContext, type RequestContext } from '../../src/domain/context.js';
import { createApp } from '../../src/domain/apps/app.service.js';
import type { AppCredentials } from '../../src/domain/apps/app.js';
import { issueToken } from '../../src/domain/tokens/token.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { platformViewer, userViewer } from '../../src/domain/viewer.js';
import { createLogger } from '../../src/logger.js';
import { uniqueId } from './database.js';

/*
 * Test data built through the domain services, the way a real app would create it.
 */

const silent = createLogger('silent');

export function contextAs(db: Db, appId: string, userId: string | null, now?: Date): RequestContext {
  return createRequestContext({
    db,
    viewer: userId === null ? platformViewer(appId) : userViewer(appId, userId),
    requestId: 'test',
    log: silent,
    ...(now ? { now } : {}),
  });
}

export interface TestApp extends AppCredentials {
  /** A fresh context for a user of the app (new loaders, clock now). */
  as(userId: string, now?: Date): RequestContext;
  /** A context for the app's API key. */
  admin(): RequestContext;
  /** A client token for a user. */
  tokenFor(userId: string): Promise<string>;
}

/** An app with the given users (ids as given, nickname = id upper-cased). */
export async function createTestApp(db: Db, userIds: string[] = []): Promise<TestApp> {
  const credentials = await createApp(db, { appId: uniqueId('app') });
  for (const userId of userIds) {
    await createUser(db, credentials.appId, userId, { nickname: userId.toUpperCase() });
  }
  return {
    ...credentials,
    as: (userId, now) => contextAs(db, credentials.appId, userId, now),
    admin: () => contextAs(db, credentials.appId, null),
    tokenFor: async (userId) =>
      (await issueToken(db, { appId: credentials.appId, userId, kind: 'client', ttlSeconds: 3600 })).token,
  };
}
