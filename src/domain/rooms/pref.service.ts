import type { RequestContext } from '../context.js';
import { announceUserEvent } from '../announce.js';
import { loadReadableRoom, requireUser } from '../access.js';
import { ForbiddenError, InvalidInputError } from '../errors.js';
import { limitWrite } from '../write-limit.js';
import { checkLength, checkTags } from '../input-limits.js';
import { memberKey } from './member-key.js';
import { upsertPref } from './pref.repository.js';
import type { RoomPref } from './room.js';

/*
 * A user's own settings for a room they are in (pref tags and their colors, folder,
 * hidden, sticky, muted): nobody else sees or changes them.
 */

export interface RoomPrefPatch {
  tags?: string[];
  tagColors?: Record<string, string>;
  hidden?: boolean;
  sticky?: boolean;
  muted?: boolean;
  folder?: string | null;
}

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** Changes the given fields of the viewer's pref for a room; the others stay. */
export async function updateRoomPref(
  ctx: RequestContext,
  roomId: string,
  patch: RoomPrefPatch,
): Promise<RoomPref> {
  await limitWrite(ctx, 'updateRoomPref');
  const viewer = requireUser(ctx);
  const { membership } = await loadReadableRoom(ctx, roomId);
  if (!membership) throw new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' });
  for (const [tag, color] of Object.entries(patch.tagColors ?? {})) {
    if (!HEX_COLOR.test(color)) {
      throw new InvalidInputError(`Tag color for "${tag}" must be a hex color like #ffa01a, not "${color}"`, {
        field: 'tagColors',
      });
    }
  }
  checkTags(patch.tags, 'prefTags', 'prefTag', 'tags');
  checkTags(Object.keys(patch.tagColors ?? {}), 'tagColors', 'prefTag', 'tagColors');
  checkLength(patch.folder, 'folder');
  const key = memberKey(roomId, viewer.userId);
  const current = await ctx.loaders.pref.load(key);
  const next = {
    appId: viewer.appId,
    userId: viewer.userId,
    roomId,
    tags: patch.tags ? [...new Set(patch.tags)] : current.tags,
    tagColors: patch.tagColors ?? current.tagColors,
    hidden: patch.hidden ?? current.hidden,
    sticky: patch.sticky ?? current.sticky,
    muted: patch.muted ?? current.muted,
    folder: patch.folder !== undefined ? patch.folder : current.folder,
  };
  const saved = await upsertPref(ctx.db, next, ctx.now);
  ctx.loaders.pref.clear(key).prime(key, saved);
  announceUserEvent(ctx, 'PREF_UPDATED', [viewer.userId], roomId);
  return saved;
}
