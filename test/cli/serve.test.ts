import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createCliDatabase,
  errorLines,
  killRunningCommands,
  runCli,
  startCli,
  type CliDatabase,
} from '../support/cli.js';

/*
 * The first run on a new database, as `npm start` does it: `migrate` creates the schema,
 * `serve --demo` seeds the demo data (the database has no app yet), prints the GraphiQL
 * URL and the demo credentials, answers, keeps other processes off an embedded data
 * directory, and exits 0 on SIGTERM.
 */

let database: CliDatabase;

beforeAll(async () => {
  database = await createCliDatabase({ empty: true });
});
afterEach(killRunningCommands);
afterAll(async () => {
  await database?.dispose();
});

describe('first run on a new database', { timeout: 180_000 }, () => {
  it('migrate applies every migration, then finds nothing to do', async () => {
    const first = await runCli(['migrate'], database.env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Migrated .*:\n {2}applied 2026-11-22T000000_chat_model\n/);

    const second = await runCli(['migrate'], database.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date; no migration to run/);
  });

  it('serve --demo seeds the demo, prints how to use it, answers, and exits 0 on SIGTERM', async () => {
    const server = startCli(['serve', '--demo'], { ...database.env, PORT: '0', LOG_LEVEL: 'info' });
    const [, url] = await server.waitFor(/GraphiQL\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/);
    const { stdout } = server.output();
    expect(stdout).toMatch(/Demo app SampleApp created\./);
    expect(stdout).toMatch(/Client key\s+ck_\S+/);
    expect(stdout).toMatch(/API key\s+sk_\S+/);
    for (const user of ['sss', 'user-a', 'user-b']) {
      expect(stdout).toMatch(new RegExp(`${user}\\s+\\S+\\s+password demo-password\\s+token ct_\\S+`));
    }

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });

    if (database.driver === 'pglite') {
      // A second process on the same data directory gets one line saying what to do.
      const second = await runCli(['token', 'issue', '--app', 'SampleApp', '--user', 'sss'], database.env);
      expect(second.code).toBe(1);
      const lines = errorLines(second);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `is in use by process ${server.child.pid} \\(chat-bff serve --demo\\)\\. Stop that process first, or set DATABASE_URL`,
        ),
      );
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Logs are JSON lines on stdout: one per request, and the shutdown, announced and completed.
    const logs = server.output().stdout;
    expect(logs).toMatch(
      /\{[^\n]*"method":"GET","path":"\/readyz","status":200,"ms":[\d.]+,"msg":"request"\}/,
    );
    expect(logs).toMatch(/"signal":"SIGTERM","msg":"received signal"/);
    expect(logs).toMatch(/"msg":"shut down"/);

    // Restarted on the demo data, it leaves the data alone and hands out fresh tokens.
    const again = startCli(['serve', '--demo'], { ...database.env, PORT: '0' });
    await again.waitFor(/GraphiQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(again.output().stdout).toMatch(/Demo app SampleApp already there; fresh tokens issued\./);
    expect(again.output().stdout).toMatch(/API key\s+\(kept: only its hash is stored/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });
});
