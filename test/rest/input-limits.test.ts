import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../src/domain/input-limits.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { rocketchatLogin } from './support/logins.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * The REST dialects' writes of free text meet the same caps (src/domain/input-limits.ts):
 * a text message one character past INPUT_LIMITS.messageText is each dialect's 400,
 * naming the field; one at the cap is sent.
 */

let database: TestDatabase;
let client: RestClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const TEXT_MAX = INPUT_LIMITS.messageText.max;
const PASSWORD = 'secret-password';

function post(path: string, headers: Record<string, string>, body: unknown) {
  return client.json<Body>(path, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('a text message past the cap', () => {
  it('IMKit POST /rooms/{id}/message: 400 INVALID_PARAMETER naming the message', async () => {
    const app = await createTestApp(database.db, ['alice']);
    await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: [] });
    const headers = {
      ...imkitHeaders(app.clientKey, await app.tokenFor('alice')),
      'content-type': 'application/json; charset=utf-8',
    };
    const refused = await post('/rooms/talk/message', headers, {
      message: 'x'.repeat(TEXT_MAX + 1),
      messageType: 'text',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_PARAMETER' } });
    expect(refused.body.error.message).toContain(`at most ${TEXT_MAX} characters`);
    const sent = await post('/rooms/talk/message', headers, {
      message: 'x'.repeat(TEXT_MAX),
      messageType: 'text',
    });
    expect(sent.status).toBe(200);
  });

  it('Rocket.Chat POST /api/v1/chat.sendMessage: 400 invalid-params naming /message/msg', async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'roxie', { password: PASSWORD });
    await createRoom(app.as('roxie'), { roomId: 'talk', roomType: 'group', memberIds: [] });
    const headers = {
      ...(await rocketchatLogin(client, app.appId, 'roxie', PASSWORD)),
      'content-type': 'application/json',
    };
    const refused = await post('/api/v1/chat.sendMessage', headers, {
      message: { rid: 'talk', msg: 'x'.repeat(TEXT_MAX + 1) },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ success: false, errorType: 'invalid-params' });
    expect(refused.body.error).toContain(`/message/msg A text message may be at most ${TEXT_MAX} characters`);
    const sent = await post('/api/v1/chat.sendMessage', headers, {
      message: { rid: 'talk', msg: 'x'.repeat(TEXT_MAX) },
    });
    expect([sent.status, sent.body.success]).toEqual([200, true]);
  });
});
