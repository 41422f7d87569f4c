import type { Db } from '../../db/create-database.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import type { TokenKind } from '../../db/schema.js';
import { NotFoundError } from '../errors.js';
import { generateSecret, hashSecret } from '../secrets.js';
import type { User } from '../users/user.js';
import { cachePerOwner } from '../ttl-cache.js';
import { findLiveToken, insertToken, revokeTokenByHash, revokeTokensOfUser } from './token.repository.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date | null;
}

export interface TokenOwner {
  appId: string;
  userId: string;
  kind: TokenKind;
  /** The user's row as of the lookup (read with the token, cached with it). */
  user: User;
}

const PREFIX: Record<TokenKind, string> = { client: 'ct_', login: 'lt_', session: 'st_' };

/**
 * Issues a bearer secret for a user. `client` tokens are what an app's server hands its
 * clients (IMKit, GraphQL); `login` and `session` come from password logins (Rocket.Chat
 * authToken, Virola session cookie). Only the hash is stored.
 */
export async function issueToken(
  db: Db,
  input: { appId: string; userId: string; kind: TokenKind; ttlSeconds: number | null; now?: Date },
): Promise<IssuedToken> {
  const token = generateSecret(PREFIX[input.kind]);
  const now = input.now ?? new Date();
  const expiresAt = input.ttlSeconds === null ? null : new Date(now.getTime() + input.ttlSeconds * 1000);
  try {
    await insertToken(db, {
      tokenHash: hashSecret(token),
      appId: input.appId,
      userId: input.userId,
      kind: input.kind,
      expiresAt,
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new NotFoundError(`User "${input.userId}" does not exist in app "${input.appId}"`);
    }
    throw error;
  }
  return { token, expiresAt };
}

/*
 * Live tokens are remembered for TOKEN_CACHE_MS, so an authenticated request does not
 * spend a SQL statement (a round trip to the database) on its token every time: that
 * statement was one in six of a room list's. Only live tokens are cached, never until
 * after the token's own expiry. Revocation: revokeToken and revokeAllTokens evict at
 * once in the process that runs them (logout, revokeClientToken); a process that did
 * not revoke it may accept a revoked token for up to TOKEN_CACHE_MS more.
 */
export const TOKEN_CACHE_MS = 10_000;
/*
 * The user's row rides with the token, so `viewer { ... }` costs no statement of its own.
 * Changing a user evicts their entries here (forgetCachedUser); another process may
 * show the old row as the viewer's own for up to TOKEN_CACHE_MS.
 */
const tokenCache = cachePerOwner<Db, string, TokenOwner>(TOKEN_CACHE_MS, 50_000);

/** Who a token belongs to, if it is live. */
export async function resolveToken(db: Db, token: string, now = new Date()): Promise<TokenOwner | undefined> {
  const tokenHash = hashSecret(token);
  const cache = tokenCache(db);
  const cached = cache.get(tokenHash, now.getTime());
  if (cached) return cached;
  const live = await findLiveToken(db, tokenHash, now);
  if (!live) return undefined;
  const owner: TokenOwner = {
    appId: live.user.appId,
    userId: live.user.id,
    kind: live.kind,
    user: live.user,
  };
  cache.set(tokenHash, owner, now.getTime(), live.expiresAt?.getTime());
  return owner;
}

export function revokeToken(db: Db, token: string, now = new Date()): Promise<boolean> {
  const tokenHash = hashSecret(token);
  tokenCache(db).delete(tokenHash);
  return revokeTokenByHash(db, tokenHash, now);
}

/** Drops a user's cached tokens, so the next request reads their changed row. */
export function forgetCachedUser(db: Db, appId: string, userId: string): void {
  tokenCache(db).deleteWhere((owner) => owner.appId === appId && owner.userId === userId);
}

/**
 * What a password change signs out: the tokens its logins gave (Rocket.Chat `login`,
 * Virola `session`). Client tokens stay: the app's server issued them with its API key
 * and manages them (revokeClientToken, revokeUserTokens), not the user's password.
 */
export const PASSWORD_TOKEN_KINDS: readonly TokenKind[] = ['login', 'session'];

/**
 * Revokes a user's login and session tokens inside the caller's transaction (`trx`).
 * After the commit, the caller calls forgetCachedUser on the process's database handle
 * (the cache is keyed by it, not by the transaction), so they stop working at once here.
 */
export function revokePasswordTokens(trx: Db, appId: string, userId: string, now: Date): Promise<number> {
  return revokeTokensOfUser(trx, appId, userId, now, PASSWORD_TOKEN_KINDS);
}

export function revokeAllTokens(db: Db, appId: string, userId: string, now = new Date()): Promise<number> {
  tokenCache(db).deleteWhere((owner) => owner.appId === appId && owner.userId === userId);
  return revokeTokensOfUser(db, appId, userId, now);
}
