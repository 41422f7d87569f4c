import type { Kysely, Selectable } from 'kysely';
import type { Database, UserRoomPrefTable } from '../../db/schema.js';
import { pairsIn } from '../../db/sql-arrays.js';
import type { RoomPref } from './room.js';

type Executor = Kysely<Database>;

/*
 * The user_room_prefs table: a user's own settings for a room (tags, folder, hidden,
 * sticky, muted). No row means the defaults (defaultPref). Its queries and its
 * row <-> RoomPref mapping.
 */

export const prefColumns = [
  'p.app_id',
  'p.user_id',
  'p.room_id',
  'p.tags',
  'p.tag_colors',
  'p.hidden',
  'p.sticky',
  'p.muted',
  'p.folder',
  'p.updated_at',
] as const;

export function toPref(row: Selectable<UserRoomPrefTable>): RoomPref {
  return {
    appId: row.app_id,
    userId: row.user_id,
    roomId: row.room_id,
    tags: row.tags,
    tagColors: row.tag_colors,
    hidden: row.hidden,
    sticky: row.sticky,
    muted: row.muted,
    folder: row.folder,
    updatedAt: row.updated_at,
  };
}

/**
 * One user's pref columns, aliased, for queries that left-join it to rooms (the room
 * list, the room loader): one list so both read the same fields.
 */
export const joinedPrefColumns = [
  'p.tags as p_tags',
  'p.tag_colors as p_tag_colors',
  'p.hidden as p_hidden',
  'p.sticky as p_sticky',
  'p.muted as p_muted',
  'p.folder as p_folder',
  'p.updated_at as p_updated_at',
] as const;

/** The joinedPrefColumns of a row: null when the join found none. */
export interface JoinedPrefRow {
  p_tags: string[] | null;
  p_tag_colors: Record<string, string> | null;
  p_hidden: boolean | null;
  p_sticky: boolean | null;
  p_muted: boolean | null;
  p_folder: string | null;
  p_updated_at: Date | null;
}

/** The joined pref, or null when the user never set one (callers decide the defaults). */
export function toJoinedPref(
  row: JoinedPrefRow,
  appId: string,
  userId: string,
  roomId: string,
): RoomPref | null {
  if (row.p_updated_at === null) return null;
  return {
    appId,
    userId,
    roomId,
    tags: row.p_tags ?? [],
    tagColors: row.p_tag_colors ?? {},
    hidden: row.p_hidden ?? false,
    sticky: row.p_sticky ?? false,
    muted: row.p_muted ?? false,
    folder: row.p_folder,
    updatedAt: row.p_updated_at,
  };
}

export async function findPrefs(
  db: Executor,
  appId: string,
  keys: readonly { roomId: string; userId: string }[],
): Promise<RoomPref[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('user_room_prefs as p')
    .select(prefColumns)
    .where('p.app_id', '=', appId)
    .where(
      pairsIn(
        ['p.room_id', 'p.user_id'],
        keys.map((k) => [k.roomId, k.userId] as const),
      ),
    )
    .execute();
  return rows.map(toPref);
}

/** Writes a user's whole pref for a room (inserting it the first time); `now` is its updated time. */
export async function upsertPref(
  db: Executor,
  pref: Omit<RoomPref, 'updatedAt'>,
  now: Date,
): Promise<RoomPref> {
  const values = {
    app_id: pref.appId,
    user_id: pref.userId,
    room_id: pref.roomId,
    tags: pref.tags,
    tag_colors: JSON.stringify(pref.tagColors),
    hidden: pref.hidden,
    sticky: pref.sticky,
    muted: pref.muted,
    folder: pref.folder,
    updated_at: now,
  };
  const row = await db
    .insertInto('user_room_prefs')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['app_id', 'user_id', 'room_id']).doUpdateSet({
        tags: values.tags,
        tag_colors: values.tag_colors,
        hidden: values.hidden,
        sticky: values.sticky,
        muted: values.muted,
        folder: values.folder,
        updated_at: now,
      }),
    )
    .returning([
      'app_id',
      'user_id',
      'room_id',
      'tags',
      'tag_colors',
      'hidden',
      'sticky',
      'muted',
      'folder',
      'updated_at',
    ])
    .executeTakeFirstOrThrow();
  return toPref(row);
}
