import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { setMemberRole } from '../../../src/domain/rooms/membership.service.js';
import { updateRoom, createRoom } from '../../../src/domain/rooms/room.service.js';
import { createTestDatabase, uniqueId, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { mutatorFor, type Mutate } from '../../support/mutate.js';

/*
 * Who may do what, as one table: every actor against every kind of write, each on a
 * fresh room (owner, moderator, member and a third member who wrote a message).
 * "ok" means the payload came back; anything else is the expected error type and reason.
 */

let database: TestDatabase;
let h: InProcessApp;
let app: TestApp;
let other: TestApp;
const mutate: Record<string, Mutate> = {};

const ACTORS = ['owner', 'moderator', 'member', 'outsider', 'apiKey', 'otherAppKey', 'anonymous'] as const;
type Actor = (typeof ACTORS)[number];

beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
  app = await createTestApp(database.db, ['owner', 'moderator', 'member', 'writer', 'outsider', 'newcomer']);
  other = await createTestApp(database.db, ['owner']);
  for (const user of ['owner', 'moderator', 'member', 'outsider'])
    mutate[user] = mutatorFor(h, bearer(await app.tokenFor(user)));
  mutate['apiKey'] = mutatorFor(h, apiKey(app.apiKey));
  mutate['otherAppKey'] = mutatorFor(h, bearer(other.apiKey));
  mutate['anonymous'] = mutatorFor(h, {});
});
afterAll(() => database?.close());

interface Room {
  roomId: string;
  /** A message by "writer" (not the actor). */
  messageId: string;
}

async function freshRoom(options: { readOnly?: boolean } = {}): Promise<Room> {
  const room = await createRoom(app.as('owner'), {
    roomId: uniqueId('room'),
    roomType: 'group',
    memberIds: ['moderator', 'member', 'writer'],
  });
  await setMemberRole(app.as('owner'), room.id, 'moderator', 'moderator');
  const message = await sendMessage(app.as('writer'), { roomId: room.id, body: 'hello' });
  if (options.readOnly) await updateRoom(app.as('owner'), room.id, { readOnly: true });
  return { roomId: room.id, messageId: message.id };
}

type Expected = 'ok' | [typename: string, reason: string | null];
const U: Expected = ['UnauthenticatedError', 'MISSING_CREDENTIALS'];
const OUT: Expected = ['ForbiddenError', 'NOT_ROOM_MEMBER'];
const NO_ROOM: Expected = ['NotFoundError', 'ROOM_NOT_FOUND'];
const NO_MOD: Expected = ['ForbiddenError', 'NOT_ROOM_MODERATOR'];
const NO_USER: Expected = ['ForbiddenError', 'USER_REQUIRED'];

interface Case {
  name: string;
  readOnly?: boolean;
  call(m: Mutate, room: Room, actor: Actor): ReturnType<Mutate>;
  expected: Record<Actor, Expected>;
}

// The API key acts for the app: where a write needs a sender, it names one (senderId).
const asMember = (actor: Actor) =>
  actor === 'apiKey' || actor === 'otherAppKey' ? { senderId: 'member' } : {};

const CASES: Case[] = [
  {
    name: 'sendMessage',
    call: (m, r, actor) => m('sendMessage', { roomId: r.roomId, message: 'hi', ...asMember(actor) }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: 'ok',
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'sendMessage into a read-only room',
    readOnly: true,
    call: (m, r, actor) => m('sendMessage', { roomId: r.roomId, message: 'hi', ...asMember(actor) }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: ['ForbiddenError', 'ROOM_READ_ONLY'],
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'updateRoom',
    call: (m, r) => m('updateRoom', { roomId: r.roomId, name: 'New name' }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: NO_MOD,
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'addMembers',
    call: (m, r) => m('addMembers', { roomId: r.roomId, userIds: ['newcomer'] }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: NO_MOD,
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'removeMember (someone else)',
    call: (m, r) => m('removeMember', { roomId: r.roomId, userId: 'writer' }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: NO_MOD,
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'setMemberRole (make a moderator)',
    call: (m, r) => m('setMemberRole', { roomId: r.roomId, userId: 'writer', role: 'MODERATOR' }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: NO_MOD,
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: 'deleteRoom',
    call: (m, r) => m('deleteRoom', { roomId: r.roomId }),
    expected: {
      owner: 'ok',
      moderator: ['ForbiddenError', 'NOT_ROOM_OWNER'],
      member: NO_MOD,
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: NO_ROOM,
      anonymous: U,
    },
  },
  {
    name: "editMessage (someone else's)",
    call: (m, r) => m('editMessage', { messageId: r.messageId, message: 'edited' }),
    expected: {
      owner: ['ForbiddenError', 'NOT_MESSAGE_SENDER'],
      moderator: ['ForbiddenError', 'NOT_MESSAGE_SENDER'],
      member: ['ForbiddenError', 'NOT_MESSAGE_SENDER'],
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: ['NotFoundError', 'MESSAGE_NOT_FOUND'],
      anonymous: U,
    },
  },
  {
    name: "deleteMessage FOR_EVERYONE (someone else's)",
    call: (m, r) => m('deleteMessage', { messageId: r.messageId, scope: 'FOR_EVERYONE' }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: ['ForbiddenError', 'NOT_MESSAGE_SENDER'],
      outsider: OUT,
      apiKey: 'ok',
      otherAppKey: ['NotFoundError', 'MESSAGE_NOT_FOUND'],
      anonymous: U,
    },
  },
  {
    name: 'addReaction',
    call: (m, r) => m('addReaction', { messageId: r.messageId, key: '👍' }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: 'ok',
      outsider: OUT,
      apiKey: NO_USER,
      otherAppKey: NO_USER,
      anonymous: U,
    },
  },
  {
    name: 'markRoomRead',
    call: (m, r) => m('markRoomRead', { roomId: r.roomId }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: 'ok',
      outsider: OUT,
      apiKey: NO_USER,
      otherAppKey: NO_USER,
      anonymous: U,
    },
  },
  {
    name: 'updateRoomPref',
    call: (m, r) => m('updateRoomPref', { roomId: r.roomId, muted: true }),
    expected: {
      owner: 'ok',
      moderator: 'ok',
      member: 'ok',
      outsider: OUT,
      apiKey: NO_USER,
      otherAppKey: NO_USER,
      anonymous: U,
    },
  },
];

describe.each(CASES)('$name', (c) => {
  test.each(ACTORS)('as %s', async (actor) => {
    const room = await freshRoom(c.readOnly ? { readOnly: true } : {});
    const result = await c.call(mutate[actor] as Mutate, room, actor);
    const expected = c.expected[actor];
    if (expected === 'ok') {
      expect(result.__typename, JSON.stringify(result)).toMatch(/Payload$/);
    } else {
      expect({ __typename: result.__typename, reason: result.reason }).toEqual({
        __typename: expected[0],
        reason: expected[1],
      });
    }
  });
});
