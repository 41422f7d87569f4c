import type { Db } from '../db/create-database.js';
import { findAppByClientKeyCached, findAppIdByApiKey } from '../domain/apps/app.service.js';
import { UnauthenticatedError } from '../domain/errors.js';
import { resolveToken } from '../domain/tokens/token.service.js';
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

function invalid(message: string): UnauthenticatedError {
  return new UnauthenticatedError(message, { reason: 'INVALID_TOKEN' });
}
