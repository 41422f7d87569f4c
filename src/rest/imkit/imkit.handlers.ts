import type { ViewerContext } from '../../domain/context.js';
import type { MessageListQuery } from '../../domain/messages/message.js';
import {
  countRoomMessages,
  listRoomMessages,
  type MessageAnchor,
} from '../../domain/messages/message.service.js';
import type { PageRequest } from '../../domain/pagination.js';
import { countViewerRooms, listViewerRooms } from '../../domain/rooms/room-list.service.js';
import { validateRoomId } from '../../domain/rooms/room-id.js';
import { getRoomForViewer } from '../../domain/rooms/room.service.js';
import { listAllRoomMembers } from '../../domain/rooms/membership.service.js';
import { viewerContext } from '../context.js';
import type { RestHandler } from '../dialect.js';
import { jsonResponse } from '../http.js';
import type { RestRequest } from '../rest-request.js';
import { parseMessageListParams, parseRoomListParams, type MessageListParams } from './imkit.params.js';
import { loadMessage, loadRoom, loadRoomDetail } from './imkit.present.js';

export function imkitContext(rest: RestRequest, deps: Parameters<RestHandler>[1]): Promise<ViewerContext> {
  return viewerContext(
    deps,
    rest,
    ['imkit', 'apiKey'],
    'Missing credentials: send IM-CLIENT-KEY and IM-Authorization (or the app API key as IM-API-KEY)',
  );
}

export function ok(result: unknown): Response {
  return jsonResponse(200, { RC: 0, RM: 'OK', result });
}

export function roomIdParam(rest: RestRequest): string {
  const id = rest.params.id ?? '';
  validateRoomId(id, 'id');
  return id;
}

/** GET /rooms: the viewer's rooms, sorted, filtered, paged by skip/limit. */
export const listRooms: RestHandler = async (rest, deps) => {
  const ctx = await imkitContext(rest, deps);
  const params = parseRoomListParams(rest.query);
  const started = performance.now();
  const [page, totalCount] = await Promise.all([
    listViewerRooms(ctx, params.query, params.page),
    countViewerRooms(ctx, params.query.filter),
  ]);
  const data = await Promise.all(page.rows.map((edge) => loadRoom(ctx, edge.node)));
  const { filter } = params.query;
  const since = filter.updatedAfter;
  // Described the way IMKit's own inspect block shows it: message ids as ObjectIds of that time.
  const query: Record<string, unknown> = {
    appID: ctx.viewer.appId,
    members: ctx.viewer.userId,
    ...(since !== undefined && {
      $or: [{ lastMessage: { $gt: objectIdAt(since) } }, { createdTime: { $gt: since.toISOString() } }],
    }),
    ...(filter.tags !== undefined && { 'pref.tags': { $in: filter.tags } }),
    ...(filter.folder !== undefined && { 'pref.folder': filter.folder }),
    ...(filter.hidden !== undefined && { 'pref.hidden': filter.hidden }),
    ...(filter.sticky !== undefined && { 'pref.sticky': filter.sticky }),
    ...(filter.muted !== undefined && { 'pref.muted': filter.muted }),
    status: 1,
  };
  return ok({ totalCount, inspect: { query, tookMS: tookMs(started) }, data });
};

/** GET /rooms/{id}: one room with every member's badge and read position. */
export const getRoom: RestHandler = async (rest, deps) => {
  const ctx = await imkitContext(rest, deps);
  const roomId = roomIdParam(rest);
  const view = await getRoomForViewer(ctx, roomId);
  const members = await listAllRoomMembers(ctx, roomId);
  return ok(await loadRoomDetail(ctx, view, members));
};

/**
 * GET /rooms/{id}/messages/v3. `data` is always in ascending (timeRangeField, sequence)
 * order. No cursor: the newest `limit` messages (or, with afterTime, the first `limit`
 * after it); beforeMessage: the `limit` just before that message; afterMessage: the
 * `limit` just after it. Keyset pages, so paging never skips or repeats a message.
 */
export const listMessages: RestHandler = async (rest, deps) => {
  const ctx = await imkitContext(rest, deps);
  const roomId = roomIdParam(rest);
  const params = parseMessageListParams(rest.query);
  const started = performance.now();
  const query: MessageListQuery = {
    filter: {
      ...(params.afterTime && { afterTime: params.afterTime }),
      timeRangeField: params.timeRangeField,
    },
    orderBy: params.timeRangeField,
  };
  const { page, anchor } = messagePage(params);
  const [result, totalCount] = await Promise.all([
    listRoomMessages(ctx, roomId, query, page, anchor),
    countRoomMessages(ctx, roomId, {}),
  ]);
  const data = await Promise.all(result.rows.map((edge) => loadMessage(ctx, edge.node)));
  const inspectQuery: Record<string, unknown> = {
    appID: ctx.viewer.appId,
    room: roomId,
    ...(params.afterTime && { [params.timeRangeName]: { $gt: params.afterTime.toISOString() } }),
  };
  return ok({
    totalCount,
    inspect: { query: inspectQuery, tookMS: tookMs(started) },
    data,
    userDeletedIDs: result.userDeletedIds,
  });
};

/**
 * Which page: the `limit` just before (or after) the named message, whose position the page's
 * own statement reads; from afterTime forward; or the newest.
 */
function messagePage(params: MessageListParams): { page: PageRequest; anchor?: MessageAnchor } {
  const { limit } = params;
  if (params.beforeMessage !== undefined) {
    return {
      page: { limit, backward: true, cursor: null },
      anchor: { messageId: params.beforeMessage, field: 'beforeMessage' },
    };
  }
  if (params.afterMessage !== undefined) {
    return {
      page: { limit, backward: false, cursor: null },
      anchor: { messageId: params.afterMessage, field: 'afterMessage' },
    };
  }
  return { page: { limit, backward: !params.afterTime, cursor: null } };
}

/** The smallest ObjectId-style message id of a second: "5f87c2cf0000000000000000". */
function objectIdAt(time: Date): string {
  return (
    Math.floor(time.getTime() / 1000)
      .toString(16)
      .padStart(8, '0') + '0'.repeat(16)
  );
}

function tookMs(started: number): number {
  return Math.round(performance.now() - started);
}
