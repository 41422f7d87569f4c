import type { Dialect, DialectRoute } from '../dialect.js';
import { bodyHasKey } from '../login-body.js';
import type { OperationDoc } from '../openapi-types.js';
import type { RestRequest } from '../rest-request.js';
import { rcError, rcMethodNotAllowed } from './rocketchat.errors.js';
import { roomsGetQuery, subscriptionsGetQuery } from './rocketchat.params.js';
import { chatSendMessage } from './rocketchat.chat.js';
import { login, logout, me, roomsGet } from './rocketchat.handlers.js';
import {
  rcFailure,
  rcLoginRequest,
  rcLoginResponse,
  rcLogoutResponse,
  rcMeResponse,
  rcRoomsGetResponse,
  rcSendMessageRequest,
  rcSendMessageResponse,
  rcStatusError,
  rcSubscriptionsGetResponse,
  rcSubscriptionsReadRequest,
  rcSuccess,
} from './rocketchat.schemas.js';
import { subscriptionsGet, subscriptionsRead } from './rocketchat.subscriptions.js';

/*
 * The Rocket.Chat endpoints: rooms.get as its document describes it, the login calls
 * its clients make first, and the calls they use for unread state and writes
 * (subscriptions.get, subscriptions.read, chat.sendMessage).
 */

const security = [['rocketchatUserId', 'rocketchatAuthToken']];
const notLoggedIn = {
  description: 'Missing (error MISSING_CREDENTIALS) or wrong (error INVALID_TOKEN) X-User-Id / X-Auth-Token',
  schema: rcStatusError,
};

function hasRocketChatHeaders(rest: RestRequest): boolean {
  const h = rest.request.headers;
  return h.has('x-auth-token') || h.has('x-user-id');
}

const logoutDoc: OperationDoc = {
  tag: 'Rocket.Chat',
  summary: 'Rocket.Chat logout: revokes the X-Auth-Token',
  security,
  responses: { 200: { description: 'Logged out', schema: rcLogoutResponse }, 401: notLoggedIn },
};

export const rocketchatRoutes: DialectRoute[] = [
  {
    method: 'POST',
    path: '/api/v1/login',
    handler: login,
    claims: async (rest) =>
      hasRocketChatHeaders(rest) || (await bodyHasKey(rest, ['user', 'username', 'email'])),
    doc: {
      tag: 'Rocket.Chat',
      summary: 'Rocket.Chat login with a username (or user id) and password',
      description:
        'The app is the one named by an X-App-Id (or IM-CLIENT-KEY) header, else DEFAULT_APP_ID, else the only app.',
      security: [],
      requestBody: {
        schema: rcLoginRequest,
        contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
      },
      responses: {
        200: {
          description: 'Logged in: send data.userId as X-User-Id and data.authToken as X-Auth-Token',
          schema: rcLoginResponse,
        },
        400: { description: 'A malformed body, or no app can be told', schema: rcStatusError },
        401: { description: 'Wrong username or password', schema: rcStatusError },
      },
    },
  },
  {
    method: 'POST',
    path: '/api/v1/logout',
    handler: logout,
    claims: async (rest) => hasRocketChatHeaders(rest),
    doc: logoutDoc,
  },
  {
    method: 'GET',
    path: '/api/v1/me',
    handler: me,
    doc: {
      tag: 'Rocket.Chat',
      summary: 'The logged-in user',
      security,
      responses: { 200: { description: 'The user', schema: rcMeResponse }, 401: notLoggedIn },
    },
  },
  {
    method: 'GET',
    path: '/api/v1/rooms.get',
    handler: roomsGet,
    doc: {
      tag: 'Rocket.Chat',
      summary: 'All open rooms of the user, or what changed since updatedSince',
      description:
        'Without updatedSince: every open room in update, remove empty. With it: rooms changed since then (a message, an edit of the room, a membership change) in update; rooms deleted or left since then in remove.',
      security,
      query: roomsGetQuery,
      responses: {
        200: { description: 'The rooms', schema: rcRoomsGetResponse },
        400: { description: 'An updatedSince that is not a date', schema: rcFailure },
        401: notLoggedIn,
      },
    },
  },
  {
    method: 'GET',
    path: '/api/v1/subscriptions.get',
    handler: subscriptionsGet,
    doc: {
      tag: 'Rocket.Chat',
      summary:
        "The user's subscriptions (unread, alert, open, favorite, last seen, roles), or what changed since updatedSince",
      description:
        'Without updatedSince: every subscription in update, remove empty. With it: subscriptions changed since then (a message in the room, a read, a pref or role change, an edit of the room) in update; those gone since then (left, room deleted) in remove, by subscription _id.',
      security,
      query: subscriptionsGetQuery,
      responses: {
        200: { description: 'The subscriptions', schema: rcSubscriptionsGetResponse },
        400: { description: 'An updatedSince that is not a date', schema: rcFailure },
        401: notLoggedIn,
      },
    },
  },
  {
    method: 'POST',
    path: '/api/v1/subscriptions.read',
    handler: subscriptionsRead,
    doc: {
      tag: 'Rocket.Chat',
      summary: 'Mark a room read up to its newest message',
      security,
      requestBody: { schema: rcSubscriptionsReadRequest, description: 'rid or roomId' },
      responses: {
        200: { description: 'Marked read', schema: rcSuccess },
        400: {
          description:
            'No rid/roomId (invalid-params), or no subscription to that room: not a member or no such room (error-invalid-subscription)',
          schema: rcFailure,
        },
        401: notLoggedIn,
      },
    },
  },
  {
    method: 'POST',
    path: '/api/v1/chat.sendMessage',
    handler: chatSendMessage,
    doc: {
      tag: 'Rocket.Chat',
      summary: 'Send a text message to a room',
      description:
        "message.msg becomes the message's text and `md` its parsed tree. A client-chosen message._id makes the send idempotent (per sender): sending it again returns the first message; the answer's _id is the server's id for it. Other message fields (alias, emoji, attachments, tmid...) are ignored.",
      security,
      requestBody: { schema: rcSendMessageRequest },
      responses: {
        200: {
          description: 'The message sent (or, for a retry, the first one)',
          schema: rcSendMessageResponse,
        },
        400: {
          description:
            'A malformed body (invalid-params), no such room (error-invalid-room), not a member (error-not-allowed), a read-only or archived room',
          schema: rcFailure,
        },
        401: notLoggedIn,
      },
    },
  },
];

export const rocketchatDialect: Dialect = {
  name: 'rocketchat',
  prefix: (config) => config.ROCKETCHAT_PREFIX,
  routes: rocketchatRoutes,
  errorResponse: rcError,
  methodNotAllowed: rcMethodNotAllowed,
};
