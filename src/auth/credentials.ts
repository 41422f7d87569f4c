/*
 * Every way a client of any dialect presents itself, read from the request alone.
 * Which credential wins when several are sent: the most specific dialect first.
 */

export const SESSION_COOKIE = 'chat_bff_session';

export type Credentials =
  /** IMKit: the app's client key plus a client token (IM-Authorization, or Authorization). */
  | { kind: 'imkit'; clientKey: string; token: string; clientId: string | undefined }
  /** The app's API key (IM-API-KEY, or a Bearer that is an API key): the platform admin. */
  | { kind: 'apiKey'; apiKey: string }
  /** Rocket.Chat: X-User-Id + X-Auth-Token. */
  | { kind: 'rocketchat'; userId: string; token: string }
  /** Authorization: Bearer <client token>. */
  | { kind: 'bearer'; token: string }
  /** Virola: the HttpOnly session cookie set by its login. */
  | { kind: 'session'; token: string };

const API_KEY_PREFIX = 'sk_';

function bearer(value: string | null): string | undefined {
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : value.trim() || undefined;
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      try {
        return decodeURIComponent(value) || undefined;
      } catch {
        return value || undefined;
      }
    }
  }
  return undefined;
}

/** The credentials a request carries, or null when it carries none. */
export function readCredentials(request: Request): Credentials | null {
  const h = request.headers;
  const apiKey = h.get('im-api-key')?.trim();
  if (apiKey) return { kind: 'apiKey', apiKey };

  const clientKey = h.get('im-client-key')?.trim();
  const authorization = bearer(h.get('im-authorization')) ?? bearer(h.get('authorization'));
  if (clientKey && authorization) {
    return {
      kind: 'imkit',
      clientKey,
      token: authorization,
      clientId: h.get('im-client-id')?.trim() || undefined,
    };
  }

  const rcUser = h.get('x-user-id')?.trim();
  const rcToken = h.get('x-auth-token')?.trim();
  if (rcUser && rcToken) return { kind: 'rocketchat', userId: rcUser, token: rcToken };

  if (authorization) {
    return authorization.startsWith(API_KEY_PREFIX)
      ? { kind: 'apiKey', apiKey: authorization }
      : { kind: 'bearer', token: authorization };
  }

  const session = readCookie(request, SESSION_COOKIE);
  if (session) return { kind: 'session', token: session };
  return null;
}
