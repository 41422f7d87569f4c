import type { Db } from '../../db/create-database.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import type { TokenKind } from '../../db/schema.js';
import { NotFoundError } from '../errors.js';
import { generateSecret, hashSecret } from '../secrets.js';
import { findLiveToken, insertToken, revokeTokenByHash, revokeTokensOfUser } from './token.repository.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date | null;
}

export interface TokenOwner {
  appId: string;
  userId: string;
  kind: TokenKind;
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

/** Who a token belongs to, if it is live. */
export function resolveToken(db: Db, token: string, now = new Date()): Promise<TokenOwner | undefined> {
  return findLiveToken(db, hashSecret(token), now);
}

export function revokeToken(db: Db, token: string, now = new Date()): Promise<boolean> {
  return revokeTokenByHash(db, hashSecret(token), now);
}

export function revokeAllTokens(db: Db, appId: string, userId: string, now = new Date()): Promise<number> {
  return revokeTokensOfUser(db, appId, userId, now);
}
