import { sql, type Selectable } from 'kysely';
import type { MembershipTable, RoomTable, UserRoomPrefTable } from '../../db/schema.js';
import type { Membership, Room, RoomPref } from './room.js';

/*
 * Row-to-domain mapping for rooms, memberships and prefs, shared by every query that
 * reads them, so camelCase names and defaults are decided once.
 */

/** The room columns every read selects (the avatar bytes only when asked for). */
export const roomColumns = [
  'r.app_id',
  'r.id',
  'r.num_id',
  'r.name',
  'r.cover',
  'r.description',
  'r.room_type',
  'r.visibility',
  'r.webhook',
  'r.bot_state',
  'r.bot_mode',
  'r.encrypted',
  'r.service_status',
  'r.room_tags',
  'r.status',
  'r.topic',
  'r.read_only',
  'r.archived',
  'r.is_default',
  'r.parent_id',
  'r.custom_fields',
  'r.created_by',
  'r.member_count',
  'r.message_seq',
  'r.last_message_id',
  'r.last_message_at',
  'r.created_at',
  'r.updated_at',
  'r.deleted_at',
] as const;

type RoomRow = Omit<Selectable<RoomTable>, 'avatar' | 'avatar_mime' | 'avatar_filename' | 'direct_key'> & {
  has_avatar: boolean;
};

type Unprefixed<T extends string> = T extends `${string}.${infer Column}` ? Column : T;

/** Column names without their table alias, for INSERT ... RETURNING (which takes no alias). */
export function unprefixed<const T extends readonly string[]>(columns: T): Unprefixed<T[number]>[] {
  return columns.map((c) => c.slice(c.indexOf('.') + 1)) as Unprefixed<T[number]>[];
}

/** Whether the room has an avatar, without reading its bytes. */
export const hasAvatarColumn = sql<boolean>`r.avatar is not null`.as('has_avatar');
export const hasAvatarBare = sql<boolean>`avatar is not null`.as('has_avatar');

export function toRoom(row: RoomRow): Room {
  return {
    appId: row.app_id,
    id: row.id,
    numId: row.num_id,
    name: row.name,
    cover: row.cover,
    description: row.description,
    roomType: row.room_type,
    visibility: row.visibility,
    webhook: row.webhook,
    botState: row.bot_state,
    botMode: row.bot_mode,
    encrypted: row.encrypted,
    serviceStatus: row.service_status,
    roomTags: row.room_tags,
    status: row.status,
    topic: row.topic,
    readOnly: row.read_only,
    archived: row.archived,
    isDefault: row.is_default,
    parentId: row.parent_id,
    customFields: row.custom_fields,
    hasAvatar: row.has_avatar,
    createdBy: row.created_by,
    memberCount: row.member_count,
    messageSeq: row.message_seq,
    lastMessageId: row.last_message_id,
    lastMessageAt: row.last_message_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export const membershipColumns = [
  'm.app_id',
  'm.room_id',
  'm.user_id',
  'm.role',
  'm.joined_at',
  'm.left_at',
  'm.updated_at',
  'm.read_seq',
  'm.last_read_message_id',
] as const;

export function toMembership(row: Selectable<MembershipTable>): Membership {
  return {
    appId: row.app_id,
    roomId: row.room_id,
    userId: row.user_id,
    role: row.role,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
    updatedAt: row.updated_at,
    readSeq: row.read_seq,
    lastReadMessageId: row.last_read_message_id,
  };
}

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

/** The key membership and pref loaders use: one user in one room (its home is member-key.ts). */
export { memberKey } from './member-key.js';

/**
 * The viewer's membership and pref columns, aliased, for queries that join them to
 * rooms (the room list, the room loader): one list so both read the same fields.
 */
export const viewerStateColumns = [
  'm.role as m_role',
  'm.joined_at as m_joined_at',
  'm.left_at as m_left_at',
  'm.updated_at as m_updated_at',
  'm.read_seq as m_read_seq',
  'm.last_read_message_id as m_last_read_message_id',
  'p.tags as p_tags',
  'p.tag_colors as p_tag_colors',
  'p.hidden as p_hidden',
  'p.sticky as p_sticky',
  'p.muted as p_muted',
  'p.folder as p_folder',
  'p.updated_at as p_updated_at',
] as const;

/** The viewerStateColumns of a row; membership columns are null when the join found none. */
export interface ViewerStateRow {
  m_role: Membership['role'] | null;
  m_joined_at: Date | null;
  m_left_at: Date | null;
  m_updated_at: Date | null;
  m_read_seq: number | null;
  m_last_read_message_id: string | null;
  p_tags: string[] | null;
  p_tag_colors: Record<string, string> | null;
  p_hidden: boolean | null;
  p_sticky: boolean | null;
  p_muted: boolean | null;
  p_folder: string | null;
  p_updated_at: Date | null;
}

export function toJoinedMembership(
  row: ViewerStateRow,
  appId: string,
  roomId: string,
  userId: string,
): Membership | null {
  if (
    row.m_role === null ||
    row.m_joined_at === null ||
    row.m_updated_at === null ||
    row.m_read_seq === null
  ) {
    return null;
  }
  return {
    appId,
    roomId,
    userId,
    role: row.m_role,
    joinedAt: row.m_joined_at,
    leftAt: row.m_left_at,
    updatedAt: row.m_updated_at,
    readSeq: row.m_read_seq,
    lastReadMessageId: row.m_last_read_message_id,
  };
}

/** The joined pref, or null when the user never set one (callers decide the defaults). */
export function toJoinedPref(
  row: ViewerStateRow,
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
