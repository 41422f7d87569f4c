import pg from 'pg';
import { cli } from './chat-bff.js';
import { exchange } from './http.js';
import type { PrivatePostgres } from './postgres.js';

/*
 * The data a scenario runs on: a fresh database on the private server, migrated and filled
 * by chat-bff's own CLI (`migrate`, `seed generate`), and a client token per user issued
 * through the API (issueClientToken with the app's API key), as an operator would.
 */

export const APP_ID = 'Chaos';

export interface WorldUser {
  userId: string;
  token: string;
  /** Rooms the user is a member of. */
  rooms: string[];
}

export interface World {
  databaseUrl: string;
  appId: string;
  clientKey: string;
  apiKey: string;
  users: WorldUser[];
}

export interface Seeded {
  databaseUrl: string;
  clientKey: string;
  apiKey: string;
}

/** Creates, migrates and seeds database `name`. */
export async function seedDatabase(
  server: PrivatePostgres,
  name: string,
  size: { users: number; rooms: number; messages: number },
): Promise<Seeded> {
  await server.createDatabase(name);
  const databaseUrl = server.url(name);
  await cli(['migrate'], { DATABASE_URL: databaseUrl });
  const summary = JSON.parse(
    await cli(
      [
        'seed',
        'generate',
        '--users',
        String(size.users),
        '--rooms',
        String(size.rooms),
        '--messages',
        String(size.messages),
        '--app',
        APP_ID,
        '--seed',
        '12',
        '--json',
      ],
      { DATABASE_URL: databaseUrl },
    ),
  ) as { clientKey: string; apiKey: string };
  return { databaseUrl, clientKey: summary.clientKey, apiKey: summary.apiKey };
}

/** Issues a token per user who is in at least one room, through a running chat-bff. */
export async function issueTokens(baseUrl: string, seeded: Seeded): Promise<World> {
  const client = new pg.Client({ connectionString: seeded.databaseUrl });
  await client.connect();
  let memberships: { user_id: string; room_id: string }[];
  try {
    ({ rows: memberships } = await client.query<{ user_id: string; room_id: string }>(
      `select m.user_id, m.room_id from memberships m join rooms r on r.app_id = m.app_id and r.id = m.room_id
        where m.app_id = $1 and m.left_at is null and r.deleted_at is null and not r.archived and not r.read_only
        order by m.user_id, m.room_id`,
      [APP_ID],
    ));
  } finally {
    await client.end();
  }
  const roomsOf = new Map<string, string[]>();
  for (const row of memberships) roomsOf.set(row.user_id, [...(roomsOf.get(row.user_id) ?? []), row.room_id]);
  const users: WorldUser[] = [];
  for (const [userId, rooms] of roomsOf) {
    const answer = await exchange(baseUrl, {
      op: 'issueClientToken',
      method: 'POST',
      path: '/graphql',
      graphql: true,
      headers: { 'im-api-key': seeded.apiKey },
      body: {
        query: `mutation($u: String!) { issueClientToken(input: { userId: $u, ttlSeconds: 86400 }) {
          __typename ... on IssueClientTokenPayload { token } ... on Error { code message } } }`,
        variables: { u: userId },
      },
    });
    const token = (answer.body as { data?: { issueClientToken?: { token?: string } } }).data?.issueClientToken
      ?.token;
    if (answer.outcome !== 'ok' || !token)
      throw new Error(`issueClientToken for ${userId}: ${answer.detail}`);
    users.push({ userId, token, rooms });
  }
  if (users.length === 0) throw new Error('the seeded app has no user in any room');
  return {
    databaseUrl: seeded.databaseUrl,
    appId: APP_ID,
    clientKey: seeded.clientKey,
    apiKey: seeded.apiKey,
    users,
  };
}
