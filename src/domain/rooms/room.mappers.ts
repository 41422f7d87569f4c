import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { RoomTable } from '../../db/schema.js';
import type { Room } from './room.js';

/*
 * The rooms table's row <-> Room mapping, decided once for every query that reads or
 * writes a room (the room list and the room loader join these columns too): camelCase
 * names, JSON columns, the avatar's three columns as one value.
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

export type RoomRow = Omit<
  Selectable<RoomTable>,
  'avatar' | 'avatar_mime' | 'avatar_filename' | 'direct_key'
> & {
  has_avatar: boolean;
};

/** Whether the room has an avatar, without reading its bytes. */
export const hasAvatarColumn = sql<boolean>`r.avatar is not null`.as('has_avatar');

/** roomColumns without their alias, for INSERT ... RETURNING (which takes none). */
export const returnedRoomColumns = [
  ...roomColumns.map((c) => c.slice(2) as Unaliased<(typeof roomColumns)[number]>),
  sql<boolean>`avatar is not null`.as('has_avatar'),
];
type Unaliased<T extends string> = T extends `r.${infer Column}` ? Column : never;

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

/** A room to insert: what its creator decides (the database numbers it and counts its messages). */
export type NewRoom = Pick<
  Room,
  | 'appId'
  | 'id'
  | 'name'
  | 'cover'
  | 'description'
  | 'roomType'
  | 'visibility'
  | 'webhook'
  | 'botState'
  | 'botMode'
  | 'encrypted'
  | 'serviceStatus'
  | 'roomTags'
  | 'topic'
  | 'readOnly'
  | 'isDefault'
  | 'parentId'
  | 'customFields'
  | 'createdBy'
  | 'memberCount'
  | 'createdAt'
> & {
  /** The sorted pair of a direct room's users, which makes it unique; null for a group. */
  directKey: string | null;
};

/** The stored avatar: its bytes with what the upload said they were. */
export interface StoredAvatar {
  bytes: Uint8Array;
  mime: string;
  filename: string;
}

export function toNewRoomRow(room: NewRoom): Insertable<RoomTable> {
  return {
    app_id: room.appId,
    id: room.id,
    name: room.name,
    cover: room.cover,
    description: room.description,
    room_type: room.roomType,
    visibility: room.visibility,
    direct_key: room.directKey,
    webhook: room.webhook,
    bot_state: room.botState,
    bot_mode: room.botMode,
    encrypted: room.encrypted,
    service_status: room.serviceStatus,
    room_tags: room.roomTags,
    topic: room.topic,
    read_only: room.readOnly,
    is_default: room.isDefault,
    parent_id: room.parentId,
    custom_fields: JSON.stringify(room.customFields),
    created_by: room.createdBy,
    member_count: room.memberCount,
    created_at: room.createdAt,
    updated_at: room.createdAt,
  };
}

/** Settings a room update may change; `avatar` null removes it. */
export type RoomChanges = Partial<
  Pick<
    Room,
    | 'name'
    | 'description'
    | 'cover'
    | 'topic'
    | 'roomTags'
    | 'readOnly'
    | 'archived'
    | 'visibility'
    | 'customFields'
  > & { avatar: StoredAvatar | null }
>;

export function toChangedColumns(changes: RoomChanges): Updateable<RoomTable> {
  const { avatar } = changes;
  return {
    ...(changes.name !== undefined && { name: changes.name }),
    ...(changes.description !== undefined && { description: changes.description }),
    ...(changes.cover !== undefined && { cover: changes.cover }),
    ...(changes.topic !== undefined && { topic: changes.topic }),
    ...(changes.roomTags !== undefined && { room_tags: changes.roomTags }),
    ...(changes.readOnly !== undefined && { read_only: changes.readOnly }),
    ...(changes.archived !== undefined && { archived: changes.archived }),
    ...(changes.visibility !== undefined && { visibility: changes.visibility }),
    ...(changes.customFields !== undefined && { custom_fields: JSON.stringify(changes.customFields) }),
    ...(avatar !== undefined && {
      avatar: avatar?.bytes ?? null,
      avatar_mime: avatar?.mime ?? null,
      avatar_filename: avatar?.filename ?? null,
    }),
  };
}
