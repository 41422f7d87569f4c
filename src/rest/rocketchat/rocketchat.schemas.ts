import { z } from 'zod';
import { isoTime, named } from '../schemas.js';

/*
 * Rocket.Chat wire shapes, from its rooms.get document (seed 002) and its own API code
 * for login, logout and me.
 */

export const rcUserRef = named(
  'RocketChatUserRef',
  z.object({ _id: z.string(), username: z.string(), name: z.string().optional() }),
);

export const rcMessage = named(
  'RocketChatMessage',
  z.object({
    _id: z.string(),
    rid: z.string(),
    msg: z.string(),
    ts: isoTime,
    u: rcUserRef,
    _updatedAt: isoTime,
    urls: z.array(z.object({})),
    mentions: z.array(z.object({})),
    channels: z.array(z.object({})),
    md: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .describe('The message text parsed by @rocket.chat/message-parser; absent for an empty msg'),
    t: z.string().optional().describe('"rm" for a message deleted for everyone'),
  }),
);

export const rcRoom = named(
  'RocketChatRoom',
  z.object({
    _id: z.string(),
    t: z.enum(['d', 'c', 'p']).describe('d: direct, c: public channel, p: private group'),
    name: z.string().optional().describe('Channels and groups only'),
    fname: z.string().optional().describe('Channels and groups only'),
    usernames: z.array(z.string()).optional().describe('Direct rooms only'),
    uids: z.array(z.string()).optional().describe('Direct rooms only'),
    usersCount: z.number().int(),
    msgs: z.number().int(),
    ts: isoTime,
    _updatedAt: isoTime,
    lm: isoTime.optional().describe('Absent while the room has no message'),
    lastMessage: rcMessage.optional().describe('Absent while the room has no message'),
    u: rcUserRef.optional().describe('The creator (channels and groups)'),
    ro: z.boolean(),
    default: z.boolean(),
    sysMes: z.boolean(),
    encrypted: z.boolean(),
    broadcast: z.boolean().optional(),
    topic: z.string().optional(),
    description: z.string().optional(),
    prid: z.string().optional().describe('The parent room of a discussion'),
    customFields: z.record(z.string(), z.unknown()).optional(),
    archived: z.boolean().optional().describe('Present (true) only for archived rooms'),
  }),
);

export const rcRoomsGetResponse = named(
  'RocketChatRoomsGetResponse',
  z.object({
    update: z.array(rcRoom),
    remove: z.array(named('RocketChatRemovedRoom', z.object({ _id: z.string(), _deletedAt: isoTime }))),
    success: z.literal(true),
  }),
);

const meFields = {
  _id: z.string(),
  username: z.string(),
  name: z.string(),
  type: z.literal('user'),
  status: z.string(),
  statusConnection: z.string(),
  utcOffset: z.number(),
  active: z.boolean(),
  roles: z.array(z.string()),
  avatarUrl: z.string(),
  settings: z.object({ profile: z.object({}), preferences: z.object({}) }),
};

export const rcMe = named('RocketChatMe', z.object(meFields));

export const rcMeResponse = named(
  'RocketChatMeResponse',
  z.object({ ...meFields, success: z.literal(true) }),
);

export const rcLoginRequest = named(
  'RocketChatLoginRequest',
  z.object({
    user: z.string().optional().describe('Username or user id'),
    username: z.string().optional(),
    email: z.string().optional(),
    password: z.string(),
  }),
);

export const rcLoginResponse = named(
  'RocketChatLoginResponse',
  z.object({
    status: z.literal('success'),
    data: z.object({ userId: z.string(), authToken: z.string(), me: rcMe }),
  }),
);

export const rcLogoutResponse = named(
  'RocketChatLogoutResponse',
  z.object({ status: z.literal('success'), data: z.object({ message: z.string() }) }),
);

export const rcStatusError = named(
  'RocketChatStatusError',
  z.object({
    status: z.literal('error'),
    message: z.string(),
    error: z.string().optional(),
  }),
);

export const rcFailure = named(
  'RocketChatFailure',
  z.object({ success: z.literal(false), error: z.string(), errorType: z.string().optional() }),
);

export type RcRoom = z.infer<typeof rcRoom>;
export type RcMessage = z.infer<typeof rcMessage>;
export type RcMe = z.infer<typeof rcMe>;
export type RcUserRef = z.infer<typeof rcUserRef>;
