import DataLoader from 'dataloader';
import type { Db } from '../db/create-database.js';
import type { Message, ReactionSummary } from './messages/message.js';
import {
  findDeletedForUsers,
  findMessagesByIds,
  findReactionSummaries,
} from './messages/message.repository.js';
import { defaultPref, type Membership, type Room, type RoomPref } from './rooms/room.js';
import { memberKey, pairKey, parseMemberKey, parsePairKey } from './rooms/member-key.js';
import { findFirstMembers } from './rooms/member-list.repository.js';
import { findMemberships } from './rooms/membership.repository.js';
import { findPrefs } from './rooms/pref.repository.js';
import { findRoomIdsByNumIds, findRoomsByIds, findRoomsWithUserState } from './rooms/room.repository.js';
import type { User } from './users/user.js';
import { findUsersByIds } from './users/user.repository.js';

/*
 * The per-request DataLoaders: the only way relations are read. Each batch function
 * runs one statement for all keys of a tick and returns results in key order. They are
 * scoped to one app (the viewer's), so keys are ids within it; (room, user) pairs use
 * memberKey(). Services prime them with rows a list query already returned.
 */

/** Orders batch results by the keys asked for; missing keys become null. */
export function byKeys<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((key) => map.get(key) ?? null);
}

/** Keys come from memberKey(): never null here, but an empty pair finds nothing rather than throwing. */
function splitMemberKey(key: string): { roomId: string; userId: string } {
  return parseMemberKey(key) ?? { roomId: '', userId: '' };
}

/**
 * The loaders whose answers do not depend on who asks: relations keyed by id, and
 * per-user state keyed by memberKey (any user's, so one batch can serve many viewers).
 * A live feed shares one set across all its subscribers of one event (room-fanout.ts).
 */
export function createAppLoaders(db: Db, appId: string) {
  const firstMembersByLimit = new Map<number, DataLoader<string, { membership: Membership; user: User }[]>>();
  const user = new DataLoader<string, User | null>(async (ids) =>
    byKeys(ids, await findUsersByIds(db, appId, ids), (u) => u.id),
  );
  return {
    user,
    /** Live rooms by id, without anyone's membership; deleted rooms load as null. */
    liveRoom: new DataLoader<string, Room | null>(async (ids) =>
      byKeys(ids, await findRoomsByIds(db, appId, ids), (r) => r.id),
    ),
    /** Virola's integer room ids to room ids. */
    roomIdByNumId: new DataLoader<number, string | null>(async (numIds) => {
      const rows = await findRoomIdsByNumIds(db, appId, numIds);
      return byKeys(numIds, rows, (r) => r.numId).map((r) => r?.id ?? null);
    }),
    /** Membership by memberKey(roomId, userId), including ones that have left. */
    membership: new DataLoader<string, Membership | null>(async (keys) =>
      byKeys(keys, await findMemberships(db, appId, keys.map(splitMemberKey)), (m) =>
        memberKey(m.roomId, m.userId),
      ),
    ),
    /** A user's pref for a room by memberKey; the defaults when they never set one. */
    pref: new DataLoader<string, RoomPref>(async (keys) => {
      const found = byKeys(keys, await findPrefs(db, appId, keys.map(splitMemberKey)), (p) =>
        memberKey(p.roomId, p.userId),
      );
      return keys.map((key, i) => {
        const { roomId, userId } = splitMemberKey(key);
        return found[i] ?? defaultPref(appId, userId, roomId);
      });
    }),
    message: new DataLoader<string, Message | null>(async (ids) =>
      byKeys(ids, await findMessagesByIds(db, appId, ids), (m) => m.id),
    ),
    reactions: new DataLoader<string, ReactionSummary[]>(async (ids) => {
      const summaries = await findReactionSummaries(db, appId, ids);
      return ids.map((id) => summaries.get(id) ?? []);
    }),
    /** Whether a user deleted a message for themselves, by pairKey(messageId, userId). */
    deletedFor: new DataLoader<string, boolean>(async (keys) => {
      const pairs = keys.map((key): [string, string] => parsePairKey(key) ?? ['', '']);
      const deleted = await findDeletedForUsers(
        db,
        appId,
        pairs.map(([, userId]) => userId),
        pairs.map(([messageId]) => messageId),
      );
      const found = new Set(deleted.map((d) => pairKey(d.messageId, d.userId)));
      return keys.map((key) => found.has(key));
    }),
    /**
     * The first `limit` current members of a room with their users, oldest first; one
     * statement per limit for all rooms, which also primes the user loader.
     */
    firstMembers(limit: number): DataLoader<string, { membership: Membership; user: User }[]> {
      let loader = firstMembersByLimit.get(limit);
      if (!loader) {
        loader = new DataLoader(async (roomIds) => {
          const rows = await findFirstMembers(db, appId, roomIds, limit);
          const byRoom = new Map<string, { membership: Membership; user: User }[]>();
          for (const row of rows) {
            user.prime(row.user.id, row.user);
            const list = byRoom.get(row.membership.roomId);
            if (list) list.push(row);
            else byRoom.set(row.membership.roomId, [row]);
          }
          return roomIds.map((id) => byRoom.get(id) ?? []);
        });
        firstMembersByLimit.set(limit, loader);
      }
      return loader;
    },
  };
}

export type AppLoaders = ReturnType<typeof createAppLoaders>;

/** One request's loaders: the app's, and the viewer's view of rooms and deletions. */
export function createLoaders(db: Db, appId: string, viewerUserId: string | null) {
  const app = createAppLoaders(db, appId);
  if (viewerUserId === null) return viewerLoaders(app, null, app.liveRoom);
  /*
   * For a user viewer the room's statement brings their membership and pref along and
   * primes those loaders: a room is almost always read together with them (access
   * checks, unread, muted).
   */
  const room = new DataLoader<string, Room | null>(async (ids) => {
    const rows = await findRoomsWithUserState(db, appId, ids, viewerUserId);
    for (const row of rows) {
      const key = memberKey(row.room.id, viewerUserId);
      app.membership.prime(key, row.membership);
      app.pref.prime(key, row.pref ?? defaultPref(appId, viewerUserId, row.room.id));
    }
    return byKeys(
      ids,
      rows.map((row) => row.room),
      (r) => r.id,
    );
  });
  return viewerLoaders(app, viewerUserId, room);
}

/**
 * A viewer's loaders over loaders shared with other viewers (a live feed's event): rooms
 * without the per-viewer join, so the viewer's membership and pref come from the shared
 * memberKey loaders, which the feed primes for all its subscribers in one statement.
 */
export function createSharedViewerLoaders(app: AppLoaders, viewerUserId: string | null): Loaders {
  return viewerLoaders(app, viewerUserId, app.liveRoom);
}

function viewerLoaders(app: AppLoaders, viewerUserId: string | null, room: DataLoader<string, Room | null>) {
  const { liveRoom: _liveRoom, deletedFor, ...shared } = app;
  return {
    ...shared,
    /** Live rooms by id; deleted rooms load as null. */
    room,
    /** Whether the viewer deleted a message for themselves. */
    deletedForViewer: new DataLoader<string, boolean>(async (ids) => {
      if (viewerUserId === null) return ids.map(() => false);
      return deletedFor.loadMany(ids.map((id) => pairKey(id, viewerUserId)));
    }),
  };
}

export type Loaders = ReturnType<typeof viewerLoaders>;
