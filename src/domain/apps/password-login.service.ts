import { createHash } from 'node:crypto';
import type { Db } from '../../db/create-database.js';
import type { TokenKind } from '../../db/schema.js';
import { InvalidInputError, UnauthenticatedError } from '../errors.js';
import { issueToken, type IssuedToken } from '../tokens/token.service.js';
import type { User } from '../users/user.js';
import { spendPasswordCheck, verifyPassword, type PasswordGuard } from '../users/user.service.js';
import { findAppByClientKey, findAppById, listAppIds } from './app.repository.js';

/*
 * Password logins of the Rocket.Chat and Virola dialects. Their clients know nothing of
 * tenants, so the request may name no app. Which app, most specific first:
 *   1. an app named by the request (X-App-Id, or an IMKit client key);
 *   2. the operator's DEFAULT_APP_ID;
 *   3. the only app in the database.
 * An app that is named but unknown fails like a wrong password (no tenant enumeration).
 */

export interface LoginAppHint {
  appId?: string | undefined;
  clientKey?: string | undefined;
  defaultAppId?: string | undefined;
}

function wrongCredentials(): UnauthenticatedError {
  return new UnauthenticatedError('Wrong username or password', { reason: 'INVALID_CREDENTIALS' });
}

export async function resolveLoginAppId(db: Db, hint: LoginAppHint): Promise<string> {
  if (hint.appId !== undefined) {
    const app = await findAppById(db, hint.appId);
    if (!app) throw wrongCredentials();
    return app.id;
  }
  if (hint.clientKey !== undefined) {
    const app = await findAppByClientKey(db, hint.clientKey);
    if (!app) throw wrongCredentials();
    return app.id;
  }
  if (hint.defaultAppId !== undefined) return hint.defaultAppId;
  const ids = await listAppIds(db, 2);
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  throw new InvalidInputError(
    ids.length === 0
      ? 'No app exists yet: create one first'
      : 'Several apps exist: send an X-App-Id header naming one, or set DEFAULT_APP_ID',
    { field: 'X-App-Id', reason: 'APP_NOT_DETERMINED' },
  );
}

/** What a password login asks of the login throttle: declared by the domain that uses it, built by src/limits. */
export interface LoginThrottle {
  /** Counts a login attempt from `address`; throws RateLimitedError once it has made too many. */
  attempt(address: string): Promise<void>;
  /** Throws RateLimitedError when `account` has used up its failures; counts nothing. */
  checkAccount(account: string): Promise<void>;
  /** Counts a failure against `account`. */
  failed(account: string): Promise<void>;
  /** Clears `account`'s failures. */
  succeeded(account: string): Promise<void>;
}

/** Who is logging in, for the login throttle: the client's address (src/limits/client-address.ts). */
export interface LoginClient {
  address: string;
  throttle: LoginThrottle;
}

/**
 * Checks a username-or-id and password in the app the hint resolves to and issues a
 * token of the given kind ('login' for Rocket.Chat's authToken, 'session' for Virola's
 * cookie). Every failure is the same UNAUTHENTICATED (reason INVALID_CREDENTIALS). The
 * login throttle (src/limits/login-throttle.ts) answers first, before any hashing:
 * RATE_LIMITED once the address or the account has tried too often.
 */
export async function loginWithPassword(
  db: Db,
  input: {
    hint: LoginAppHint;
    login: string;
    password: string;
    kind: TokenKind;
    ttlSeconds: number | null;
    client: LoginClient;
  },
): Promise<{ user: User; token: IssuedToken }> {
  const { throttle, address } = input.client;
  await throttle.attempt(address);
  const appId = await resolveLoginAppId(db, input.hint).catch(async (error: unknown) => {
    // An unknown app costs a hash too: the time must not tell which apps exist.
    if (error instanceof UnauthenticatedError) await spendPasswordCheck(input.password);
    throw error;
  });
  const user = await verifyPassword(db, appId, input.login, input.password, accountGuard(throttle, appId));
  const token = await issueToken(db, {
    appId,
    userId: user.id,
    kind: input.kind,
    ttlSeconds: input.ttlSeconds,
  });
  return { user, token };
}

/** The throttle's per-account half, keyed by app and account (hashed: a login name may be long). */
function accountGuard(throttle: LoginThrottle, appId: string): PasswordGuard {
  const key = (account: string) => createHash('sha256').update(`${appId}\0${account}`).digest('base64url');
  return {
    before: (account) => throttle.checkAccount(key(account)),
    failed: (account) => throttle.failed(key(account)),
    succeeded: (account) => throttle.succeeded(key(account)),
  };
}
