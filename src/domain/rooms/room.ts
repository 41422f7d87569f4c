import type { MemberRole, RoomType, RoomVisibility } from '../../db/schema.js';
import type { User } from '../users/user.js';

export type { MemberRole, RoomType, RoomVisibility };

/** A room as every transport sees it; viewer-specific parts live in Membership and RoomPref. */
export interface Room {
  appId: string;
  id: string;
  numId: number;
  name: string;
  cover: string;
  description: string;
  roomType: RoomType;
  visibility: RoomVisibility;
  webhook: string;
  botState: string;
  botMode: boolean;
  encrypted: boolean;
  serviceStatus: number;
  roomTags: string[];
  status: number;
  topic: string;
  readOnly: boolean;
  archived: boolean;
  isDefault: boolean;
  parentId: string | null;
  customFields: Record<string, unknown>;
  hasAvatar: boolean;
  createdBy: string | null;
  memberCount: number;
  /** The room's message sequence: the number of messages ever sent into it. */
  messageSeq: number;
  lastMessageId: string | null;
  lastMessageAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** A user's place in a room. unread = room.messageSeq - readSeq, O(1) both ways. */
export interface Membership {
  appId: string;
  roomId: string;
  userId: string;
  role: MemberRole;
  joinedAt: Date;
  leftAt: Date | null;
  updatedAt: Date;
  readSeq: number;
  lastReadMessageId: string | null;
}

/** A user's own settings for a room; a room with no row has the defaults. */
export interface RoomPref {
  appId: string;
  userId: string;
  roomId: string;
  tags: string[];
  tagColors: Record<string, string>;
  hidden: boolean;
  sticky: boolean;
  muted: boolean;
  folder: string | null;
  updatedAt: Date | null;
}

/** One row of a user's room list: the room with the viewer's membership and pref. */
export interface ViewerRoom {
  room: Room;
  membership: Membership;
  pref: RoomPref;
  unread: number;
}

/** A member as listed in a room: the membership with the user's public fields. */
export interface RoomMember {
  membership: Membership;
  unread: number;
  /** The member's user, when the statement that listed them read it too (first members). */
  user?: User;
}

export interface RoomFilter {
  /** Any of these pref tags. */
  tags?: string[];
  folder?: string;
  hidden?: boolean;
  sticky?: boolean;
  muted?: boolean;
  roomType?: RoomType;
  /** Rooms with a message, or created, after this time (incremental sync). */
  updatedAfter?: Date;
  hasUnread?: boolean;
  nameContains?: string;
  /** Rooms whose room row, the viewer's membership or pref changed after this time (Rocket.Chat sync). */
  changedSince?: Date;
}

export type RoomOrderField = 'LAST_MESSAGE_TIME' | 'CREATED_TIME' | 'NAME' | 'UNREAD_COUNT';
export type SortDirection = 'ASC' | 'DESC';

export interface RoomOrder {
  field: RoomOrderField;
  direction: SortDirection;
}

export const DEFAULT_ROOM_ORDER: RoomOrder[] = [{ field: 'LAST_MESSAGE_TIME', direction: 'DESC' }];

export interface RoomListQuery {
  filter: RoomFilter;
  /** Applied in order, then by room id for a total order. Empty = DEFAULT_ROOM_ORDER. */
  orderBy: RoomOrder[];
  /** Rooms with unread messages before all others. */
  unreadFirst: boolean;
}

/** A page by position, only for IMKit's documented `skip` (keyset pages everywhere else); limit null: all. */
export type OffsetPage = { offset: number; limit: number | null };

export function defaultPref(appId: string, userId: string, roomId: string): RoomPref {
  return {
    appId,
    userId,
    roomId,
    tags: [],
    tagColors: {},
    hidden: false,
    sticky: false,
    muted: false,
    folder: null,
    updatedAt: null,
  };
}
