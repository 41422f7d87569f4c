import { z } from 'zod';
import { isoTime, named } from '../schemas.js';

/*
 * Rocket.Chat wire shapes, from its rooms.get document and its own API code
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

// ---------------------------------------------------------------------------
// Writes and subscriptions (beyond the rooms.get document): subscriptions.get, subscriptions.read,
// chat.sendMessage, as Rocket.Chat's REST API answers them.

const roomLetter = z.enum(['d', 'c', 'p']).describe('d: direct, c: public channel, p: private group');

export const rcSubscription = named(
  'RocketChatSubscription',
  z.object({
    _id: z.string().describe('The subscription id (stable per room and user)'),
    rid: z.string().describe('The room id'),
    u: rcUserRef.describe('The subscribed user (the caller)'),
    t: roomLetter,
    name: z.string().describe("The room name; for a direct room the other user's username"),
    fname: z.string().describe("The display name; for a direct room the other user's name"),
    ts: isoTime.describe('When the user joined the room'),
    ls: isoTime.describe('Last seen: messages after this time are unread'),
    lr: isoTime
      .optional()
      .describe("Last reply: the time of the user's own latest message, present when it is known"),
    _updatedAt: isoTime,
    open: z.boolean().describe('Shown in the room list: false when the user hid the room or it is archived'),
    alert: z.boolean().describe('There are unread messages'),
    unread: z.number().int(),
    userMentions: z.number().int().describe('Always 0: mentions are not tracked'),
    groupMentions: z.number().int().describe('Always 0: mentions are not tracked'),
    f: z.boolean().describe('Favorite: the pinned (sticky) pref'),
    roles: z.array(z.enum(['owner', 'moderator'])).describe("The user's room roles; [] for a plain member"),
    disableNotifications: z.boolean().describe('The muted pref'),
    prid: z.string().optional().describe('The parent room of a discussion'),
    archived: z.boolean().optional().describe('Present (true) only for archived rooms'),
  }),
);

export const rcSubscriptionsGetResponse = named(
  'RocketChatSubscriptionsGetResponse',
  z.object({
    update: z.array(rcSubscription),
    remove: z.array(
      named(
        'RocketChatRemovedSubscription',
        z.object({
          _id: z.string().describe('The subscription id'),
          _deletedAt: isoTime,
        }),
      ),
    ),
    success: z.literal(true),
  }),
);

export const rcSubscriptionsReadRequest = named(
  'RocketChatSubscriptionsReadRequest',
  z.object({
    rid: z.string().optional().describe('The room id (or send roomId)'),
    roomId: z.string().optional().describe('The room id (or send rid)'),
    readThreads: z.boolean().optional().describe('Accepted; threads are not modelled'),
  }),
);

export const rcSuccess = named('RocketChatSuccess', z.object({ success: z.literal(true) }));

export const rcSendMessageRequest = named(
  'RocketChatSendMessageRequest',
  z.object({
    message: z.object({
      rid: z.string().describe('The room id'),
      msg: z.string().min(1).describe('The text'),
      _id: z
        .string()
        .optional()
        .describe(
          "The client's id for this message (1-128 characters): sending it again returns the first message instead of a duplicate",
        ),
    }),
  }),
);

export const rcSendMessageResponse = named(
  'RocketChatSendMessageResponse',
  z.object({ message: rcMessage, success: z.literal(true) }),
);

export type RcSubscription = z.infer<typeof rcSubscription>;
export type RcRoom = z.infer<typeof rcRoom>;
export type RcMessage = z.infer<typeof rcMessage>;
export type RcMe = z.infer<typeof rcMe>;
export type RcUserRef = z.infer<typeof rcUserRef>;
