import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GQL_ROOMS } from './documents.js';
import { runHttp, type RunResult } from './load.js';
import { CLI } from './paths.js';
import { freePort, startProcess } from './processes.js';

/*
 * The zero-setup path: `npm start` (chat-bff serve --demo) on embedded PGlite with the
 * documented demo data, in a throwaway data directory. Tokens come from `chat-bff seed
 * demo --json` on the same directory first; the server then finds the demo app in place.
 * GQL-ROOMS at concurrency 1: the latency one app user sees.
 */

const run = promisify(execFile);

export async function measureDemo(seconds: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-bff-bench-demo-'));
  const env = { DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
  try {
    const { stdout } = await run(process.execPath, [CLI, 'seed', 'demo', '--json'], {
      env: { ...process.env, ...env },
    });
    const demo = JSON.parse(stdout) as { users: { userId: string; token: string }[] };
    const port = await freePort();
    const server = await startProcess({
      name: 'chat-bff demo',
      args: [CLI, 'serve', '--demo'],
      env: { ...env, PORT: String(port), LOG_LEVEL: 'info' },
      port,
      readyPath: '/readyz',
    });
    try {
      const requests = demo.users.map((user) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ query: GQL_ROOMS, variables: { first: 20 } }),
      }));
      const request = (i: number) => requests[i % requests.length] as (typeof requests)[number];
      // Warm up (JIT, PGlite's caches), then measure.
      await runHttp({ baseUrl: server.baseUrl, request, connections: 1, seconds: Math.min(2, seconds) });
      return await runHttp({ baseUrl: server.baseUrl, request, connections: 1, seconds });
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
