import type { User } from './users/user.js';

/**
 * Who is asking, whatever the dialect they authenticated with.
 * - a user of an app: userId set, superuser false;
 * - the app's own server (its API key): userId null, superuser true, and only inside appId.
 */
export interface Viewer {
  appId: string;
  userId: string | null;
  superuser: boolean;
  /** The user's row as authentication read it (with the token, cached up to TOKEN_CACHE_MS). */
  user?: User;
}

export function userViewer(appId: string, userId: string, user?: User): Viewer {
  return user ? { appId, userId, superuser: false, user } : { appId, userId, superuser: false };
}

export function platformViewer(appId: string): Viewer {
  return { appId, userId: null, superuser: true };
}
