import { z } from 'zod';
import { epochMillis, named } from '../schemas.js';

/* Virola wire shapes, from its Rooms API document and its Web API list. */

export const virolaRoom = named(
  'VirolaRoom',
  z.object({
    createdUtc: epochMillis,
    displayName: z.string(),
    lastModifiedUtc: epochMillis,
    roomId: z.number().int(),
    roomType: z.enum(['Private', 'Public']),
    unreadMessageCount: z.number().int(),
    isArchived: z.boolean(),
    isModerator: z.boolean(),
    isPinned: z.boolean(),
    lastMessage: z
      .object({ createdUtc: epochMillis, messageId: z.number().int() })
      .nullable()
      .describe('null while the room has no message'),
  }),
);

export const virolaRoomsResponse = named(
  'VirolaRoomsResponse',
  z.object({ httpStatusCode: z.literal(200), rooms: z.array(virolaRoom) }),
);

export const virolaLoginRequest = named(
  'VirolaLoginRequest',
  z.object({ userName: z.string(), password: z.string() }),
);

export const virolaLoginResponse = named(
  'VirolaLoginResponse',
  z.object({
    httpStatusCode: z.literal(200),
    userId: z.number().int(),
    userSessionId: z
      .string()
      .describe('The session token: also usable as Authorization: Bearer for single requests'),
  }),
);

export const virolaStatusResponse = named(
  'VirolaStatusResponse',
  z.object({
    httpStatusCode: z.literal(200),
    userId: z.number().int(),
    userName: z.string(),
    displayName: z.string(),
  }),
);

export const virolaLogoutResponse = named(
  'VirolaLogoutResponse',
  z.object({ httpStatusCode: z.literal(200) }),
);

export const virolaError = named(
  'VirolaError',
  z.object({ errorText: z.string(), httpStatusCode: z.number().int() }),
);

export type VirolaRoom = z.infer<typeof virolaRoom>;
