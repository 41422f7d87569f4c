// The server's zone must not change what a client's time means: run this file as if the
// server were in New York (Node re-reads TZ when it changes; no Date was read before it).
process.env.TZ = 'America/New_York';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';
import { rocketchatLogin } from './support/logins.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const PASSWORD = 'secret-password';
let h: StartedApp;
let client: RestClient;
let imkit: Record<string, string>;
let rocket: Record<string, string>;
let token: string;
// Two hours before the room was made, in four spellings of the same instant, and the same
// wall-clock digits without a zone (which New York would have read four or five hours later).
let zoned: string[];
let zoneless: string;

beforeAll(async () => {
  h = await startInProcessApp();
  client = createRestClient(h.db);
  const app = await createTestApp(h.db);
  await createUser(h.db, app.appId, 'me', { password: PASSWORD });
  await createRoom(app.as('me'), { roomId: 'r1', name: 'r1', roomType: 'group', memberIds: [] });
  imkit = imkitHeaders(app.clientKey, await app.tokenFor('me'));
  rocket = await rocketchatLogin(client, app.appId, 'me', PASSWORD);
  token = await app.tokenFor('me');
  const since = new Date(Date.now() - 2 * 3600_000);
  const iso = since.toISOString();
  const plus = new Date(since.getTime() + 5.5 * 3600_000).toISOString().slice(0, 23) + '+05:30';
  zoned = [iso, plus, iso.replace('T', ' '), String(since.getTime())];
  zoneless = iso.slice(0, 19);
});
afterAll(() => h?.close());

describe('one rule for a client time on every transport, whatever the server zone', () => {
  it('runs in New York, where a zoneless time would move', () => {
    expect(new Date('2024-05-01T10:00:00').toISOString()).toBe('2024-05-01T14:00:00.000Z');
  });

  it('IMKit updatedAfter: the same instant in any spelling, a zoneless time refused', async () => {
    for (const since of zoned) {
      const { status, body } = await client.json<Body>(`/rooms?updatedAfter=${encodeURIComponent(since)}`, {
        headers: imkit,
      });
      expect([status, body.result?.data?.map((r: Body) => r._id)], since).toEqual([200, ['r1']]);
    }
    const { status, body } = await client.json<Body>(`/rooms?updatedAfter=${zoneless}`, { headers: imkit });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'INVALID_PARAMETER',
      message: expect.stringContaining('updatedAfter'),
    });
  });

  it('Rocket.Chat updatedSince: the same', async () => {
    for (const since of zoned) {
      const { status, body } = await client.json<Body>(
        `/api/v1/rooms.get?updatedSince=${encodeURIComponent(since)}`,
        { headers: rocket },
      );
      expect([status, body.update?.map((r: Body) => r._id)], since).toEqual([200, ['r1']]);
    }
    const { status, body } = await client.json<Body>(`/api/v1/rooms.get?updatedSince=${zoneless}`, {
      headers: rocket,
    });
    expect([status, body.errorType]).toEqual([400, 'error-updatedSince-param-invalid']);
  });

  it('GraphQL DateTime: the same', async () => {
    const query = `query($since: DateTime) { viewer { rooms(first: 5, filter: { updatedAfter: $since }) {
      edges { node { roomId } } } } }`;
    for (const since of zoned) {
      const res = await h.request<Body>(query, { variables: { since }, headers: bearer(token) });
      expect(
        res.body.data?.viewer?.rooms?.edges?.map((e: Body) => e.node.roomId),
        since,
      ).toEqual(['r1']);
    }
    const res = await h.request<Body>(query, { variables: { since: zoneless }, headers: bearer(token) });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
