import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { createApp, type FetchHandler } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/create-database.js';
import { createLogger } from '../src/logger.js';
import { buildCases } from './cases.js';
import { formatSummary, summarizeHeap, summarizeProfile } from './cpu-profile.js';
import { ensureDataset, withClient } from './dataset.js';
import { loadFixtures } from './fixtures.js';
import { runInProcess } from './load.js';
import type { HttpRequestSpec } from './load.js';
import { defaultServerUrl, SCALES, type ScaleName } from './options.js';

/*
 * `npm run bench:profile -- --case GQL-ROOM`: one bench case's requests handed straight to
 * chat-bff's fetch handler (no HTTP, no other process), so the CPU profile holds only
 * what a request costs chat-bff itself. Prints CPU and SQL statements per request and
 * where the CPU went (self time by package and by function); writes the .cpuprofile for
 * Chrome DevTools. Runs on the bench's data set (generated when missing).
 */

const USAGE = `npm run bench:profile -- --case NAME [options]
  --case NAME          the bench case (a part of its name, e.g. "GQL-ROOM", "imkit-messages")
  --scale NAME         quick|medium|large data set (default medium)
  --seconds N          seconds of profiled load (default 10), after 3 s of warm-up
  --concurrency N      requests in flight (default 32)
  --out FILE           where to write the .cpuprofile (default bench/results/profile-<case>.cpuprofile)
  --sql                print the SQL statements of one request first
  --heap               then also sample what the requests allocate (by package and function)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string' },
      scale: { type: 'string', default: 'medium' },
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '32' },
      out: { type: 'string' },
      sql: { type: 'boolean', default: false },
      heap: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.case) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const scale = SCALES[values.scale as ScaleName];
  if (!scale) throw new Error(`--scale must be quick, medium or large, not "${values.scale}"`);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const dataset = await ensureDataset(defaultServerUrl(), scale, { regenerate: false, log });
  const fixtures = await withClient(dataset.url, (client) => loadFixtures(client, dataset));
  const wanted = values.case.toLowerCase();
  const matches = buildCases(fixtures).filter((c) => c.name.toLowerCase().includes(wanted));
  const exact = matches.find((c) => c.name.toLowerCase() === wanted);
  const benchCase = exact ?? matches[0];
  if (!benchCase || (!exact && matches.length > 1)) {
    throw new Error(`--case "${values.case}" matches ${matches.map((c) => c.name).join(', ') || 'no case'}`);
  }

  let statements = 0;
  let printSql = values.sql;
  const config = loadConfig({ DATABASE_URL: dataset.url, LOG_LEVEL: 'silent', DB_POOL_MAX: '10' });
  const database = await createDatabase(config, {
    onQuery: (event) => {
      statements += 1;
      if (printSql) log(`--- ${event.query.sql}\n    params: ${JSON.stringify(event.query.parameters)}`);
    },
  });
  const app = createApp({ db: database.db, config, log: createLogger('silent') });
  const call = (i: number) => fetchOk(app, benchCase.chatBff(i));
  try {
    if (printSql) {
      log(
        `${benchCase.name}: the SQL of one request (a cold token cache: the first request reads the token)`,
      );
      await call(0);
      await call(1);
      printSql = false;
    }
    await runInProcess({ call, connections: concurrency, seconds: 3 });

    // First without the profiler (its sampling thread costs CPU of its own), then profiled.
    statements = 0;
    const cpuBefore = process.cpuUsage();
    const run = await runInProcess({ call, connections: concurrency, seconds });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const statementsPerRequest = statements / run.requests;

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    const profiled = await runInProcess({ call, connections: concurrency, seconds });
    const { profile } = await session.post('Profiler.stop');
    let heapReport = '';
    if (values.heap) {
      // Every allocation counts, also what the next scavenge frees: that is what GC pays for.
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      const sampled = await runInProcess({ call, connections: concurrency, seconds });
      const heap = await session.post('HeapProfiler.stopSampling');
      heapReport = `\nthen ${seconds} s sampling allocations (${sampled.requests} requests):\n${formatSummary(
        summarizeHeap(heap.profile),
        {
          total: 'allocated',
          functions: 'allocating functions',
          perRequest: (bytes) => `${(bytes / sampled.requests / 1024).toFixed(1)} kB/req`,
        },
      )}\n`;
    }
    session.disconnect();

    const out =
      values.out ?? new URL(`./results/profile-${slug(benchCase.name)}.cpuprofile`, import.meta.url).pathname;
    writeFileSync(out, JSON.stringify(profile));
    process.stdout.write(
      [
        `${benchCase.name}, in-process, concurrency ${concurrency}, ${seconds} s, ${scale.name} data set`,
        `${run.requests} requests (${run.errors} failed), ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms`,
        `process CPU ${(cpuMs / run.requests).toFixed(3)} ms/req (user+system, all threads); SQL statements ${statementsPerRequest.toFixed(2)}/req`,
        '',
        `then ${seconds} s under the profiler (${profiled.requests} requests; sampled time, so it includes waiting for a core):`,
        formatSummary(summarizeProfile(profile), {
          total: 'sampled CPU',
          functions: 'hottest functions (self time)',
          perRequest: (ms) => `${(ms / profiled.requests).toFixed(3)} ms/req`,
        }),
        heapReport,
        '',
        `profile: ${out}`,
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
  }
}

async function fetchOk(app: FetchHandler, spec: HttpRequestSpec): Promise<void> {
  const response = await app(
    new Request(`http://bench.local${spec.path}`, {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined && { body: spec.body }),
    }),
  );
  // Bytes, not text(): decoding the answer is the client's cost, not chat-bff's.
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200 || body.includes('"errors":[')) {
    throw new Error(`${spec.method} ${spec.path}: ${response.status} ${body.toString('utf8', 0, 300)}`);
  }
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:profile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
