import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INPUT_LIMITS } from '../../../src/domain/input-limits.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, mutatorFor, type Mutate } from '../../support/mutate.js';

/*
 * Every free-text field a client writes has a cap (src/domain/input-limits.ts): one past
 * it is an InvalidInputError naming the field, in the mutation's result union, and the
 * cap itself is accepted. The 10,000 characters are what an attacker stored before.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const LONG = 'x'.repeat(10_000);
const over = (limit: keyof typeof INPUT_LIMITS) => 'x'.repeat(INPUT_LIMITS[limit].max + 1);
const atMost = (limit: keyof typeof INPUT_LIMITS) => 'x'.repeat(INPUT_LIMITS[limit].max);
/** The longest link the cap allows. */
const longestLink = () => `https://example.com/${'x'.repeat(INPUT_LIMITS.avatarUrl.max - 20)}`;
const ids = (count: number, prefix = 'u') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

interface World {
  app: TestApp;
  owner: Mutate;
  admin: Mutate;
}

async function world(): Promise<World> {
  const app = await createTestApp(database.db, ['owner', 'member']);
  const owner = mutatorFor(h, bearer(await app.tokenFor('owner')));
  await owner('createRoom', { roomId: 'room', name: 'Room', memberIds: ['member'] });
  return { app, owner, admin: mutatorFor(h, apiKey(app.apiKey)) };
}

async function expectRefused(
  result: Promise<Record<string, unknown> & { __typename: string }>,
  field: string,
) {
  const error = expectError(await result, 'InvalidInputError');
  expect(error.code).toBe('BAD_USER_INPUT');
  expect(error.field).toBe(field);
}

describe('free-text caps over GraphQL', () => {
  test('createUser and updateUser: nickname, avatar URL, description, username', async () => {
    const { admin } = await world();
    await expectRefused(admin('createUser', { userId: 'n1', nickname: LONG }), 'nickname');
    await expectRefused(admin('createUser', { userId: 'n2', avatarUrl: over('avatarUrl') }), 'avatarUrl');
    await expectRefused(admin('createUser', { userId: 'n3', description: LONG }), 'description');
    await expectRefused(admin('createUser', { userId: 'n4', username: LONG }), 'username');
    await expectRefused(admin('createUser', { userId: LONG }), 'userId');
    await expectRefused(admin('updateUser', { userId: 'owner', nickname: over('nickname') }), 'nickname');
    await expectRefused(admin('updateUser', { userId: 'owner', description: LONG }), 'description');
    const ok = await admin(
      'createUser',
      { userId: 'n5', nickname: atMost('nickname'), avatarUrl: longestLink() },
      'user { userId }',
    );
    expect(ok.__typename).toBe('CreateUserPayload');
  });

  test('createRoom: name, description, topic, cover, tags, customFields, member count', async () => {
    const { owner, admin } = await world();
    await expectRefused(owner('createRoom', { name: LONG, memberIds: [] }), 'name');
    await expectRefused(owner('createRoom', { description: LONG, memberIds: [] }), 'description');
    await expectRefused(owner('createRoom', { topic: LONG, memberIds: [] }), 'topic');
    await expectRefused(owner('createRoom', { cover: LONG, memberIds: [] }), 'cover');
    await expectRefused(owner('createRoom', { roomTags: [LONG], memberIds: [] }), 'roomTags');
    await expectRefused(owner('createRoom', { roomTags: ids(51, 't'), memberIds: [] }), 'roomTags');
    await expectRefused(
      owner('createRoom', { customFields: { text: 'x'.repeat(20_000) }, memberIds: [] }),
      'customFields',
    );
    await expectRefused(owner('createRoom', { roomId: LONG, memberIds: [] }), 'roomId');
    await expectRefused(admin('createRoom', { memberIds: ids(INPUT_LIMITS.members.max + 1) }), 'memberIds');
    const ok = await owner(
      'createRoom',
      { name: atMost('roomName'), topic: atMost('roomTopic'), memberIds: [] },
      'room { roomId }',
    );
    expect(ok.__typename).toBe('CreateRoomPayload');
  });

  test('avatar and cover links are http(s) URLs or server paths, never script', async () => {
    const { admin, owner } = await world();
    const hostile = [
      'javascript:alert(document.cookie)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>1</script>',
    ];
    for (const [i, link] of hostile.entries()) {
      await expectRefused(admin('createUser', { userId: `link${i}`, avatarUrl: link }), 'avatarUrl');
      await expectRefused(admin('updateUser', { userId: 'owner', avatarUrl: link }), 'avatarUrl');
      await expectRefused(owner('createRoom', { cover: link, memberIds: [] }), 'cover');
      await expectRefused(owner('updateRoom', { roomId: 'room', cover: link }), 'cover');
    }
    for (const link of [
      'https://cdn.example/a.png',
      'http://example.com/b.jpg',
      '/api/v1/rooms/1/avatar.jpg',
      '',
    ]) {
      const ok = await owner('updateRoom', { roomId: 'room', cover: link }, 'room { roomId }');
      expect(ok.__typename).toBe('UpdateRoomPayload');
    }
  });

  test('updateRoom: name, description, topic, cover, customFields', async () => {
    const { owner } = await world();
    await expectRefused(owner('updateRoom', { roomId: 'room', name: LONG }), 'name');
    await expectRefused(owner('updateRoom', { roomId: 'room', description: LONG }), 'description');
    await expectRefused(owner('updateRoom', { roomId: 'room', topic: LONG }), 'topic');
    await expectRefused(owner('updateRoom', { roomId: 'room', cover: LONG }), 'cover');
    await expectRefused(
      owner('updateRoom', { roomId: 'room', customFields: { a: 'x'.repeat(20_000) } }),
      'customFields',
    );
  });

  test('addMembers: at most INPUT_LIMITS.members ids in one call', async () => {
    const { owner } = await world();
    await expectRefused(
      owner('addMembers', { roomId: 'room', userIds: ids(INPUT_LIMITS.members.max + 1) }),
      'userIds',
    );
  });

  test('updateRoomPref: tag count and length, tag colors, folder', async () => {
    const { app } = await world();
    const member = mutatorFor(h, bearer(await app.tokenFor('member')));
    await expectRefused(member('updateRoomPref', { roomId: 'room', tags: ids(51, 't') }), 'tags');
    await expectRefused(member('updateRoomPref', { roomId: 'room', tags: [LONG] }), 'tags');
    await expectRefused(member('updateRoomPref', { roomId: 'room', folder: LONG }), 'folder');
    const colors = Object.fromEntries(ids(51, 't').map((tag) => [tag, '#ffffff']));
    await expectRefused(member('updateRoomPref', { roomId: 'room', tagColors: colors }), 'tagColors');
    const ok = await member('updateRoomPref', { roomId: 'room', tags: ids(50, 't'), folder: 'Work' });
    expect(ok.__typename).toBe('UpdateRoomPrefPayload');
  });

  test('sendMessage and editMessage: text at most 16 KiB characters, the JSON body 64 KiB', async () => {
    const { owner } = await world();
    await expectRefused(owner('sendMessage', { roomId: 'room', message: over('messageText') }), 'message');
    await expectRefused(
      owner('sendMessage', { roomId: 'room', message: { parts: ['x'.repeat(40_000), 'y'.repeat(30_000)] } }),
      'message',
    );
    const sent = await owner(
      'sendMessage',
      { roomId: 'room', message: atMost('messageText') },
      'chatMessage { messageId }',
    );
    expect(sent.__typename).toBe('SendMessagePayload');
    const messageId = (sent['chatMessage'] as { messageId: string }).messageId;
    await expectRefused(owner('editMessage', { messageId, message: over('messageText') }), 'message');
  });
});
