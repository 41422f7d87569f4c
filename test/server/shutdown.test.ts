import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectOnce } from '../support/connection.js';
import { createCliDatabase, killRunningCommands, startCli, type CliDatabase } from '../support/cli.js';

/*
 * Graceful shutdown of the real process: SIGTERM while a slow request and an event
 * stream are open. The slow request completes, the stream is ended, new connections are
 * refused, the database is closed, and the process exits 0.
 */

const FIXTURE = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
// The fixture is TypeScript: run it through tsx's loader, as the bin does.
const TSX = createRequire(import.meta.url).resolve('tsx');

let database: CliDatabase;

beforeAll(async () => {
  database = await createCliDatabase();
});
afterEach(killRunningCommands);
afterAll(async () => {
  await database?.dispose();
});

describe('SIGTERM', { timeout: 120_000 }, () => {
  it('finishes in-flight requests, ends streams, refuses new connections, then exits 0', async () => {
    const server = startCli([], { ...database.env, PORT: '0', LOG_LEVEL: 'info' }, [
      '--import',
      TSX,
      FIXTURE,
    ]);
    const [, url] = await server.waitFor(/READY (http:\/\/\S+)/);

    const events = await fetch(`${url}/test/events`);
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^data: 0\n\n/);

    const slow = fetch(`${url}/test/slow?ms=1500`).then(async (r) => ({
      status: r.status,
      body: await r.text(),
    }));
    await server.waitFor(/SLOW STARTED/);
    server.child.kill('SIGTERM');
    await server.waitFor(/"msg":"shutting down: finishing in-flight requests"/);

    // The stream ends at once (its remaining chunks, then done); the slow request completes.
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    // A new connection is refused (fetch could reuse a pooled keep-alive one, which shutdown
    // still answers within its idle grace, with Connection: close).
    await expect(connectOnce(Number(new URL(String(url)).port))).rejects.toThrow(/ECONNREFUSED/);
    expect(await slow).toEqual({ status: 200, body: 'slow done' });

    expect(await server.exited).toBe(0);
    const { stdout } = server.output();
    expect(stdout).toMatch(/EVENTS CANCELLED/);
    expect(stdout).toMatch(/"msg":"shut down"/);
    // The slow request was answered before the server finished shutting down.
    expect(stdout.indexOf('"path":"/test/slow"')).toBeLessThan(stdout.indexOf('"msg":"shut down"'));
  });
});
