import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateSecret, hashSecret } from '../../src/domain/secrets.js';
import { CLI, REPO_ROOT } from '../paths.js';

/*
 * The fan-out data: one app (through the CLI, as an operator creates it), then per audience
 * size a block of users of its own with a client token each and one room holding them all,
 * written by multi-row statements: 10,000 users and their tokens take a second, where
 * issuing tokens one request at a time would take minutes. The first user of a block
 * sends; the others subscribe.
 */

const run = promisify(execFile);
export const APP_ID = 'Fanout';

export interface Audience {
  roomId: string;
  sender: { userId: string; token: string };
  subscribers: { userId: string; token: string }[];
}

/** Runs a chat-bff CLI command against `databaseUrl`; returns its stdout. */
async function cli(args: string[], databaseUrl: string): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    timeout: 120_000,
  });
  return stdout;
}

export async function createApp(databaseUrl: string): Promise<void> {
  await cli(['migrate'], databaseUrl);
  await cli(['app', 'create', APP_ID], databaseUrl);
}

/** Users `${prefix}-0` … `${prefix}-${subscribers}`, their tokens, and one room with all of them. */
export async function createAudience(
  databaseUrl: string,
  prefix: string,
  subscribers: number,
): Promise<Audience> {
  const ids = Array.from({ length: subscribers + 1 }, (_, i) => `${prefix}-${i}`);
  const tokens = ids.map(() => generateSecret('ct_'));
  const roomId = `${prefix}-room`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into users (app_id, id, username, nickname)
        select $1, id, id, id from unnest($2::text[]) as id`,
      [APP_ID, ids],
    );
    await client.query(
      `insert into auth_tokens (token_hash, app_id, user_id, kind, expires_at)
        select hash, $1, user_id, 'client', now() + interval '1 day'
          from unnest($2::text[], $3::text[]) as t(hash, user_id)`,
      [APP_ID, tokens.map(hashSecret), ids],
    );
    await client.query(
      `insert into rooms (app_id, id, name, created_by, member_count) values ($1, $2, $2, $3, $4)`,
      [APP_ID, roomId, ids[0], ids.length],
    );
    await client.query(
      `insert into memberships (app_id, room_id, user_id, role)
        select $1, $2, id, case when id = $3 then 'owner' else 'member' end from unnest($4::text[]) as id`,
      [APP_ID, roomId, ids[0], ids],
    );
    await client.query('commit');
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return {
    roomId,
    sender: { userId: ids[0] as string, token: tokens[0] as string },
    subscribers: ids.slice(1).map((userId, i) => ({ userId, token: tokens[i + 1] as string })),
  };
}
