import { isDomainError } from '../../domain/errors.js';
import { listRoomChangesSince } from '../../domain/rooms/room-list.service.js';
import { markRoomRead } from '../../domain/rooms/read-state.service.js';
import type { RestHandler } from '../dialect.js';
import { jsonResponse } from '../http.js';
import { parseQuery } from '../query-params.js';
import { readRcBody } from './rocketchat.body.js';
import { RcApiError, rcInvalidParams } from './rocketchat.errors.js';
import { rcContext } from './rocketchat.handlers.js';
import { subscriptionsGetQuery } from './rocketchat.params.js';
import { rcSubscriptionsReadRequest } from './rocketchat.schemas.js';
import { loadSubscription, subscriptionId } from './rocketchat.subscription-present.js';

/*
 * Rocket.Chat's subscriptions: where its clients read unread counts, alerts, favorites
 * and last-seen times (rooms.get has none of them), and how they mark a room read.
 */

/**
 * GET /api/v1/subscriptions.get[?updatedSince=]: every subscription of the user in
 * `update` (remove empty), or with updatedSince the ones changed since then in `update`
 * and the ones gone since then (left, room deleted) in `remove`.
 */
export const subscriptionsGet: RestHandler = async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  const { updatedSince } = parseQuery(rest.query, subscriptionsGetQuery);
  const changes = await listRoomChangesSince(ctx, updatedSince ?? null);
  const update = await Promise.all(changes.updated.map((view) => loadSubscription(ctx, view)));
  const userId = ctx.viewer.userId ?? '';
  const remove = changes.removed.map((r) => ({
    _id: subscriptionId(r.roomId, userId),
    _deletedAt: r.at.toISOString(),
  }));
  return jsonResponse(200, { update, remove, success: true });
};

/**
 * POST /api/v1/subscriptions.read {rid | roomId}: the user has read the room up to its
 * newest message. A room the user has no subscription to (not a member, no such room)
 * is Rocket.Chat's 400 "error-invalid-subscription".
 */
export const subscriptionsRead: RestHandler = async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  const body = await readRcBody(rest, rcSubscriptionsReadRequest);
  const roomId = body.rid ?? body.roomId;
  if (roomId === undefined || roomId === '') {
    throw rcInvalidParams([
      "must have required property 'rid'",
      "must have required property 'roomId'",
      'must match a schema in anyOf',
    ]);
  }
  try {
    await markRoomRead(ctx, roomId);
  } catch (error) {
    if (isDomainError(error) && (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')) {
      throw new RcApiError(400, 'error-invalid-subscription');
    }
    throw error;
  }
  return jsonResponse(200, { success: true });
};
