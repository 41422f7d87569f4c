import type { ColumnType, Generated } from 'kysely';

/*
 * The database as Kysely sees it: one interface per table, kept by hand beside the
 * migrations. Both drivers are configured to return int8 as a JavaScript number
 * (create-database.ts), so bigint columns are typed `number` here.
 */

/** A timestamp column: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface AppTable {
  id: string;
  name: string;
  client_key: string;
  api_key_hash: string;
  created_at: GeneratedTimestamp;
}

export interface UserTable {
  app_id: string;
  id: string;
  num_id: Generated<number>;
  username: string;
  nickname: Generated<string>;
  avatar_url: Generated<string>;
  description: Generated<string>;
  is_robot: Generated<boolean>;
  last_login_at: Timestamp | null;
  password_hash: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export type RoomType = 'direct' | 'group';
export type RoomVisibility = 'public' | 'private';

export interface RoomTable {
  app_id: string;
  id: string;
  num_id: Generated<number>;
  name: Generated<string>;
  cover: Generated<string>;
  description: Generated<string>;
  room_type: ColumnType<RoomType, RoomType | undefined, RoomType>;
  visibility: ColumnType<RoomVisibility, RoomVisibility | undefined, RoomVisibility>;
  direct_key: string | null;
  webhook: Generated<string>;
  bot_state: Generated<string>;
  bot_mode: Generated<boolean>;
  encrypted: Generated<boolean>;
  service_status: Generated<number>;
  room_tags: ColumnType<string[], string[] | undefined, string[]>;
  status: Generated<number>;
  topic: Generated<string>;
  read_only: Generated<boolean>;
  archived: Generated<boolean>;
  is_default: Generated<boolean>;
  parent_id: string | null;
  custom_fields: ColumnType<Record<string, unknown>, string | undefined, string>;
  avatar: Uint8Array | null;
  avatar_mime: string | null;
  avatar_filename: string | null;
  created_by: string | null;
  member_count: Generated<number>;
  message_seq: Generated<number>;
  last_message_id: string | null;
  last_message_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  deleted_at: Timestamp | null;
}

export type MemberRole = 'owner' | 'moderator' | 'member';

export interface MembershipTable {
  app_id: string;
  room_id: string;
  user_id: string;
  role: ColumnType<MemberRole, MemberRole | undefined, MemberRole>;
  joined_at: GeneratedTimestamp;
  left_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
  read_seq: Generated<number>;
  last_read_message_id: string | null;
}

export interface UserRoomPrefTable {
  app_id: string;
  user_id: string;
  room_id: string;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  tag_colors: ColumnType<Record<string, string>, string | undefined, string>;
  hidden: Generated<boolean>;
  sticky: Generated<boolean>;
  muted: Generated<boolean>;
  folder: string | null;
  updated_at: GeneratedTimestamp;
}

export interface MessageTable {
  app_id: string;
  id: string;
  num_id: Generated<number>;
  room_id: string;
  sender_id: string;
  seq: number;
  body: Json;
  message_type: Generated<string>;
  message_time: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  is_deleted: Generated<boolean>;
  reaction_count: Generated<number>;
  client_message_id: string | null;
}

export interface MessageReactionTable {
  app_id: string;
  message_id: string;
  user_id: string;
  key: string;
  created_at: GeneratedTimestamp;
}

export interface MessageUserDeletionTable {
  app_id: string;
  user_id: string;
  room_id: string;
  message_id: string;
  created_at: GeneratedTimestamp;
}

export type TokenKind = 'client' | 'login' | 'session';

export interface AuthTokenTable {
  token_hash: string;
  app_id: string;
  user_id: string;
  kind: TokenKind;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface Database {
  apps: AppTable;
  users: UserTable;
  rooms: RoomTable;
  memberships: MembershipTable;
  user_room_prefs: UserRoomPrefTable;
  messages: MessageTable;
  message_reactions: MessageReactionTable;
  message_user_deletions: MessageUserDeletionTable;
  auth_tokens: AuthTokenTable;
}
