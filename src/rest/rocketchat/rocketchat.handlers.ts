import { z } from 'zod';
import type { ViewerContext } from '../../domain/context.js';
import { loginWithPassword } from '../../domain/apps/password-login.service.js';
import { InvalidInputError, UnauthenticatedError } from '../../domain/errors.js';
import { listRoomChangesSince } from '../../domain/rooms/room-list.service.js';
import { revokeToken } from '../../domain/tokens/token.service.js';
import { viewerContext } from '../context.js';
import type { RestDeps, RestHandler } from '../dialect.js';
import { jsonResponse } from '../http.js';
import { loginAppHint, readLoginBody } from '../login-body.js';
import { loginClient } from '../client.js';
import { parseQuery } from '../query-params.js';
import type { RestRequest } from '../rest-request.js';
import { rcAuthError } from './rocketchat.errors.js';
import { roomsGetQuery } from './rocketchat.params.js';
import { loadRoom, presentMe } from './rocketchat.present.js';

export async function rcContext(
  rest: RestRequest,
  deps: RestDeps,
): Promise<ViewerContext & { token: string }> {
  const ctx = await viewerContext(deps, rest, ['rocketchat'], 'Missing X-User-Id / X-Auth-Token');
  if (ctx.credentials.kind !== 'rocketchat')
    throw new UnauthenticatedError('Missing X-User-Id / X-Auth-Token');
  return { ...ctx, token: ctx.credentials.token };
}

/** Login, logout and me answer every error in Rocket.Chat's {status:"error"} shape. */
function withStatusErrors(handler: RestHandler): RestHandler {
  return async (rest, deps) => {
    try {
      return await handler(rest, deps);
    } catch (error) {
      return rcAuthError(error, rest);
    }
  };
}

const loginSchema = z.object({
  user: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
  password: z.string().min(1),
});

/** POST /api/v1/login {user | username | email, password}. */
export const login: RestHandler = withStatusErrors(async (rest, deps) => {
  const body = await readLoginBody(rest, loginSchema, '{"user": "<username>", "password": "<password>"}');
  const name = body.user ?? body.username ?? body.email;
  if (name === undefined) {
    throw new InvalidInputError('Invalid login request: send user (or username) and password', {
      field: 'user',
    });
  }
  const { user, token } = await loginWithPassword(deps.db, {
    hint: loginAppHint(rest, deps.config),
    client: loginClient(rest, deps),
    login: name,
    password: body.password,
    kind: 'login',
    ttlSeconds: deps.config.TOKEN_TTL_SECONDS,
  });
  return jsonResponse(200, {
    status: 'success',
    data: { userId: user.id, authToken: token.token, me: presentMe(user) },
  });
});

/** POST (or GET) /api/v1/logout: revokes the X-Auth-Token. */
export const logout: RestHandler = withStatusErrors(async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  await revokeToken(deps.db, ctx.token);
  return jsonResponse(200, { status: 'success', data: { message: "You've been logged out!" } });
});

/** GET /api/v1/me. */
export const me: RestHandler = withStatusErrors(async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  const user = ctx.viewer.userId === null ? null : await ctx.loaders.user.load(ctx.viewer.userId);
  if (!user) throw new UnauthenticatedError('The user of this token no longer exists');
  return jsonResponse(200, { ...presentMe(user), success: true });
});

/**
 * GET /api/v1/rooms.get[?updatedSince=]: without updatedSince every open room of the
 * user in `update`; with it, the rooms changed since then in `update` and the rooms
 * deleted or left since then in `remove`.
 */
export const roomsGet: RestHandler = async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  const { updatedSince } = parseQuery(rest.query, roomsGetQuery);
  const changes = await listRoomChangesSince(ctx, updatedSince ?? null);
  const update = await Promise.all(changes.updated.map((view) => loadRoom(ctx, view.room)));
  const remove = changes.removed.map((r) => ({ _id: r.roomId, _deletedAt: r.at.toISOString() }));
  return jsonResponse(200, { update, remove, success: true });
};
