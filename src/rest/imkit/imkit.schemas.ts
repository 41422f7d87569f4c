import { z } from 'zod';
import { epochMillis, isoTime, named } from '../schemas.js';

/*
 * IMKit wire shapes, from its documents (room list, one room, messages). Where they show a
 * user or message with different subsets of fields, one shape carries all of them.
 */

export const imkitUser = named(
  'ImkitUser',
  z.object({
    _id: z.string(),
    id: z.string().describe('Mirrors _id'),
    nickname: z.string(),
    avatarUrl: z.string(),
    description: z.string(),
    isRobot: z.boolean(),
    lastLoginTimeMS: epochMillis.describe('0 when the user never logged in'),
  }),
);

export const imkitReaction = named(
  'ImkitReaction',
  z.object({ key: z.string(), count: z.number().int(), clients: z.array(z.string()) }),
);

export const imkitMessage = named(
  'ImkitMessage',
  z.object({
    _id: z.string(),
    id: z.string().describe('Mirrors _id'),
    message: z.unknown().describe('Any JSON: a string for text messages'),
    room: z.string(),
    sender: imkitUser,
    messageType: z.string(),
    appID: z.string(),
    messageTime: isoTime,
    messageTimeMS: epochMillis,
    updatedAtMS: epochMillis,
    createdAtMS: epochMillis,
    reactions: z.array(imkitReaction),
    reactionCount: z.number().int(),
    isDeleted: z.boolean(),
  }),
);

export const imkitPref = named(
  'ImkitRoomPref',
  z.object({
    tags: z.array(z.string()),
    tagColors: z.record(z.string(), z.string()),
    hidden: z.boolean(),
    sticky: z.boolean(),
    muted: z.boolean(),
    folder: z.string().optional().describe('Absent when the room is in no folder'),
  }),
);

const roomFields = {
  _id: z.string(),
  id: z.string().describe('Mirrors _id'),
  name: z.string(),
  cover: z.string(),
  description: z.string(),
  roomType: z.enum(['direct', 'group']),
  webhook: z.string(),
  botState: z.string(),
  botMode: z.boolean(),
  encrypted: z.boolean(),
  serviceStatus: z.number().int(),
  roomTags: z.array(z.string()),
  status: z.number().int(),
  unread: z.number().int(),
  muted: z.boolean(),
  lastMessage: imkitMessage.optional().describe('Absent while the room has no message'),
  members: z.array(imkitUser),
  pref: imkitPref,
  createdTimeMS: epochMillis,
};

export const imkitRoom = named('ImkitRoom', z.object(roomFields));

export const imkitMemberProperty = named(
  'ImkitMemberProperty',
  z.object({
    client: z.string(),
    badge: z.number().int(),
    lastRead: z.string().optional().describe('Absent until the member has read a message'),
  }),
);

export const imkitRoomDetail = named(
  'ImkitRoomDetail',
  z.object({
    ...roomFields,
    appID: z.string(),
    memberProperties: z.array(imkitMemberProperty),
    isSuperuser: z.boolean(),
  }),
);

const inspect = z.object({ query: z.record(z.string(), z.unknown()), tookMS: z.number() });

export const imkitRoomListResponse = named(
  'ImkitRoomListResponse',
  z.object({
    RC: z.literal(0),
    RM: z.string(),
    result: z.object({ totalCount: z.number().int(), inspect, data: z.array(imkitRoom) }),
  }),
);

export const imkitRoomResponse = named(
  'ImkitRoomResponse',
  z.object({ RC: z.literal(0), RM: z.string(), result: imkitRoomDetail }),
);

export const imkitMessageListResponse = named(
  'ImkitMessageListResponse',
  z.object({
    RC: z.literal(0),
    RM: z.string(),
    result: z.object({
      totalCount: z.number().int(),
      inspect,
      data: z.array(imkitMessage),
      userDeletedIDs: z.array(z.string()),
    }),
  }),
);

export const imkitError = named(
  'ImkitError',
  z.object({
    RC: z.number().int(),
    RM: z.string(),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
);

// ---------------------------------------------------------------------------
// Writes its clients make besides the documented reads: PUT /rooms/{id}/lastRead, POST /rooms/{id}/message

export const imkitLastReadRequest = named(
  'ImkitLastReadRequest',
  z.object({
    message: z.string().describe('The _id of the last message read (24 hex digits), a message of this room'),
  }),
);

export const imkitLastReadResponse = named(
  'ImkitLastReadResponse',
  z.object({
    RC: z.literal(0),
    RM: z.string(),
    result: z.object({
      client: z.string().describe("The current user's client id"),
      lastRead: z
        .string()
        .describe('The last-read message id now: read positions only move forward, so a newer one stays'),
      badge: z.number().int().describe("The user's total unread count across all rooms"),
    }),
  }),
);

export const imkitSendMessageRequest = named(
  'ImkitSendMessageRequest',
  z.object({
    message: z.unknown().describe('The content: any JSON (a string for text messages); required'),
    messageType: z.string().describe('"text", "image", "announcement", ... (1-64 letters, digits, . _ : -)'),
    clientMessageId: z
      .string()
      .optional()
      .describe(
        "The client's own id for this send (1-128 characters): a retry with the same id returns the first message instead of a duplicate",
      ),
    messageTime: z
      .union([z.string(), z.number()])
      .optional()
      .describe('When it was written: ISO-8601 or epoch milliseconds; default now'),
    sender: z.string().optional().describe('The app API key only: the member who sends it'),
    mentions: z.array(z.string()).optional().describe('Accepted and ignored (mentions are not tracked)'),
    push: z.boolean().optional().describe('Accepted and ignored (chat-bff sends no push notifications)'),
    skipTotalBadge: z.boolean().optional().describe('Accepted and ignored'),
  }),
);

export const imkitMessageResponse = named(
  'ImkitMessageResponse',
  z.object({ RC: z.literal(0), RM: z.string(), result: imkitMessage }),
);

export type ImkitUser = z.infer<typeof imkitUser>;
export type ImkitMessage = z.infer<typeof imkitMessage>;
export type ImkitRoom = z.infer<typeof imkitRoom>;
export type ImkitRoomDetail = z.infer<typeof imkitRoomDetail>;
export type ImkitPref = z.infer<typeof imkitPref>;
