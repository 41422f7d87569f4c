import { z } from 'zod';
import { SESSION_COOKIE } from '../../auth/credentials.js';
import type { ViewerContext } from '../../domain/context.js';
import { loginWithPassword } from '../../domain/apps/password-login.service.js';
import { UnauthenticatedError } from '../../domain/errors.js';
import { getRoomAvatarImage, getRoomByNumIdForViewer } from '../../domain/rooms/room.service.js';
import { listViewerRooms } from '../../domain/rooms/room-list.service.js';
import { revokeToken } from '../../domain/tokens/token.service.js';
import { viewerContext } from '../context.js';
import type { RestConfig, RestDeps, RestHandler } from '../dialect.js';
import { jsonResponse } from '../http.js';
import { loginAppHint, readLoginBody } from '../login-body.js';
import { loginClient } from '../client.js';
import { parsePositiveIntId } from '../params.js';
import type { RestRequest } from '../rest-request.js';
import { DEFAULT_AVATAR } from './default-avatar.js';
import { NO_BEARER, WRONG_BEARER } from './virola.errors.js';
import { loadRoom } from './virola.present.js';

async function virolaContext(rest: RestRequest, deps: RestDeps): Promise<ViewerContext & { token: string }> {
  const ctx = await viewerContext(deps, rest, ['session', 'bearer'], NO_BEARER);
  const { credentials } = ctx;
  if (credentials.kind !== 'session' && credentials.kind !== 'bearer')
    throw new UnauthenticatedError(WRONG_BEARER);
  return { ...ctx, token: credentials.token };
}

/** Secure when configured, or when the request came over TLS (directly or through a proxy that says so). */
function isSecure(rest: RestRequest, config: RestConfig): boolean {
  const forwarded = rest.request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return config.COOKIE_SECURE || rest.url.protocol === 'https:' || forwarded === 'https';
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

const loginSchema = z.object({ userName: z.string().min(1), password: z.string().min(1) });

/** POST /api/v1/login {userName, password}: a session (HttpOnly cookie) and its id. */
export const login: RestHandler = async (rest, deps) => {
  const body = await readLoginBody(
    rest,
    loginSchema,
    '{"userName": "<user name>", "password": "<password>"}',
  );
  const ttl = deps.config.TOKEN_TTL_SECONDS;
  const { user, token } = await loginWithPassword(deps.db, {
    hint: loginAppHint(rest, deps.config),
    client: loginClient(rest, deps),
    login: body.userName,
    password: body.password,
    kind: 'session',
    ttlSeconds: ttl,
  });
  return jsonResponse(
    200,
    { httpStatusCode: 200, userId: user.numId, userSessionId: token.token },
    { 'set-cookie': sessionCookie(token.token, ttl, isSecure(rest, deps.config)) },
  );
};

/** POST (or GET) /api/v1/logout: ends the session and clears the cookie. */
export const logout: RestHandler = async (rest, deps) => {
  const ctx = await virolaContext(rest, deps);
  await revokeToken(deps.db, ctx.token);
  return jsonResponse(
    200,
    { httpStatusCode: 200 },
    { 'set-cookie': sessionCookie('', 0, isSecure(rest, deps.config)) },
  );
};

/** GET /api/v1/status: whether the session is valid, and whose it is. */
export const status: RestHandler = async (rest, deps) => {
  const ctx = await virolaContext(rest, deps);
  const user = ctx.viewer.userId === null ? null : await ctx.loaders.user.load(ctx.viewer.userId);
  if (!user) throw new UnauthenticatedError(WRONG_BEARER);
  return jsonResponse(200, {
    httpStatusCode: 200,
    userId: user.numId,
    userName: user.username,
    displayName: user.nickname,
  });
};

/** GET /api/v1/rooms: every room of the user, most recently active first. */
export const listRooms: RestHandler = async (rest, deps) => {
  const ctx = await virolaContext(rest, deps);
  const page = await listViewerRooms(
    ctx,
    { filter: {}, orderBy: [], unreadFirst: false },
    { offset: 0, limit: null },
  );
  const rooms = await Promise.all(page.rows.map((edge) => loadRoom(ctx, edge.node)));
  return jsonResponse(200, { httpStatusCode: 200, rooms });
};

/**
 * GET /api/v1/rooms/{roomId}/avatar.jpg: the room's image with the type its bytes say, or
 * the default one when it has none or what is stored is not a raster image (avatar.ts).
 */
export const roomAvatar: RestHandler = async (rest, deps) => {
  const ctx = await virolaContext(rest, deps);
  const numId = parsePositiveIntId(rest.params.roomId ?? '', 'roomId');
  const view = await getRoomByNumIdForViewer(ctx, numId);
  const avatar = (await getRoomAvatarImage(ctx, view.room.id)) ?? DEFAULT_AVATAR;
  const asciiName = avatar.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(new Uint8Array(avatar.bytes), {
    status: 200,
    headers: {
      'content-type': avatar.mime,
      'content-length': String(avatar.bytes.byteLength),
      'content-disposition': `inline; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(avatar.filename)}`,
      'cache-control': 'private, no-cache',
    },
  });
};
