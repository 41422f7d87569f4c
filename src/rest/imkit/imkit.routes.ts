import type { Dialect, DialectRoute } from '../dialect.js';
import type { ParameterDoc, ResponseDoc } from '../openapi-types.js';
import { imkitError, imkitMethodNotAllowed } from './imkit.errors.js';
import { getRoom, listMessages, listRooms } from './imkit.handlers.js';
import { messageListQuery, roomListQuery } from './imkit.params.js';
import {
  imkitError as imkitErrorSchema,
  imkitLastReadRequest,
  imkitLastReadResponse,
  imkitMessageListResponse,
  imkitMessageResponse,
  imkitRoomListResponse,
  imkitRoomResponse,
  imkitSendMessageRequest,
} from './imkit.schemas.js';
import { markLastRead, postMessage } from './imkit.write-handlers.js';

/*
 * The IMKit endpoints its documents describe (the room list, one room, a room's
 * messages) and the write calls its clients make besides (PUT /rooms/{id}/lastRead,
 * POST /rooms/{id}/message).
 */

const security = [['imkitClientKey', 'imkitToken'], ['imkitApiKey']];
const str = { type: 'string' };

const clientIdHeader: ParameterDoc = {
  name: 'IM-CLIENT-ID',
  in: 'header',
  description:
    "The current user's client id; optional here (the token names the user) but checked against it when sent",
  schema: str,
};

const roomIdPath: ParameterDoc = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Room ID',
  schema: str,
};

function errorsWith(extra: Record<number, string>, ...statuses: number[]): Record<number, ResponseDoc> {
  const text: Record<number, string> = {
    400: 'Bad input: the message names the parameter',
    401: 'Invalid or expired credentials (code INVALID_TOKEN); none sent (code MISSING_CREDENTIALS)',
    403: 'The client is not in the room (code NOT_ROOM_MEMBER)',
    404: 'No such room (code ROOM_NOT_FOUND)',
    ...extra,
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: text[s] ?? 'Error', schema: imkitErrorSchema }]),
  );
}

function errors(...statuses: number[]): Record<number, ResponseDoc> {
  return errorsWith({}, ...statuses);
}

export const imkitRoutes: DialectRoute[] = [
  {
    method: 'GET',
    path: '/rooms',
    handler: listRooms,
    doc: {
      tag: 'IMKit',
      summary: 'List the rooms the current user has joined',
      security,
      parameters: [clientIdHeader],
      query: roomListQuery,
      responses: { 200: { description: 'The rooms', schema: imkitRoomListResponse }, ...errors(400, 401) },
    },
  },
  {
    method: 'GET',
    path: '/rooms/:id',
    handler: getRoom,
    doc: {
      tag: 'IMKit',
      summary: 'Get a room with its members, their unread badges and read positions',
      description: 'Only members of the room or the app (its API key) may read it.',
      security,
      parameters: [roomIdPath],
      responses: {
        200: { description: 'The room', schema: imkitRoomResponse },
        ...errors(400, 401, 403, 404),
      },
    },
  },
  {
    method: 'GET',
    path: '/rooms/:id/messages/v3',
    handler: listMessages,
    doc: {
      tag: 'IMKit',
      summary: "List a room's messages",
      description:
        '`data` is in ascending (timeRangeField, sequence) order. Without a cursor: the newest `limit` messages, or with afterTime the first `limit` after it. beforeMessage / afterMessage: the `limit` messages just before / after that message (pass data[0]._id to page back, the last _id to page forward).',
      security,
      parameters: [roomIdPath],
      query: messageListQuery,
      responses: {
        200: { description: 'The messages', schema: imkitMessageListResponse },
        ...errors(400, 401, 403, 404),
      },
    },
  },
  {
    method: 'PUT',
    path: '/rooms/:id/lastRead',
    handler: markLastRead,
    doc: {
      tag: 'IMKit',
      summary: "Update the current user's last-read message in a room",
      description:
        'Moves the read position forward to the message (an older one changes nothing: lastRead then names the newer position) and answers with the total unread count across all rooms (badge). Members only.',
      security,
      parameters: [roomIdPath],
      requestBody: { schema: imkitLastReadRequest },
      responses: {
        200: { description: 'The new read position and total badge', schema: imkitLastReadResponse },
        ...errorsWith(
          {
            400: 'A malformed body or a message id that is not 24 hex digits',
            403: 'The client is not in the room (NOT_ROOM_MEMBER), or the API key, which has no read position (USER_REQUIRED)',
            404: 'No such room (ROOM_NOT_FOUND) or no such message in it (MESSAGE_NOT_FOUND)',
          },
          400,
          401,
          403,
          404,
        ),
      },
    },
  },
  {
    method: 'POST',
    path: '/rooms/:id/message',
    handler: postMessage,
    doc: {
      tag: 'IMKit',
      summary: 'Send a message to a room',
      description:
        'Members only (the app API key sends as `sender`). Answers with the stored message exactly as GET /rooms/{id}/messages/v3 shows it. A retry with the same clientMessageId (per sender) returns the first message instead of sending it again. Read-only rooms take messages from owners and moderators only; archived rooms from nobody (403).',
      security,
      parameters: [roomIdPath],
      requestBody: { schema: imkitSendMessageRequest },
      responses: {
        200: {
          description: 'The message sent (or, for a retry, the first one)',
          schema: imkitMessageResponse,
        },
        ...errorsWith(
          {
            400: 'A malformed body: no message, a messageType or clientMessageId of the wrong shape, a bad messageTime',
            403: 'The client is not in the room (NOT_ROOM_MEMBER), or the room is read-only (ROOM_READ_ONLY) or archived (ROOM_ARCHIVED)',
          },
          400,
          401,
          403,
          404,
        ),
      },
    },
  },
];

export const imkitDialect: Dialect = {
  name: 'imkit',
  prefix: (config) => config.IMKIT_PREFIX,
  routes: imkitRoutes,
  errorResponse: imkitError,
  methodNotAllowed: imkitMethodNotAllowed,
};
