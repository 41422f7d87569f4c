import { SESSION_COOKIE, readCookie } from '../../auth/credentials.js';
import type { Dialect, DialectRoute } from '../dialect.js';
import { bodyHasKey } from '../login-body.js';
import type { OperationDoc } from '../openapi-types.js';
import type { RestRequest } from '../rest-request.js';
import { virolaError, virolaMethodNotAllowed } from './virola.errors.js';
import { listRooms, login, logout, roomAvatar, status } from './virola.handlers.js';
import {
  virolaError as virolaErrorSchema,
  virolaLoginRequest,
  virolaLoginResponse,
  virolaLogoutResponse,
  virolaRoomsResponse,
  virolaStatusResponse,
} from './virola.schemas.js';

/*
 * The Virola endpoints its Rooms API document describes (rooms, avatar) and the
 * login/logout/status calls it lists.
 */

const security = [['virolaSession'], ['virolaBearer']];
const unauthorized = {
  description:
    'Wrong Bearer, please renew Web API Access Token (a wrong or expired session); No Bearer, please log in to get a Web API Access Token (none sent)',
  schema: virolaErrorSchema,
};

function hasVirolaCredentials(rest: RestRequest): boolean {
  return readCookie(rest.request, SESSION_COOKIE) !== undefined || rest.request.headers.has('authorization');
}

const logoutDoc: OperationDoc = {
  tag: 'Virola',
  summary: 'Virola logout: ends the session and clears its cookie',
  security,
  responses: {
    200: {
      description: 'Logged out',
      schema: virolaLogoutResponse,
      headers: { 'Set-Cookie': { description: 'Clears the session cookie', schema: { type: 'string' } } },
    },
    401: unauthorized,
  },
};

export const virolaRoutes: DialectRoute[] = [
  {
    method: 'POST',
    path: '/api/v1/login',
    handler: login,
    claims: (rest) => bodyHasKey(rest, ['userName']),
    doc: {
      tag: 'Virola',
      summary: 'Virola login with a user name and password: starts a session',
      description:
        'Sets the HttpOnly session cookie (Secure when COOKIE_SECURE is set or the request came over TLS). The app is the one named by an X-App-Id header, else DEFAULT_APP_ID, else the only app.',
      security: [],
      requestBody: { schema: virolaLoginRequest },
      responses: {
        200: {
          description: 'Logged in',
          schema: virolaLoginResponse,
          headers: {
            'Set-Cookie': {
              description: `${SESSION_COOKIE}=<session>; HttpOnly`,
              schema: { type: 'string' },
            },
          },
        },
        400: { description: 'A malformed body, or no app can be told', schema: virolaErrorSchema },
        401: { description: 'Wrong user name or password', schema: virolaErrorSchema },
      },
    },
  },
  {
    method: 'POST',
    path: '/api/v1/logout',
    handler: logout,
    claims: async (r) => hasVirolaCredentials(r),
    doc: logoutDoc,
  },
  {
    method: 'GET',
    path: '/api/v1/status',
    handler: status,
    doc: {
      tag: 'Virola',
      summary: "The session's status: valid, and whose",
      security,
      responses: { 200: { description: 'A valid session', schema: virolaStatusResponse }, 401: unauthorized },
    },
  },
  {
    method: 'GET',
    path: '/api/v1/rooms',
    handler: listRooms,
    doc: {
      tag: 'Virola',
      summary: 'The rooms of the user, most recently active first',
      security,
      responses: { 200: { description: 'The rooms', schema: virolaRoomsResponse }, 401: unauthorized },
    },
  },
  {
    method: 'GET',
    path: '/api/v1/rooms/:roomId/avatar.jpg',
    handler: roomAvatar,
    doc: {
      tag: 'Virola',
      summary: "A room's avatar image (a default image when it has none)",
      security,
      parameters: [
        {
          name: 'roomId',
          in: 'path',
          required: true,
          description: 'The integer room id',
          schema: { type: 'integer' },
        },
      ],
      responses: {
        200: {
          description: 'The image bytes',
          binary: { contentType: 'image/*' },
          headers: {
            'Content-Length': { description: 'The size of the image', schema: { type: 'integer' } },
            'Content-Type': { description: 'The MIME type of the image', schema: { type: 'string' } },
            'Content-Disposition': { description: 'The original file name', schema: { type: 'string' } },
          },
        },
        400: { description: 'A roomId that is not a positive integer', schema: virolaErrorSchema },
        401: unauthorized,
        403: { description: 'Not a member of the room', schema: virolaErrorSchema },
        404: { description: 'No such room', schema: virolaErrorSchema },
      },
    },
  },
];

export const virolaDialect: Dialect = {
  name: 'virola',
  prefix: (config) => config.VIROLA_PREFIX,
  routes: virolaRoutes,
  errorResponse: virolaError,
  methodNotAllowed: virolaMethodNotAllowed,
};
