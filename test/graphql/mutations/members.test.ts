import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import type { TestApp } from '../../support/factories.js';
import { createTestWorld } from '../../support/world.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, type Mutate } from '../../support/mutate.js';

/*
 * addMembers, removeMember, leaveRoom, setMemberRole over GraphQL.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const MEMBERS = 'room { members(first: 20) { totalCount edges { node { userId role } } } }';

interface World {
  app: TestApp;
  as: Record<'owner' | 'mod' | 'member' | 'outsider' | 'newbie', Mutate>;
  admin: Mutate;
}

async function world(): Promise<World> {
  const { app, as, admin } = await createTestWorld(h, database.db, [
    'owner',
    'mod',
    'member',
    'outsider',
    'newbie',
  ]);
  await as.owner('createRoom', { roomId: 'room', memberIds: ['mod', 'member'] });
  await as.owner('setMemberRole', { roomId: 'room', userId: 'mod', role: 'MODERATOR' });
  return { app, as, admin };
}

function roles(result: Record<string, unknown>): Record<string, string> {
  const room = result['room'] as { members: { edges: { node: { userId: string; role: string } }[] } };
  return Object.fromEntries(room.members.edges.map((e) => [e.node.userId, e.node.role]));
}

describe('addMembers', () => {
  test('moderators add users; those already in are skipped', async () => {
    const w = await world();
    const added = await w.as.mod(
      'addMembers',
      { roomId: 'room', userIds: ['newbie', 'member'] },
      `addedUserIds ${MEMBERS}`,
    );
    expect(added['addedUserIds']).toEqual(['newbie']);
    expect(roles(added)).toEqual({ owner: 'OWNER', mod: 'MODERATOR', member: 'MEMBER', newbie: 'MEMBER' });
  });

  test('members may not add; moderators may not add owners; unknown users are NOT_FOUND', async () => {
    const w = await world();
    expectError(
      await w.as.member('addMembers', { roomId: 'room', userIds: ['newbie'] }),
      'ForbiddenError',
      'NOT_ROOM_MODERATOR',
    );
    expectError(
      await w.as.outsider('addMembers', { roomId: 'room', userIds: ['newbie'] }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(
      await w.as.mod('addMembers', { roomId: 'room', userIds: ['newbie'], role: 'OWNER' }),
      'ForbiddenError',
    );
    expectError(
      await w.as.owner('addMembers', { roomId: 'room', userIds: ['ghost'] }),
      'NotFoundError',
      'USER_NOT_FOUND',
    );
    expect(
      expectError(
        await w.as.owner('addMembers', { roomId: 'room', userIds: ['bad id'] }),
        'InvalidInputError',
      ).field,
    ).toBe('userId');
  });

  test('the API key adds owners', async () => {
    const w = await world();
    const added = await w.admin(
      'addMembers',
      { roomId: 'room', userIds: ['newbie'], role: 'OWNER' },
      MEMBERS,
    );
    expect(roles(added)['newbie']).toBe('OWNER');
  });
});

describe('removeMember and leaveRoom', () => {
  test('a moderator removes a member; the payload shows the room without them', async () => {
    const w = await world();
    const result = await w.as.mod(
      'removeMember',
      { roomId: 'room', userId: 'member' },
      `roomId removedUserId ${MEMBERS}`,
    );
    expect(result).toMatchObject({ roomId: 'room', removedUserId: 'member' });
    expect(roles(result)).toEqual({ owner: 'OWNER', mod: 'MODERATOR' });
    expectError(
      await w.as.mod('removeMember', { roomId: 'room', userId: 'member' }),
      'NotFoundError',
      'NOT_ROOM_MEMBER',
    );
  });

  test('a member may not remove others, but may remove themselves (room is then null)', async () => {
    const w = await world();
    expectError(
      await w.as.member('removeMember', { roomId: 'room', userId: 'mod' }),
      'ForbiddenError',
      'NOT_ROOM_MODERATOR',
    );
    const self = await w.as.member(
      'removeMember',
      { roomId: 'room', userId: 'member' },
      'removedUserId room { roomId }',
    );
    expect(self).toMatchObject({ removedUserId: 'member', room: null });
  });

  test("leaveRoom: the room leaves the viewer's list and they can no longer write", async () => {
    const w = await world();
    expect(await w.as.member('leaveRoom', { roomId: 'room' }, 'roomId')).toMatchObject({
      __typename: 'LeaveRoomPayload',
      roomId: 'room',
    });
    const list = await h.request<{ viewer: { rooms: { totalCount: number } } }>(
      '{ viewer { rooms(first: 5) { totalCount } } }',
      { headers: bearer(await w.app.tokenFor('member')) },
    );
    expect(list.body.data?.viewer.rooms.totalCount).toBe(0);
    expectError(
      await w.as.member('sendMessage', { roomId: 'room', message: 'still here?' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(await w.as.member('leaveRoom', { roomId: 'room' }), 'ForbiddenError', 'NOT_ROOM_MEMBER');
    expectError(await w.admin('leaveRoom', { roomId: 'room' }), 'ForbiddenError', 'USER_REQUIRED');
  });
});

describe('setMemberRole', () => {
  test('owners grant any role; moderators only (un)make moderators', async () => {
    const w = await world();
    expect(
      await w.as.mod(
        'setMemberRole',
        { roomId: 'room', userId: 'member', role: 'MODERATOR' },
        'member { userId role badge }',
      ),
    ).toMatchObject({
      member: { userId: 'member', role: 'MODERATOR', badge: 0 },
    });
    expectError(
      await w.as.mod('setMemberRole', { roomId: 'room', userId: 'member', role: 'OWNER' }),
      'ForbiddenError',
      'NOT_ROOM_OWNER',
    );
    expectError(
      await w.as.mod('setMemberRole', { roomId: 'room', userId: 'owner', role: 'MEMBER' }),
      'ForbiddenError',
      'NOT_ROOM_OWNER',
    );
    await w.as.owner('addMembers', { roomId: 'room', userIds: ['newbie'] });
    expectError(
      await w.as.newbie('setMemberRole', { roomId: 'room', userId: 'mod', role: 'MEMBER' }),
      'ForbiddenError',
      'NOT_ROOM_MODERATOR',
    );
    expect(
      await w.as.owner(
        'setMemberRole',
        { roomId: 'room', userId: 'member', role: 'OWNER' },
        'member { role }',
      ),
    ).toMatchObject({
      member: { role: 'OWNER' },
    });
    expect(
      await w.admin('setMemberRole', { roomId: 'room', userId: 'owner', role: 'MEMBER' }, 'member { role }'),
    ).toMatchObject({
      member: { role: 'MEMBER' },
    });
  });

  test('non-members of the room are MEMBER_NOT_FOUND; a bad role is a validation error', async () => {
    const w = await world();
    expectError(
      await w.as.owner('setMemberRole', { roomId: 'room', userId: 'outsider', role: 'MEMBER' }),
      'NotFoundError',
      'MEMBER_NOT_FOUND',
    );
    const bad = await h.request(
      'mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) { __typename } }',
      {
        variables: { input: { roomId: 'room', userId: 'member', role: 'KING' } },
        headers: bearer(await w.app.tokenFor('owner')),
      },
    );
    expect(bad.body.errors?.[0]?.message).toContain('KING');
  });
});
