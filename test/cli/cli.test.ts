import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/auth/authenticate.js';
import type { DatabaseHandle } from '../../src/db/create-database.js';
import {
  createCliDatabase,
  errorLines,
  killRunningCommands,
  runCli,
  runCommandInProcess,
  type CliDatabase,
} from '../support/cli.js';
import { uniqueId } from '../support/database.js';

/*
 * The `chat-bff` commands on a database of their own (PGlite data directory or
 * PostgreSQL), run in this process through the code the binary runs; the token test
 * spawns the real program to hold its stdout contract end to end. Commands that open the
 * database run one after another: an embedded database is one process's at a time.
 */

let database: CliDatabase;

beforeAll(async () => {
  database = await createCliDatabase();
});
afterEach(killRunningCommands);
afterAll(async () => {
  await database?.dispose();
});

// A spawn starts Node and the database: seconds on a busy two-core machine.
const SLOW = { timeout: 120_000 };

async function inDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await database.open();
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

function expectOneLineError(result: { code: number | null; stderr: string }, code: number, pattern: RegExp) {
  expect(result.code).toBe(code);
  const lines = errorLines({ ...result, stdout: '' });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^chat-bff: /);
  expect(lines[0]).toMatch(pattern);
}

describe('bad arguments and configuration', SLOW, () => {
  it('argument errors are one line on stderr and exit code 2, before the database is touched', async () => {
    const results = [];
    for (const args of [
      ['nope'],
      ['token', 'issue', '--app', 'a'],
      ['token', 'issue', '--app', 'a', '--user', 'u', '--ttl', 'soon'],
      ['seed', 'generate', '--users', '1', '--rooms', '0', '--messages', '5'],
    ])
      results.push(await runCommandInProcess(args, database.env));
    const patterns = [
      /unknown command 'nope'/,
      /required option '--user <userId>' not specified/,
      /--ttl .*'soon' is invalid/,
      /--messages needs at least one room/,
    ];
    results.forEach((result, i) => expectOneLineError(result, 2, patterns[i] as RegExp));
    expect(results.every((r) => r.stdout === '')).toBe(true);
  });

  it('configuration errors name the variable, on one line, exit code 2', async () => {
    const port = await runCommandInProcess(['migrate'], { ...database.env, PORT: 'eighty' });
    const url = await runCommandInProcess(['migrate'], {
      ...database.env,
      DATABASE_URL: 'mysql://root@localhost/chat',
    });
    expectOneLineError(port, 2, /Invalid configuration: PORT/);
    expectOneLineError(url, 2, /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it('an unreachable PostgreSQL is one line naming where, exit code 1', async () => {
    const result = await runCommandInProcess(['migrate'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      DB_CONNECT_TIMEOUT_MS: '2000',
    });
    expectOneLineError(
      result,
      1,
      /Cannot use the database at postgres:\/\/nobody@127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
    );
  });
});

describe('apps, users and tokens', SLOW, () => {
  const appId = uniqueId('cli');

  it('app create prints exactly {appId, clientKey, apiKey}; the same id again is a one-line conflict', async () => {
    const created = await runCommandInProcess(['app', 'create', appId, '--name', 'CLI test'], database.env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(json).sort()).toEqual(['apiKey', 'appId', 'clientKey']);
    expect(json.appId).toBe(appId);
    expect(json.clientKey).toMatch(/^ck_/);
    expect(json.apiKey).toMatch(/^sk_/);
    // Only the API key's hash is stored; the key itself authenticates as the app.
    const viewer = await inDatabase(async ({ db }) => {
      const stored = await db
        .selectFrom('apps')
        .select(['name', 'api_key_hash'])
        .where('id', '=', appId)
        .executeTakeFirstOrThrow();
      expect(stored.name).toBe('CLI test');
      expect(stored.api_key_hash).not.toContain(json.apiKey);
      return authenticate(db, { kind: 'apiKey', apiKey: json.apiKey as string });
    });
    expect(viewer).toEqual({ appId, userId: null, superuser: true });

    expectOneLineError(
      await runCommandInProcess(['app', 'create', appId], database.env),
      1,
      /App ".*" already exists/,
    );
  });

  it('an invalid app id is a bad argument: exit 2, one line, nothing written', async () => {
    expectOneLineError(
      await runCommandInProcess(['app', 'create', 'not valid!'], database.env),
      2,
      /Invalid app id "not valid!"/,
    );
  });

  // token issue spawns the real program: its stdout is the contract scripts read.
  it('user create prints the user; token issue prints {token, expiresAt}; the token authenticates as the user', async () => {
    const user = await runCommandInProcess(
      ['user', 'create', '--app', appId, 'user-1', '--nickname', 'Uno', '--password', 'secret-pw', '--robot'],
      database.env,
    );
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({
      appId,
      userId: 'user-1',
      username: 'user-1',
      nickname: 'Uno',
      isRobot: true,
      hasPassword: true,
    });

    const before = Date.now();
    const issued = await runCli(
      ['token', 'issue', '--app', appId, '--user', 'user-1', '--ttl', '2h'],
      database.env,
    );
    expect(issued.code).toBe(0);
    const token = JSON.parse(issued.stdout) as { token: string; expiresAt: string };
    expect(Object.keys(token).sort()).toEqual(['expiresAt', 'token']);
    const ttl = Date.parse(token.expiresAt) - before;
    expect(ttl).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(ttl).toBeLessThan(2 * 3600_000 + 60_000);

    const never = await runCli(
      ['token', 'issue', '--app', appId, '--user', 'user-1', '--ttl', 'never'],
      database.env,
    );
    expect(JSON.parse(never.stdout)).toMatchObject({ expiresAt: null });

    const viewers = await inDatabase(({ db }) =>
      Promise.all([
        authenticate(db, { kind: 'bearer', token: token.token }),
        authenticate(db, { kind: 'bearer', token: (JSON.parse(never.stdout) as { token: string }).token }),
      ]),
    );
    expect(viewers).toMatchObject([
      { appId, userId: 'user-1', superuser: false, user: { id: 'user-1', nickname: 'Uno', isRobot: true } },
      { appId, userId: 'user-1', superuser: false, user: { id: 'user-1', nickname: 'Uno', isRobot: true } },
    ]);
  });

  it('domain errors are one line with a non-zero exit code', async () => {
    expectOneLineError(
      await runCommandInProcess(['user', 'create', '--app', appId, 'user-1'], database.env),
      1,
      /User "user-1" or username "user-1" already exists/,
    );
    expectOneLineError(
      await runCommandInProcess(['token', 'issue', '--app', appId, '--user', 'nobody'], database.env),
      1,
      /User "nobody" does not exist in app/,
    );
  });
});

describe('seed demo', SLOW, () => {
  it('--json prints exactly one JSON object; a second run rotates the API key, issues new tokens and duplicates nothing', async () => {
    const first = await runCommandInProcess(['seed', 'demo', '--json'], database.env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const demo = JSON.parse(first.stdout) as {
      appId: string;
      clientKey: string;
      apiKey: string;
      users: { userId: string; token: string; password: string }[];
    };
    expect(Object.keys(demo).sort()).toEqual(['apiKey', 'appId', 'clientKey', 'users']);
    expect(demo.appId).toBe('SampleApp');
    expect(demo.users.map((u) => u.userId)).toEqual(['sss', 'user-a', 'user-b']);
    for (const user of demo.users) expect(Object.keys(user).sort()).toEqual(['password', 'token', 'userId']);

    const counts = async () =>
      inDatabase(async ({ db }) => {
        const count = async (table: 'users' | 'rooms' | 'memberships' | 'messages' | 'message_reactions') =>
          Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('app_id', '=', 'SampleApp')
                .executeTakeFirstOrThrow()
            ).n,
          );
        return {
          users: await count('users'),
          rooms: await count('rooms'),
          memberships: await count('memberships'),
          messages: await count('messages'),
          reactions: await count('message_reactions'),
        };
      });
    const afterFirst = await counts();
    expect(afterFirst).toEqual({ users: 3, rooms: 3, memberships: 7, messages: 16, reactions: 2 });

    const second = await runCommandInProcess(['seed', 'demo', '--json'], database.env);
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as typeof demo;
    expect(again.clientKey).toBe(demo.clientKey);
    expect(again.apiKey).not.toBe(demo.apiKey);
    expect(again.users.map((u) => u.token)).not.toEqual(demo.users.map((u) => u.token));
    expect(await counts()).toEqual(afterFirst);

    await inDatabase(async ({ db }) => {
      // The old API key stopped working, the new one and every token work.
      await expect(authenticate(db, { kind: 'apiKey', apiKey: demo.apiKey })).rejects.toThrow(
        /Invalid API key/,
      );
      expect(await authenticate(db, { kind: 'apiKey', apiKey: again.apiKey })).toMatchObject({
        appId: 'SampleApp',
      });
      for (const user of [...demo.users, ...again.users]) {
        expect(
          await authenticate(db, {
            kind: 'imkit',
            clientKey: again.clientKey,
            token: user.token,
            clientId: user.userId,
          }),
        ).toMatchObject({
          appId: 'SampleApp',
          userId: user.userId,
          superuser: false,
          user: { id: user.userId },
        });
      }
    });
  });

  it('holds the documented example data', async () => {
    await inDatabase(async ({ db }) => {
      const room = await db
        .selectFrom('rooms')
        .selectAll()
        .where('app_id', '=', 'SampleApp')
        .where('id', '=', 'demo-room')
        .executeTakeFirstOrThrow();
      expect(room).toMatchObject({
        name: 'Demo Demo',
        cover: 'http://loremflickr.com/240/240/style?demo',
        description: 'public demo room',
        room_type: 'group',
        webhook: 'meet-taipei-intro',
        bot_state: 'CONTACT',
        room_tags: ['demo', 'foo', 'bar'],
        status: 1,
        message_seq: 6,
        member_count: 3,
      });
      const last = await db
        .selectFrom('messages')
        .select(['id', 'body', 'sender_id'])
        .where('app_id', '=', 'SampleApp')
        .where('id', '=', room.last_message_id as string)
        .executeTakeFirstOrThrow();
      expect(last).toMatchObject({ body: 'Hello SIKTMLNP 11:01:07', sender_id: 'sss' });
      expect(last.id).toMatch(/^[0-9a-f]{24}$/);

      const unread = await sql<{ room_id: string; user_id: string; unread: number }>`
        select m.room_id, m.user_id, (r.message_seq - m.read_seq)::int as unread
        from memberships m join rooms r on r.app_id = m.app_id and r.id = m.room_id
        where m.app_id = 'SampleApp' and r.room_type = 'group' order by 1, 2`.execute(db);
      expect(unread.rows).toEqual([
        { room_id: 'demo-room', user_id: 'sss', unread: 0 },
        { room_id: 'demo-room', user_id: 'user-a', unread: 1 },
        { room_id: 'demo-room', user_id: 'user-b', unread: 3 },
        { room_id: 'project-room-001', user_id: 'user-a', unread: 0 },
        { room_id: 'project-room-001', user_id: 'user-b', unread: 5 },
      ]);
      const project = await db
        .selectFrom('rooms')
        .select(['description'])
        .where('app_id', '=', 'SampleApp')
        .where('id', '=', 'project-room-001')
        .executeTakeFirstOrThrow();
      expect(project.description).toBe('專案討論群');

      const pref = await db
        .selectFrom('user_room_prefs')
        .select(['tags', 'tag_colors', 'folder', 'hidden', 'sticky', 'muted'])
        .where('app_id', '=', 'SampleApp')
        .where('user_id', '=', 'sss')
        .where('room_id', '=', 'demo-room')
        .executeTakeFirstOrThrow();
      expect(pref).toEqual({
        tags: ['demo', 'sample'],
        tag_colors: { demo: '#f2d700', sample: '#ffa01a' },
        folder: 'Some-Folder',
        hidden: false,
        sticky: false,
        muted: false,
      });

      const users = await db
        .selectFrom('users')
        .select(['id', 'nickname', 'avatar_url'])
        .where('app_id', '=', 'SampleApp')
        .orderBy('id')
        .execute();
      expect(users.map((u) => [u.id, u.nickname])).toEqual([
        ['sss', 'Elsa'],
        ['user-a', 'Alice'],
        ['user-b', 'Bob'],
      ]);
      const hidden = await db
        .selectFrom('message_user_deletions')
        .innerJoin('messages', (j) =>
          j
            .onRef('messages.app_id', '=', 'message_user_deletions.app_id')
            .onRef('messages.id', '=', 'message_user_deletions.message_id'),
        )
        .select(['message_user_deletions.user_id', 'messages.body'])
        .where('message_user_deletions.app_id', '=', 'SampleApp')
        .execute();
      expect(hidden).toEqual([{ user_id: 'sss', body: 'Helloこんにちは SIKTMLNP 11:01:07' }]);
    });
  });
});

describe('seed generate', SLOW, () => {
  it('builds the requested data set and prints a summary (--json)', async () => {
    const appId = uniqueId('gen');
    const result = await runCommandInProcess(
      [
        'seed',
        'generate',
        '--users',
        '40',
        '--rooms',
        '120',
        '--messages',
        '3000',
        '--seed',
        '5',
        '--app',
        appId,
        '--json',
      ],
      database.env,
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown> & {
      rooms: { total: number; direct: number; big: number };
    };
    expect(summary).toMatchObject({ appId, users: 40, messages: 3000, seed: 5, password: 'password' });
    expect(summary.rooms.total).toBe(120);
    expect(summary.rooms.big).toBe(1);
    expect(summary.rooms.direct).toBe(48);
    expect(summary.seconds).toEqual(expect.any(Number));
    expect(summary.databaseSize).toMatch(/\d+ (kB|MB|GB)/);
    await inDatabase(async ({ db }) => {
      const counts = await sql<{ users: number; rooms: number; messages: number }>`
        select (select count(*) from users where app_id = ${appId})::int as users,
               (select count(*) from rooms where app_id = ${appId})::int as rooms,
               (select count(*) from messages where app_id = ${appId})::int as messages`.execute(db);
      expect(counts.rows[0]).toEqual({ users: 40, rooms: 120, messages: 3000 });
    });
    // The app exists now: asking again changes nothing and says why.
    const again = await runCommandInProcess(
      ['seed', 'generate', '--users', '1', '--rooms', '1', '--messages', '1', '--app', appId],
      database.env,
    );
    expectOneLineError(again, 1, /App ".*" already exists/);
  });
});
