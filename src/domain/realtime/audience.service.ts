import type { RequestContext } from '../context.js';
import { requireUser, requireViewer } from '../access.js';
import { memberKey } from '../rooms/member-key.js';
import { selectMemberRoomIds } from '../rooms/membership.repository.js';

/*
 * Who hears what, where the usual read check cannot say (getRoomForViewer authorizes
 * every event of a room that still exists): which rooms a viewer's room list follows,
 * and who may hear that a room is gone once it can no longer be read.
 */

/** The rooms whose events change the viewer's room list: the live rooms they are a member of. */
export async function listViewerRoomIds(ctx: RequestContext): Promise<string[]> {
  const viewer = requireUser(ctx);
  return selectMemberRoomIds(ctx.db, viewer.appId, viewer.userId);
}

/**
 * Whether the viewer may hear that a room was deleted: the app's API key, or a user who
 * was still a member when it was (a deleted room is no longer readable, so the usual
 * check cannot answer this).
 */
export async function mayHearRoomDeletion(ctx: RequestContext, roomId: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (viewer.superuser) return true;
  if (viewer.userId === null) return false;
  const membership = await ctx.loaders.membership.load(memberKey(roomId, viewer.userId));
  return membership !== null && membership.leftAt === null;
}
