import type { RequestContext } from './context.js';
import type { RoomEventType, UserEventType } from '../realtime/events.js';

/*
 * Services call these after a write has committed, never inside the transaction: a
 * rolled-back write must not be heard.
 */

export function announceRoomEvent(
  ctx: RequestContext,
  type: RoomEventType,
  roomId: string,
  detail: { messageId?: string; userIds?: string[] } = {},
): void {
  if (!ctx.viewer) return;
  ctx.events.publish({
    scope: 'room',
    type,
    appId: ctx.viewer.appId,
    roomId,
    ...detail,
    actorId: ctx.viewer.userId,
    at: ctx.now.toISOString(),
  });
}

export function announceUserEvent(
  ctx: RequestContext,
  type: UserEventType,
  userIds: string[],
  roomId: string,
): void {
  if (!ctx.viewer) return;
  for (const userId of userIds) {
    ctx.events.publish({
      scope: 'user',
      type,
      appId: ctx.viewer.appId,
      userId,
      roomId,
      at: ctx.now.toISOString(),
    });
  }
}
