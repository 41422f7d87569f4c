import type { RequestContext } from './context.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from './errors.js';
import { memberKey } from './rooms/member-key.js';
import type { Membership, Room } from './rooms/room.js';
import type { Viewer } from './viewer.js';

/*
 * Who may see and touch a room: the rules every transport relies on, in one place.
 */

export type UserViewer = Viewer & { userId: string };

/**
 * The request carried no credentials at all: reason MISSING_CREDENTIALS, so a client can
 * tell "log in" from wrong, expired or revoked ones (INVALID_TOKEN: "renew your token").
 */
export function missingCredentials(message = 'Authentication required'): UnauthenticatedError {
  return new UnauthenticatedError(message, { reason: 'MISSING_CREDENTIALS' });
}

export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw missingCredentials();
  return ctx.viewer;
}

/** The viewer as a user (not the app's API key): for lists that are a user's own. */
export function requireUser(ctx: RequestContext): UserViewer {
  const viewer = requireViewer(ctx);
  if (viewer.userId === null) {
    throw new ForbiddenError('This needs a user: the API key acts for the app, not as a user', {
      reason: 'USER_REQUIRED',
    });
  }
  return viewer as UserViewer;
}

export interface RoomAccess {
  room: Room;
  /** The viewer's current membership; null for the app's API key. */
  membership: Membership | null;
}

export function roomNotFound(roomId: string): NotFoundError {
  return new NotFoundError(`Room "${roomId}" does not exist`, { reason: 'ROOM_NOT_FOUND' });
}

/**
 * A room the viewer may read: a current member, or the app's API key. Throws
 * NOT_FOUND (ROOM_NOT_FOUND) for no such live room in the viewer's app, FORBIDDEN
 * (NOT_ROOM_MEMBER) for a room the viewer is not in.
 */
export async function loadReadableRoom(ctx: RequestContext, roomId: string): Promise<RoomAccess> {
  const viewer = requireViewer(ctx);
  // The room first: its loader brings the viewer's membership along (loaders.ts), so the
  // membership below is a cache hit, not a second statement.
  const room = await ctx.loaders.room.load(roomId);
  const membership =
    viewer.userId === null ? null : await ctx.loaders.membership.load(memberKey(roomId, viewer.userId));
  if (!room) throw roomNotFound(roomId);
  const current = membership && membership.leftAt === null ? membership : null;
  if (!current && !viewer.superuser) {
    throw new ForbiddenError('Client is not in the room or room does not exist', {
      reason: 'NOT_ROOM_MEMBER',
    });
  }
  return { room, membership: current };
}

/** A room the viewer may manage (members, settings): its owners and moderators, or the API key. */
export async function loadManageableRoom(ctx: RequestContext, roomId: string): Promise<RoomAccess> {
  const access = await loadReadableRoom(ctx, roomId);
  if (ctx.viewer?.superuser) return access;
  if (access.membership?.role !== 'owner' && access.membership?.role !== 'moderator') {
    throw new ForbiddenError('Only the room owners and moderators may do this', {
      reason: 'NOT_ROOM_MODERATOR',
    });
  }
  return access;
}
