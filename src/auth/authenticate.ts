import type { Db } from '../db/create-database.js';
import type { App } from '../domain/apps/app.js';
import { findAppByClientKey } from '../domain/apps/app.repository.js';
import { findAppIdByApiKey } from '../domain/apps/app.service.js';
import { UnauthenticatedError } from '../domain/errors.js';
import { resolveToken } from '../domain/tokens/token.service.js';
import { cachePerOwner } from '../domain/ttl-cache.js';
import { platformViewer, userViewer, type Viewer } from '../domain/viewer.js';
import type { Credentials } from './credentials.js';

/**
 * Turns any dialect's credentials into one Viewer. Throws UnauthenticatedError
 * (reason INVALID_TOKEN) when credentials are present but wrong, expired or revoked,
 * so every transport can answer 401 in its own shape. No credentials at all is the
 * transport's MISSING_CREDENTIALS (src/domain/access.ts missingCredentials).
 */
export async function authenticate(db: Db, credentials: Credentials, now = new Date()): Promise<Viewer> {
  switch (credentials.kind) {
    case 'apiKey': {
      const appId = await findAppIdByApiKey(db, credentials.apiKey);
      if (!appId) throw invalid('Invalid API key');
      return platformViewer(appId);
    }
    case 'imkit': {
      const [app, owner] = await Promise.all([
        findAppByClientKeyCached(db, credentials.clientKey, now),
        resolveToken(db, credentials.token, now),
      ]);
      if (!app) throw invalid('Invalid client key');
      if (!owner || owner.appId !== app.id) throw invalid('Invalid or expired token');
      if (credentials.clientId !== undefined && credentials.clientId !== owner.userId) {
        throw invalid('IM-CLIENT-ID does not match the token');
      }
      return userViewer(owner.appId, owner.userId, owner.user);
    }
    case 'rocketchat': {
      const owner = await resolveToken(db, credentials.token, now);
      if (!owner || owner.userId !== credentials.userId) throw invalid('Invalid or expired token');
      return userViewer(owner.appId, owner.userId, owner.user);
    }
    case 'bearer':
    case 'session': {
      const owner = await resolveToken(db, credentials.token, now);
      if (!owner) throw invalid('Invalid or expired token');
      return userViewer(owner.appId, owner.userId, owner.user);
    }
  }
}

/*
 * IMKit clients send their app's client key with every request; apps and their client
 * keys never change, so the lookup is remembered for a while instead of costing a SQL
 * statement per request (like the token, see resolveToken).
 */
const appsByClientKey = cachePerOwner<Db, string, App>(60_000, 10_000);

async function findAppByClientKeyCached(db: Db, clientKey: string, now: Date): Promise<App | undefined> {
  const cache = appsByClientKey(db);
  const cached = cache.get(clientKey, now.getTime());
  if (cached) return cached;
  const app = await findAppByClientKey(db, clientKey);
  if (app) cache.set(clientKey, app, now.getTime());
  return app;
}

function invalid(message: string): UnauthenticatedError {
  return new UnauthenticatedError(message, { reason: 'INVALID_TOKEN' });
}
