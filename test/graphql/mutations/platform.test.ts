import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, mutatorFor } from '../../support/mutate.js';

/*
 * The platform API: what an app's server does with its API key over GraphQL, through
 * both ways of sending it (IM-API-KEY and Authorization: Bearer sk_...), and that it
 * reaches nothing outside its own app.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const USER = 'user { userId username nickname avatarUrl description isRobot }';

async function viewerOf(token: string) {
  const res = await h.request<{ viewer: { userId: string; nickname: string } | null }>(
    '{ viewer { userId nickname } }',
    { headers: bearer(token) },
  );
  return {
    status: res.status,
    viewer: res.body.data?.viewer ?? null,
    code: res.body.errors?.[0]?.extensions?.['code'],
  };
}

describe('platform mutations with the API key', () => {
  test('provisions a user, hands their client a token, and revokes it', async () => {
    const app = await createTestApp(database.db);
    const admin = mutatorFor(h, bearer(app.apiKey)); // Authorization: Bearer sk_...
    const created = await admin(
      'createUser',
      { userId: 'bot-1', nickname: 'Helper', isRobot: true, description: 'Answers', password: 'secret-pw' },
      USER,
    );
    expect(created['user']).toEqual({
      userId: 'bot-1',
      username: 'bot-1',
      nickname: 'Helper',
      avatarUrl: '',
      description: 'Answers',
      isRobot: true,
    });
    const updated = await admin(
      'updateUser',
      { userId: 'bot-1', nickname: 'Helper 2', avatarUrl: 'https://x.test/b.png' },
      USER,
    );
    expect(updated['user']).toMatchObject({
      nickname: 'Helper 2',
      avatarUrl: 'https://x.test/b.png',
      description: 'Answers',
    });

    const issued = await admin(
      'issueClientToken',
      { userId: 'bot-1', ttlSeconds: 3600 },
      'token expiresAt user { userId }',
    );
    const token = issued['token'] as string;
    expect(token).toMatch(/^ct_/);
    const expiresIn = Date.parse(issued['expiresAt'] as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    expect(await viewerOf(token)).toMatchObject({ viewer: { userId: 'bot-1', nickname: 'Helper 2' } });

    const forever = await admin(
      'issueClientToken',
      { userId: 'bot-1', neverExpires: true },
      'token expiresAt',
    );
    expect(forever['expiresAt']).toBeNull();

    expect(await admin('revokeClientToken', { token }, 'revoked')).toMatchObject({ revoked: true });
    expect(await viewerOf(token)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await admin('revokeClientToken', { token }, 'revoked')).toMatchObject({ revoked: false });

    expect(await admin('revokeUserTokens', { userId: 'bot-1' }, 'revokedCount')).toMatchObject({
      revokedCount: 1,
    });
    expect(await viewerOf(forever['token'] as string)).toMatchObject({ status: 401 });
  });

  test("the viewer's own row, read with the token, is read again once the user changes", async () => {
    const app = await createTestApp(database.db, ['renamed']);
    const token = await app.tokenFor('renamed');
    expect(await viewerOf(token)).toMatchObject({ viewer: { userId: 'renamed', nickname: 'RENAMED' } });
    const admin = mutatorFor(h, apiKey(app.apiKey));
    await admin('updateUser', { userId: 'renamed', nickname: 'New name' }, 'user { nickname }');
    // The token is still remembered, but not the row that came with it.
    expect(await viewerOf(token)).toMatchObject({ viewer: { userId: 'renamed', nickname: 'New name' } });
  });

  test("a token issued without a lifetime lives the server's TOKEN_TTL_SECONDS", async () => {
    const app = await createTestApp(database.db, ['ttl-user']);
    const hourly = createInProcessApp(database.db, { env: { TOKEN_TTL_SECONDS: '3600' } });
    const admin = mutatorFor(hourly, bearer(app.apiKey));
    const issued = await admin('issueClientToken', { userId: 'ttl-user' }, 'expiresAt');
    const expiresIn = Date.parse(issued['expiresAt'] as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const byDefault = await mutatorFor(h, bearer(app.apiKey))(
      'issueClientToken',
      { userId: 'ttl-user' },
      'expiresAt',
    );
    const days = (Date.parse(byDefault['expiresAt'] as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  test('creates rooms with members and posts as any member (IM-API-KEY)', async () => {
    const app = await createTestApp(database.db, ['alice', 'bob']);
    const admin = mutatorFor(h, apiKey(app.apiKey));
    await admin('createRoom', { roomId: 'imported', ownerId: 'alice', memberIds: ['bob'] });
    const sent = await admin(
      'sendMessage',
      {
        roomId: 'imported',
        message: 'from the past',
        senderId: 'bob',
        messageTime: '2020-01-02T03:04:05.000Z',
      },
      'chatMessage { sender { userId } messageTime }',
    );
    expect(sent['chatMessage']).toEqual({
      sender: { userId: 'bob' },
      messageTime: '2020-01-02T03:04:05.000Z',
    });
    const alice = await h.request<{ room: { unread: number; lastMessage: { message: string } } }>(
      '{ room(id: "imported") { unread lastMessage { message } } }',
      { headers: bearer(await app.tokenFor('alice')) },
    );
    expect(alice.body.data?.room).toEqual({ unread: 1, lastMessage: { message: 'from the past' } });
  });

  test('typed errors: duplicates, unknown users, bad input', async () => {
    const app = await createTestApp(database.db, ['alice']);
    const admin = mutatorFor(h, apiKey(app.apiKey));
    expectError(await admin('createUser', { userId: 'alice' }), 'ConflictError');
    expect(expectError(await admin('createUser', { userId: 'bad id' }), 'InvalidInputError').field).toBe(
      'userId',
    );
    expect(
      expectError(await admin('createUser', { userId: 'carol', password: '123' }), 'InvalidInputError').field,
    ).toBe('password');
    expectError(
      await admin('updateUser', { userId: 'nobody', nickname: 'x' }),
      'NotFoundError',
      'USER_NOT_FOUND',
    );
    expectError(await admin('issueClientToken', { userId: 'nobody' }), 'NotFoundError', 'USER_NOT_FOUND');
    expect(
      expectError(await admin('issueClientToken', { userId: 'alice', ttlSeconds: 5 }), 'InvalidInputError')
        .field,
    ).toBe('ttlSeconds');
    expectError(await admin('revokeUserTokens', { userId: 'nobody' }), 'NotFoundError', 'USER_NOT_FOUND');
  });
});

describe('the API key stays inside its app', () => {
  test("another app's users, rooms and tokens are out of reach", async () => {
    const mine = await createTestApp(database.db, ['me']);
    const theirs = await createTestApp(database.db, ['them', 'other']);
    await mutatorFor(h, apiKey(theirs.apiKey))('createRoom', {
      roomId: 'their-room',
      ownerId: 'them',
      memberIds: ['other'],
    });
    const admin = mutatorFor(h, apiKey(mine.apiKey));
    expectError(
      await admin('updateUser', { userId: 'them', nickname: 'hacked' }),
      'NotFoundError',
      'USER_NOT_FOUND',
    );
    expectError(await admin('issueClientToken', { userId: 'them' }), 'NotFoundError', 'USER_NOT_FOUND');
    expectError(await admin('revokeUserTokens', { userId: 'them' }), 'NotFoundError', 'USER_NOT_FOUND');
    expectError(
      await admin('sendMessage', { roomId: 'their-room', message: 'x', senderId: 'them' }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
    expectError(
      await admin('addMembers', { roomId: 'their-room', userIds: ['me'] }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
    expectError(await admin('deleteRoom', { roomId: 'their-room' }), 'NotFoundError', 'ROOM_NOT_FOUND');
    expectError(
      await admin('createRoom', { roomId: 'mixed', ownerId: 'me', memberIds: ['them'] }),
      'NotFoundError',
      'USER_NOT_FOUND',
    );
    // A token of the other app is not revoked (and the answer says no more than "nothing revoked").
    const theirToken = await theirs.tokenFor('them');
    expect(await admin('revokeClientToken', { token: theirToken }, 'revoked')).toMatchObject({
      revoked: false,
    });
    expect(await viewerOf(theirToken)).toMatchObject({ viewer: { userId: 'them' } });
    // A user of the other app created with the same id is a different user.
    expect((await admin('createUser', { userId: 'them', nickname: 'Mine' }, USER))['user']).toMatchObject({
      nickname: 'Mine',
    });
    expect(await viewerOf(theirToken)).toMatchObject({ viewer: { userId: 'them', nickname: 'THEM' } });
  });

  test('users may not use the platform mutations', async () => {
    const app = await createTestApp(database.db, ['alice']);
    const alice = mutatorFor(h, bearer(await app.tokenFor('alice')));
    for (const [field, input] of [
      ['createUser', { userId: 'mallory' }],
      ['updateUser', { userId: 'alice', nickname: 'x' }],
      ['issueClientToken', { userId: 'alice' }],
      ['revokeClientToken', { token: 'ct_x' }],
      ['revokeUserTokens', { userId: 'alice' }],
    ] as const) {
      expect(expectError(await alice(field, input), 'ForbiddenError', 'API_KEY_REQUIRED').code, field).toBe(
        'FORBIDDEN',
      );
    }
    expectError(await mutatorFor(h, {})('createUser', { userId: 'anon' }), 'UnauthenticatedError');
  });

  test('a wrong API key is a 401 for the whole request', async () => {
    const res = await h.request('mutation { createUser(input: { userId: "x" }) { __typename } }', {
      headers: apiKey('sk_wrong'),
    });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
