import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getRoomAvatar } from '../../../src/domain/rooms/room.service.js';
import { listRoomChangesSince } from '../../../src/domain/rooms/room-list.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { createTestWorld } from '../../support/world.js';
import { png as pngImage, svgWithScript } from '../../support/images.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, mutatorFor, type Mutate } from '../../support/mutate.js';

/*
 * createRoom, updateRoom (with avatar upload), deleteRoom over GraphQL: what they change
 * and every typed error they answer.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

interface Actors {
  app: TestApp;
  owner: Mutate;
  moderator: Mutate;
  member: Mutate;
  outsider: Mutate;
  admin: Mutate;
  anonymous: Mutate;
}

const ROOM =
  'roomId name description cover topic roomTags readOnly archived visibility roomType unread members(first: 10) { totalCount edges { node { userId role } } }';

async function actors(): Promise<Actors> {
  const { app, as, admin, anonymous } = await createTestWorld(h, database.db, [
    'owner',
    'mod',
    'member',
    'outsider',
  ]);
  return {
    app,
    owner: as.owner,
    moderator: as.mod,
    member: as.member,
    outsider: as.outsider,
    admin,
    anonymous,
  };
}

/** A group room "room" owned by owner, with mod as moderator and member as member. */
async function roomWithRoles(a: Actors): Promise<void> {
  await a.owner('createRoom', { roomId: 'room', name: 'Room', memberIds: ['mod', 'member'] });
  expect(
    (await a.owner('setMemberRole', { roomId: 'room', userId: 'mod', role: 'MODERATOR' }, 'member { role }'))
      .__typename,
  ).toBe('SetMemberRolePayload');
}

describe('createRoom', () => {
  test('creates a group room owned by the viewer with its members, echoing clientMutationId', async () => {
    const a = await actors();
    const result = await a.owner(
      'createRoom',
      {
        roomId: 'team',
        name: 'Team',
        description: 'All of us',
        topic: 'Plans',
        roomTags: ['work'],
        visibility: 'PUBLIC',
        memberIds: ['member', 'mod'],
        customFields: { color: 'blue' },
        clientMutationId: 'c-1',
      },
      `room { ${ROOM} }`,
    );
    expect(result.__typename).toBe('CreateRoomPayload');
    expect(result.clientMutationId).toBe('c-1');
    expect(result['room']).toMatchObject({
      roomId: 'team',
      name: 'Team',
      description: 'All of us',
      topic: 'Plans',
      roomTags: ['work'],
      visibility: 'PUBLIC',
      roomType: 'GROUP',
      unread: 0,
      members: { totalCount: 3 },
    });
    const roles = (
      result['room'] as { members: { edges: { node: { userId: string; role: string } }[] } }
    ).members.edges.map((e) => [e.node.userId, e.node.role] as const);
    expect(new Map(roles)).toEqual(
      new Map([
        ['owner', 'OWNER'],
        ['member', 'MEMBER'],
        ['mod', 'MEMBER'],
      ]),
    );
  });

  test('a direct room between the same two users is returned again, not duplicated', async () => {
    const a = await actors();
    const first = await a.owner(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['member'] },
      'room { roomId roomType }',
    );
    const again = await a.member(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['owner'] },
      'room { roomId roomType }',
    );
    expect(first['room']).toMatchObject({ roomType: 'DIRECT' });
    expect((again['room'] as { roomId: string }).roomId).toBe((first['room'] as { roomId: string }).roomId);
  });

  test('asking again for a direct room one of the two left brings them back into it', async () => {
    const a = await actors();
    const first = await a.owner(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['member'] },
      'room { roomId }',
    );
    const roomId = (first['room'] as { roomId: string }).roomId;
    await a.member('leaveRoom', { roomId }, 'roomId');
    const token = await a.app.tokenFor('member');
    const roomsOf = async () =>
      (
        await h.request<{ viewer: { rooms: { edges: { node: { roomId: string } }[] } } }>(
          '{ viewer { rooms(first: 50) { edges { node { roomId } } } } }',
          { headers: bearer(token) },
        )
      ).body.data?.viewer.rooms.edges.map((e) => e.node.roomId);
    expect(await roomsOf()).not.toContain(roomId);

    const again = await a.member(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['owner'] },
      'room { roomId unread members(first: 5) { totalCount edges { node { userId } } } }',
    );
    expect(again['room']).toMatchObject({ roomId, unread: 0, members: { totalCount: 2 } });
    expect(await roomsOf()).toContain(roomId);
    // Asking once more changes nothing: both are in already.
    const third = await a.owner(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['member'] },
      'room { roomId members(first: 5) { totalCount } }',
    );
    expect(third['room']).toMatchObject({ roomId, members: { totalCount: 2 } });
  });

  test('the API key creates rooms for any user (ownerId); a user may not', async () => {
    const a = await actors();
    const created = await a.admin(
      'createRoom',
      { roomId: 'bots', ownerId: 'member', memberIds: ['owner'] },
      `room { ${ROOM} }`,
    );
    expect(created.__typename).toBe('CreateRoomPayload');
    const members = (created['room'] as { members: { edges: { node: { userId: string; role: string } }[] } })
      .members.edges;
    expect(members.find((e) => e.node.userId === 'member')?.node.role).toBe('OWNER');
    expectError(await a.owner('createRoom', { roomId: 'x', ownerId: 'member' }), 'ForbiddenError');
  });

  test('typed errors: bad id, taken id, unknown member, wrong direct size, no credentials', async () => {
    const a = await actors();
    expect(
      expectError(await a.owner('createRoom', { roomId: 'no spaces!' }), 'InvalidInputError').field,
    ).toBe('roomId');
    await a.owner('createRoom', { roomId: 'taken' });
    const taken = expectError(
      await a.owner('createRoom', { roomId: 'taken' }),
      'InvalidInputError',
      'ROOM_EXISTS',
    );
    expect(taken.code).toBe('BAD_USER_INPUT');
    expectError(await a.owner('createRoom', { memberIds: ['nobody'] }), 'NotFoundError', 'USER_NOT_FOUND');
    const direct = expectError(
      await a.owner('createRoom', { roomType: 'DIRECT', memberIds: ['mod', 'member'] }),
      'InvalidInputError',
    );
    expect(direct.field).toBe('memberIds');
    expect(
      expectError(await a.owner('createRoom', { customFields: [1, 2] }), 'InvalidInputError').field,
    ).toBe('customFields');
    const anonymous = expectError(
      await a.anonymous('createRoom', { roomId: 'anon' }),
      'UnauthenticatedError',
    );
    expect(anonymous.code).toBe('UNAUTHENTICATED');
  });
});

describe('updateRoom', () => {
  test('owners and moderators change settings; fields left out stay', async () => {
    const a = await actors();
    await roomWithRoles(a);
    const byOwner = await a.owner(
      'updateRoom',
      { roomId: 'room', name: 'Renamed', readOnly: true, roomTags: ['a', 'b'] },
      `room { ${ROOM} }`,
    );
    expect(byOwner['room']).toMatchObject({
      name: 'Renamed',
      readOnly: true,
      roomTags: ['a', 'b'],
      topic: '',
    });
    const byModerator = await a.moderator(
      'updateRoom',
      { roomId: 'room', topic: 'New topic', archived: true },
      `room { ${ROOM} }`,
    );
    expect(byModerator['room']).toMatchObject({
      name: 'Renamed',
      topic: 'New topic',
      archived: true,
      readOnly: true,
    });
  });

  test('members, outsiders and other apps are refused; bad input names its field', async () => {
    const a = await actors();
    await roomWithRoles(a);
    expectError(
      await a.member('updateRoom', { roomId: 'room', name: 'Mine' }),
      'ForbiddenError',
      'NOT_ROOM_MODERATOR',
    );
    expectError(
      await a.outsider('updateRoom', { roomId: 'room', name: 'Mine' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(
      await a.owner('updateRoom', { roomId: 'nope', name: 'x' }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
    const other = await createTestApp(database.db, ['owner']);
    expectError(
      await mutatorFor(h, apiKey(other.apiKey))('updateRoom', { roomId: 'room', name: 'x' }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
    expect(
      expectError(await a.owner('updateRoom', { roomId: 'room', name: 'x'.repeat(201) }), 'InvalidInputError')
        .field,
    ).toBe('name');
  });

  test('uploads an avatar as a GraphQL multipart request, and removes it', async () => {
    const a = await actors();
    await roomWithRoles(a);
    const png = pngImage();
    const upload = async (type: string, extra: Record<string, unknown> = {}, bytes = png) => {
      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query:
            'mutation($input: UpdateRoomInput!) { updateRoom(input: $input) { __typename ... on Error { code field message } } }',
          variables: { input: { roomId: 'room', avatar: null, ...extra } },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.input.avatar'] }));
      form.set('0', new File([bytes], 'me.png', { type }));
      const response = await h.fetch(
        new Request('http://chat-bff.test/graphql', {
          method: 'POST',
          headers: bearer(await a.app.tokenFor('owner')),
          body: form,
        }),
      );
      return ((await response.json()) as { data: { updateRoom: { __typename: string; field?: string } } })
        .data.updateRoom;
    };
    expect(await upload('image/png')).toEqual({ __typename: 'UpdateRoomPayload' });
    const stored = await getRoomAvatar(a.app.as('member'), 'room');
    expect(stored).toMatchObject({ mime: 'image/png', filename: 'me.png' });
    expect([...(stored?.bytes ?? [])]).toEqual([...png]);

    // What the bytes are decides (test/graphql/mutations/avatar-upload.test.ts has the rest).
    expect(await upload('image/png', {}, svgWithScript)).toMatchObject({
      __typename: 'InvalidInputError',
      field: 'avatar',
    });
    expect(await upload('image/png', { removeAvatar: true })).toMatchObject({
      __typename: 'InvalidInputError',
      field: 'avatar',
    });
    expect((await a.owner('updateRoom', { roomId: 'room', removeAvatar: true })).__typename).toBe(
      'UpdateRoomPayload',
    );
    expect(await getRoomAvatar(a.app.as('member'), 'room')).toBeNull();
  });

  test('a JSON value where a File belongs is an input error, not a crash', async () => {
    const a = await actors();
    await roomWithRoles(a);
    const res = await h.request(
      'mutation($input: UpdateRoomInput!) { updateRoom(input: $input) { __typename } }',
      {
        variables: { input: { roomId: 'room', avatar: 'aGVsbG8=' } },
        headers: bearer(await a.app.tokenFor('owner')),
      },
    );
    expect(res.body.errors?.[0]?.message).toContain('multipart');
  });
});

describe('deleteRoom', () => {
  test('owners delete: the room leaves the lists and sync reports it removed', async () => {
    const a = await actors();
    await roomWithRoles(a);
    const before = new Date(Date.now() - 1000);
    expectError(await a.moderator('deleteRoom', { roomId: 'room' }), 'ForbiddenError', 'NOT_ROOM_OWNER');
    expectError(await a.member('deleteRoom', { roomId: 'room' }), 'ForbiddenError', 'NOT_ROOM_MODERATOR');
    expect(await a.owner('deleteRoom', { roomId: 'room' }, 'deletedRoomId')).toMatchObject({
      __typename: 'DeleteRoomPayload',
      deletedRoomId: 'room',
    });
    const list = await h.request<{ viewer: { rooms: { totalCount: number } } }>(
      '{ viewer { rooms(first: 10) { totalCount } } }',
      { headers: bearer(await a.app.tokenFor('member')) },
    );
    expect(list.body.data?.viewer.rooms.totalCount).toBe(0);
    const changes = await listRoomChangesSince(a.app.as('member'), before);
    expect(changes.removed.map((r) => r.roomId)).toEqual(['room']);
    expectError(await a.owner('deleteRoom', { roomId: 'room' }), 'NotFoundError', 'ROOM_NOT_FOUND');
  });

  test('the API key deletes any room of its app', async () => {
    const a = await actors();
    await roomWithRoles(a);
    expect((await a.admin('deleteRoom', { roomId: 'room' })).__typename).toBe('DeleteRoomPayload');
  });
});
