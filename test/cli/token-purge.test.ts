import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/create-database.js';
import { createApp } from '../../src/domain/apps/app.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import {
  createCliDatabase,
  killRunningCommands,
  runCommandInProcess,
  startCli,
  type CliDatabase,
} from '../support/cli.js';
import { uniqueId } from '../support/database.js';
import { issueTokensInEveryState, storedTokens, type TokenStates } from '../support/dead-tokens.js';

/*
 * Dead tokens go two ways: `chat-bff token purge` by hand (run in this process), and
 * `chat-bff serve` (the real program) every TOKEN_PURGE_INTERVAL_SECONDS. Tokens dead for
 * less than the grace, and live ones, stay.
 */

let database: CliDatabase;

beforeAll(async () => {
  database = await createCliDatabase();
});
afterEach(killRunningCommands);
afterAll(async () => {
  await database?.dispose();
});

async function inDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await database.open();
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

async function tokensInEveryState(): Promise<TokenStates> {
  return inDatabase(async ({ db }) => {
    const { appId } = await createApp(db, { appId: uniqueId('app') });
    await createUser(db, appId, 'alice');
    return issueTokensInEveryState(db, appId, 'alice');
  });
}

const remaining = (tokens: TokenStates) =>
  inDatabase(({ db }) => storedTokens(db, [...tokens.old, ...tokens.recent, ...tokens.live]));

describe('dead tokens are purged', { timeout: 120_000 }, () => {
  it('chat-bff token purge deletes those dead for longer than the grace and prints how many', async () => {
    const tokens = await tokensInEveryState();
    const result = await runCommandInProcess(['token', 'purge'], database.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ deleted: tokens.old.length });
    expect(await remaining(tokens)).toEqual([...tokens.recent, ...tokens.live]);

    // A grace of 0: those dead for an hour go too.
    const now = await runCommandInProcess(['token', 'purge', '--grace-seconds', '0'], database.env);
    expect(JSON.parse(now.stdout)).toEqual({ deleted: tokens.recent.length });
    expect(await remaining(tokens)).toEqual(tokens.live);
  });

  it('chat-bff serve purges them every TOKEN_PURGE_INTERVAL_SECONDS', async () => {
    const tokens = await tokensInEveryState();
    const server = startCli(['serve'], {
      ...database.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      TOKEN_PURGE_INTERVAL_SECONDS: '1',
    });
    await server.waitFor(/"deleted":3,"msg":"purged revoked and expired tokens"/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await remaining(tokens)).toEqual([...tokens.recent, ...tokens.live]);
  });
});
