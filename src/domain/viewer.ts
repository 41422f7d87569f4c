/**
 * Who is asking, whatever the dialect they authenticated with.
 * - a user of an app: userId set, superuser false;
 * - the app's own server (its API key): userId null, superuser true, and only inside appId.
 */
export interface Viewer {
  appId: string;
  userId: string | null;
  superuser: boolean;
}

export function userViewer(appId: string, userId: string): Viewer {
  return { appId, userId, superuser: false };
}

export function platformViewer(appId: string): Viewer {
  return { appId, userId: null, superuser: true };
}
