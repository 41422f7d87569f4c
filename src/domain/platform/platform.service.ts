import type { RequestContext } from '../context.js';
import { requireViewer } from '../access.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import {
  issueToken,
  resolveToken,
  revokeAllTokens,
  revokeToken,
  type IssuedToken,
} from '../tokens/token.service.js';
import { DEFAULT_CLIENT_TOKEN_TTL_SECONDS } from '../tokens/token-lifetime.js';
import type { User, UserInput } from '../users/user.js';
import { createUser, updateUser, validateUserId } from '../users/user.service.js';
import type { Viewer } from '../viewer.js';
import { limitWrite } from '../write-limit.js';

/*
 * The platform API: what an app's own servers do with its API key (provision users,
 * hand their clients tokens, revoke them). Rooms with members and messages as any member
 * are the ordinary createRoom/sendMessage, which already let the API key act for anyone
 * of its app. Everything here stays inside the API key's app.
 */

export { DEFAULT_CLIENT_TOKEN_TTL_SECONDS };
const MAX_TOKEN_TTL_SECONDS = 60 * 60 * 24 * 365 * 10;

export function requirePlatform(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!viewer.superuser) {
    throw new ForbiddenError("Only the app's API key may do this", { reason: 'API_KEY_REQUIRED' });
  }
  return viewer;
}

function userNotFound(userId: string): NotFoundError {
  return new NotFoundError(`User "${userId}" does not exist`, { reason: 'USER_NOT_FOUND' });
}

async function requireAppUser(ctx: RequestContext, userId: string): Promise<User> {
  validateUserId(userId);
  const user = await ctx.loaders.user.load(userId);
  if (!user) throw userNotFound(userId);
  return user;
}

export async function createAppUser(ctx: RequestContext, userId: string, input: UserInput): Promise<User> {
  await limitWrite(ctx, 'createAppUser');
  const { appId } = requirePlatform(ctx);
  const user = await createUser(ctx.db, appId, userId, input);
  ctx.loaders.user.clear(userId).prime(userId, user);
  return user;
}

export async function updateAppUser(ctx: RequestContext, userId: string, input: UserInput): Promise<User> {
  await limitWrite(ctx, 'updateAppUser');
  const { appId } = requirePlatform(ctx);
  await requireAppUser(ctx, userId);
  const user = await updateUser(ctx.db, appId, userId, input);
  ctx.loaders.user.clear(userId).prime(userId, user);
  return user;
}

/** A client token for a user (what the app's server hands its client). null ttl = never expires. */
export async function issueClientToken(
  ctx: RequestContext,
  userId: string,
  ttlSeconds: number | null = DEFAULT_CLIENT_TOKEN_TTL_SECONDS,
): Promise<IssuedToken & { user: User }> {
  await limitWrite(ctx, 'issueClientToken');
  const { appId } = requirePlatform(ctx);
  if (
    ttlSeconds !== null &&
    (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > MAX_TOKEN_TTL_SECONDS)
  ) {
    throw new InvalidInputError(`ttlSeconds must be a whole number from 60 to ${MAX_TOKEN_TTL_SECONDS}`, {
      field: 'ttlSeconds',
    });
  }
  const user = await requireAppUser(ctx, userId);
  const issued = await issueToken(ctx.db, { appId, userId, kind: 'client', ttlSeconds, now: ctx.now });
  return { ...issued, user };
}

/**
 * Revokes one token of the app. A token of another app, or one that is unknown, expired
 * or already revoked, revokes nothing (false), and says no more than that.
 */
export async function revokeClientToken(ctx: RequestContext, token: string): Promise<boolean> {
  await limitWrite(ctx, 'revokeClientToken');
  const { appId } = requirePlatform(ctx);
  const owner = await resolveToken(ctx.db, token, ctx.now);
  if (!owner || owner.appId !== appId) return false;
  return revokeToken(ctx.db, token, ctx.now);
}

/** Revokes every live token of a user (all their clients and sessions are signed out); returns how many. */
export async function revokeUserTokens(ctx: RequestContext, userId: string): Promise<number> {
  await limitWrite(ctx, 'revokeUserTokens');
  const { appId } = requirePlatform(ctx);
  await requireAppUser(ctx, userId);
  return revokeAllTokens(ctx.db, appId, userId, ctx.now);
}
