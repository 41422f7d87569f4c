import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setMemberRole } from '../../../src/domain/rooms/membership.service.js';
import { createRoom } from '../../../src/domain/rooms/room.service.js';
import { createTestDatabase, uniqueId, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, mutatorFor, type Mutate, type MutationResult } from '../../support/mutate.js';

/*
 * Room roles hold: every actor (owner, moderator, member, non-member, the app's API key)
 * against every membership write (remove, role up and down, add, leave), each on a fresh
 * room whose only owner is "owner". A moderator can neither touch an owner nor mint one,
 * and a room never loses its last owner (CONFLICT, LAST_OWNER), the API key included.
 * What each call left behind is read back from the memberships table.
 */

let database: TestDatabase;
let h: InProcessApp;
let app: TestApp;
const mutate: Record<string, Mutate> = {};

const USERS = ['owner', 'owner2', 'moderator', 'member', 'outsider', 'newcomer'] as const;
const ACTORS = ['owner', 'moderator', 'member', 'outsider', 'apiKey'] as const;
type Actor = (typeof ACTORS)[number];
type Roles = Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
  app = await createTestApp(database.db, [...USERS]);
  for (const user of USERS) mutate[user] = mutatorFor(h, bearer(await app.tokenFor(user)));
  mutate['apiKey'] = mutatorFor(h, apiKey(app.apiKey));
});
afterAll(() => database?.close());

/** A group room: "owner" owns it, "moderator" moderates, "member" is a member (and "owner2" an owner if asked). */
async function freshRoom(options: { secondOwner?: boolean } = {}): Promise<string> {
  const room = await createRoom(app.as('owner'), {
    roomId: uniqueId('room'),
    roomType: 'group',
    memberIds: ['moderator', 'member', ...(options.secondOwner ? ['owner2'] : [])],
  });
  await setMemberRole(app.as('owner'), room.id, 'moderator', 'moderator');
  if (options.secondOwner) await setMemberRole(app.as('owner'), room.id, 'owner2', 'owner');
  return room.id;
}

/** The room's current members and their roles, as stored. */
async function storedRoles(roomId: string): Promise<Roles> {
  const rows = await database.db
    .selectFrom('memberships')
    .select(['user_id', 'role'])
    .where('app_id', '=', app.appId)
    .where('room_id', '=', roomId)
    .where('left_at', 'is', null)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.user_id, row.role]));
}

const START: Roles = { owner: 'owner', moderator: 'moderator', member: 'member' };
const without = (user: string): Roles =>
  Object.fromEntries(Object.entries(START).filter(([u]) => u !== user));
const withRole = (user: string, role: string): Roles => ({ ...START, [user]: role });

type Refusal = [typename: string, reason: string];
type Expected = 'ok' | Refusal;
const LAST_OWNER: Refusal = ['ConflictError', 'LAST_OWNER'];
const NOT_OWNER: Refusal = ['ForbiddenError', 'NOT_ROOM_OWNER'];
const NOT_MOD: Refusal = ['ForbiddenError', 'NOT_ROOM_MODERATOR'];
const OUT: Refusal = ['ForbiddenError', 'NOT_ROOM_MEMBER'];

interface Case {
  name: string;
  call(m: Mutate, roomId: string): Promise<MutationResult>;
  expected: Record<Actor, Expected>;
  /** The members and roles after the call succeeded (a refused call leaves START). */
  after(actor: Actor): Roles;
}

const remove = (userId: string) => (m: Mutate, roomId: string) => m('removeMember', { roomId, userId });
const setRole = (userId: string, role: string) => (m: Mutate, roomId: string) =>
  m('setMemberRole', { roomId, userId, role });
const add = (userId: string, role: string) => (m: Mutate, roomId: string) =>
  m('addMembers', { roomId, userIds: [userId], role }, 'addedUserIds');

const CASES: Case[] = [
  {
    name: 'remove the only owner',
    call: remove('owner'),
    expected: { owner: LAST_OWNER, moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: LAST_OWNER },
    after: () => START,
  },
  {
    name: 'demote the only owner to MODERATOR',
    call: setRole('owner', 'MODERATOR'),
    expected: { owner: LAST_OWNER, moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: LAST_OWNER },
    after: () => START,
  },
  {
    name: 'demote the only owner to MEMBER',
    call: setRole('owner', 'MEMBER'),
    expected: { owner: LAST_OWNER, moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: LAST_OWNER },
    after: () => START,
  },
  {
    name: 'leaveRoom',
    call: (m, roomId) => m('leaveRoom', { roomId }),
    expected: {
      owner: LAST_OWNER,
      moderator: 'ok',
      member: 'ok',
      outsider: OUT,
      apiKey: ['ForbiddenError', 'USER_REQUIRED'],
    },
    after: (actor) => without(actor),
  },
  {
    name: 'remove a moderator',
    call: remove('moderator'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => without('moderator'),
  },
  {
    name: 'remove a member',
    call: remove('member'),
    expected: { owner: 'ok', moderator: 'ok', member: 'ok', outsider: OUT, apiKey: 'ok' },
    after: () => without('member'),
  },
  {
    name: 'promote a member to OWNER',
    call: setRole('member', 'OWNER'),
    expected: { owner: 'ok', moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => withRole('member', 'owner'),
  },
  {
    name: 'promote a moderator to OWNER',
    call: setRole('moderator', 'OWNER'),
    expected: { owner: 'ok', moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => withRole('moderator', 'owner'),
  },
  {
    name: 'promote a member to MODERATOR',
    call: setRole('member', 'MODERATOR'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => withRole('member', 'moderator'),
  },
  {
    name: 'demote a moderator to MEMBER',
    call: setRole('moderator', 'MEMBER'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => withRole('moderator', 'member'),
  },
  {
    name: 'add a user as MEMBER',
    call: add('newcomer', 'MEMBER'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => ({ ...START, newcomer: 'member' }),
  },
  {
    name: 'add a user as MODERATOR',
    call: add('newcomer', 'MODERATOR'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => ({ ...START, newcomer: 'moderator' }),
  },
  {
    name: 'add a user as OWNER',
    call: add('newcomer', 'OWNER'),
    expected: { owner: 'ok', moderator: NOT_OWNER, member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => ({ ...START, newcomer: 'owner' }),
  },
  {
    name: 'add the owner again as MEMBER (they stay OWNER)',
    call: add('owner', 'MEMBER'),
    expected: { owner: 'ok', moderator: 'ok', member: NOT_MOD, outsider: OUT, apiKey: 'ok' },
    after: () => START,
  },
];

describe.each(CASES)('$name', (c) => {
  test.each(ACTORS)('as %s', async (actor) => {
    const roomId = await freshRoom();
    const result = await c.call(mutate[actor]!, roomId);
    const expected = c.expected[actor];
    if (expected === 'ok') {
      expect(result.__typename, JSON.stringify(result)).toMatch(/Payload$/);
      expect(await storedRoles(roomId)).toEqual(c.after(actor));
    } else {
      expectError(result, ...expected);
      expect(await storedRoles(roomId)).toEqual(START);
    }
  });
});

describe('a room with two owners', () => {
  test('an owner removes or demotes the other, but not the last one left', async () => {
    const removed = await freshRoom({ secondOwner: true });
    expect((await mutate.owner!('removeMember', { roomId: removed, userId: 'owner2' })).__typename).toBe(
      'RemoveMemberPayload',
    );
    expectError(await mutate.owner!('removeMember', { roomId: removed, userId: 'owner' }), ...LAST_OWNER);

    const demoted = await freshRoom({ secondOwner: true });
    expect(
      await mutate.owner2!(
        'setMemberRole',
        { roomId: demoted, userId: 'owner', role: 'MEMBER' },
        'member { role }',
      ),
    ).toMatchObject({ member: { role: 'MEMBER' } });
    expectError(
      await mutate.owner!('setMemberRole', { roomId: demoted, userId: 'owner2', role: 'MEMBER' }),
      ...NOT_MOD,
    );
    expectError(
      await mutate.owner2!('setMemberRole', { roomId: demoted, userId: 'owner2', role: 'MEMBER' }),
      ...LAST_OWNER,
    );
    expect(await storedRoles(demoted)).toEqual({ ...withRole('owner', 'member'), owner2: 'owner' });
  });

  test('an owner may leave while another stays; then the other may not', async () => {
    const roomId = await freshRoom({ secondOwner: true });
    expect((await mutate.owner!('leaveRoom', { roomId })).__typename).toBe('LeaveRoomPayload');
    expectError(await mutate.owner2!('leaveRoom', { roomId }), ...LAST_OWNER);
    expect(await storedRoles(roomId)).toEqual({ ...without('owner'), owner2: 'owner' });
  });

  test('a moderator touches neither owner', async () => {
    const roomId = await freshRoom({ secondOwner: true });
    for (const target of ['owner', 'owner2']) {
      expectError(await mutate.moderator!('removeMember', { roomId, userId: target }), ...NOT_OWNER);
      expectError(
        await mutate.moderator!('setMemberRole', { roomId, userId: target, role: 'MEMBER' }),
        ...NOT_OWNER,
      );
    }
    expect(await storedRoles(roomId)).toEqual({ ...START, owner2: 'owner' });
  });

  test('the API key removes an owner but not the last; after promoting another it may', async () => {
    const roomId = await freshRoom({ secondOwner: true });
    expect((await mutate.apiKey!('removeMember', { roomId, userId: 'owner2' })).__typename).toBe(
      'RemoveMemberPayload',
    );
    expectError(await mutate.apiKey!('removeMember', { roomId, userId: 'owner' }), ...LAST_OWNER);
    await mutate.apiKey!('setMemberRole', { roomId, userId: 'member', role: 'OWNER' });
    expect((await mutate.apiKey!('removeMember', { roomId, userId: 'owner' })).__typename).toBe(
      'RemoveMemberPayload',
    );
    expect(await storedRoles(roomId)).toEqual({ moderator: 'moderator', member: 'owner' });
  });
});

describe('a moderator taking over a room', () => {
  test('a moderator cannot remove the only owner and re-add them as a member', async () => {
    const roomId = await freshRoom();
    expectError(await mutate.moderator!('removeMember', { roomId, userId: 'owner' }), ...NOT_OWNER);
    expect(
      await mutate.moderator!('addMembers', { roomId, userIds: ['owner'], role: 'MEMBER' }, 'addedUserIds'),
    ).toMatchObject({ addedUserIds: [] });
    expect(await storedRoles(roomId)).toEqual(START);
    // The owner still manages their room.
    expect(
      await mutate.owner!(
        'setMemberRole',
        { roomId, userId: 'moderator', role: 'MEMBER' },
        'member { role }',
      ),
    ).toMatchObject({ member: { role: 'MEMBER' } });
  });

  test('an owner who left rejoins with the role they are added with: a moderator cannot make them owner', async () => {
    const roomId = await freshRoom({ secondOwner: true });
    await mutate.owner2!('leaveRoom', { roomId });
    expectError(
      await mutate.moderator!('addMembers', { roomId, userIds: ['owner2'], role: 'OWNER' }),
      ...NOT_OWNER,
    );
    await mutate.moderator!('addMembers', { roomId, userIds: ['owner2'] });
    expect(await storedRoles(roomId)).toEqual({ ...START, owner2: 'member' });
  });
});

describe('rooms the rule leaves alone', () => {
  test('the last owner deletes the room (the way to be done with it)', async () => {
    const roomId = await freshRoom();
    expect((await mutate.owner!('deleteRoom', { roomId })).__typename).toBe('DeleteRoomPayload');
  });

  test('either user of a direct room may leave it, its creator (owner) included', async () => {
    const created = await mutate.owner!(
      'createRoom',
      { roomType: 'DIRECT', memberIds: ['member'] },
      'room { roomId }',
    );
    const roomId = (created['room'] as { roomId: string }).roomId;
    expect((await mutate.owner!('leaveRoom', { roomId })).__typename).toBe('LeaveRoomPayload');
    expect((await mutate.member!('leaveRoom', { roomId })).__typename).toBe('LeaveRoomPayload');
    expect(await storedRoles(roomId)).toEqual({});
  });

  test('a room the API key made without an owner: the API key manages it; it may add an owner', async () => {
    const created = await mutate.apiKey!(
      'createRoom',
      { memberIds: ['member', 'moderator'] },
      'room { roomId }',
    );
    const roomId = (created['room'] as { roomId: string }).roomId;
    await mutate.apiKey!('setMemberRole', { roomId, userId: 'moderator', role: 'MODERATOR' });
    expectError(
      await mutate.moderator!('setMemberRole', { roomId, userId: 'member', role: 'OWNER' }),
      ...NOT_OWNER,
    );
    await mutate.apiKey!('setMemberRole', { roomId, userId: 'member', role: 'OWNER' });
    expectError(await mutate.member!('leaveRoom', { roomId }), ...LAST_OWNER);
    expect(await storedRoles(roomId)).toEqual({ member: 'owner', moderator: 'moderator' });
  });
});
