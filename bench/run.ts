import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { buildCases, type BenchCase } from './cases.js';
import { checkResponse, shapeDifference } from './check.js';
import { ensureDataset, withClient } from './dataset.js';
import { measureDemo } from './demo.js';
import { loadFixtures } from './fixtures.js';
import { runFloorQuery } from './floor/floor-query.js';
import { mergeRuns, runHttp, runInProcess, type HttpRequestSpec, type RunResult } from './load.js';
import { parseOptions } from './options.js';
import { CLI, REPO_ROOT } from './paths.js';
import { freePort, startProcess, type ServerProcess } from './processes.js';
import { writeResults } from './report.js';
import { checkTargets, stats, type BenchResults, type CaseResult } from './results-model.js';
import { settledScrape, statementsPerRequest } from './scrape.js';

/*
 * `npm run bench`: the data set, chat-bff (the real `chat-bff serve` on PostgreSQL), the
 * floor server, then every case at every concurrency in interleaved rounds, then the
 * embedded demo; results under bench/results/.
 */

const log = (line: string) => process.stderr.write(`${line}\n`);
const INT8_OID = 20;
const CHAT_BFF_LOG_LEVEL = 'info';
/**
 * chat-bff runs as in production: compiled (`npm run build`, which the bench runs first)
 * and with a heap cap. Without one, V8 on a 24 GB machine lets garbage from 32 requests
 * in flight pile up in old space to ~350 MB before collecting; the live set stays near 100 MB.
 */
const CHAT_BFF_NODE_FLAGS = ['--max-old-space-size=256'];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { scale } = options;
  const startedAt = new Date().toISOString();
  log(`bench: ${scale.name} scale, ${scale.seconds} s per run, concurrency ${scale.concurrency.join('/')}`);

  const dataset = await ensureDataset(options.serverUrl, scale, { regenerate: options.regenerate, log });
  log(
    `data set: ${dataset.database}, generated in ${dataset.generationSeconds} s, ${(dataset.databaseBytes / 1024 / 1024).toFixed(0)} MB`,
  );
  const fixtures = await withClient(dataset.url, (client) => loadFixtures(client, dataset));
  const cases = buildCases(fixtures).filter(
    (c) => options.cases.length === 0 || options.cases.some((f) => c.name.toLowerCase().includes(f)),
  );
  if (cases.length === 0) throw new Error(`no case matches --cases ${options.cases.join(',')}`);
  const postgres = await withClient(
    dataset.url,
    async (c) => (await c.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '',
  );

  log('build: npm run build (chat-bff runs compiled, as in production)');
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [bffPort, floorPort] = [await freePort(), await freePort()];
  const chatBff = await startProcess({
    name: 'chat-bff',
    args: [
      ...CHAT_BFF_NODE_FLAGS,
      ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
      CLI,
      'serve',
    ],
    env: {
      DATABASE_URL: dataset.url,
      PORT: String(bffPort),
      HOST: '127.0.0.1',
      DB_POOL_MAX: String(options.poolSize),
      LOG_LEVEL: CHAT_BFF_LOG_LEVEL,
      // WRITE-SEND sends as fast as it can from 200 users: the write rate limits would refuse it.
      RATE_LIMITS_ENABLED: 'false',
    },
    port: bffPort,
    readyPath: '/readyz',
  });
  let floor: ServerProcess | undefined;
  const pool = new pg.Pool({
    connectionString: dataset.url,
    max: options.poolSize,
    application_name: 'chat-bff-bench-sql',
  });
  pool.on('error', () => {});
  const results: CaseResult[] = [];
  const rss = { afterStart: chatBff.rss(), afterBench: 0 };
  try {
    floor = await startProcess({
      name: 'floor',
      args: ['--import', 'tsx', 'bench/floor/floor-server.ts'],
      env: { FLOOR_DATABASE_URL: dataset.url, PORT: String(floorPort), POOL_MAX: String(options.poolSize) },
      port: floorPort,
      readyPath: '/readyz',
    });
    for (const benchCase of cases) {
      results.push(await measureCase(benchCase, chatBff, floor, pool, scale));
    }
    rss.afterBench = chatBff.rss();
  } finally {
    await pool.end();
    await floor?.stop();
    await chatBff.stop();
  }

  let demo: BenchResults['demo'] = null;
  if (!options.skipDemo) {
    log('demo: embedded PGlite, npm start data, GQL-ROOMS at concurrency 1');
    const run = await measureDemo(Math.max(2, scale.seconds));
    demo = { p50: run.p50, p99: run.p99, rps: run.rps, requests: run.requests };
  }

  const partial: Omit<BenchResults, 'targets'> = {
    label: options.label,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? '?',
      node: process.version,
      postgres: postgres.split(' on ')[0] ?? postgres,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
    },
    settings: {
      scale: scale.name,
      secondsPerRun: scale.seconds,
      warmupSeconds: scale.warmupSeconds,
      rounds: scale.rounds,
      concurrency: scale.concurrency,
      poolSize: options.poolSize,
      chatBffLogLevel: CHAT_BFF_LOG_LEVEL,
      chatBffNodeFlags: CHAT_BFF_NODE_FLAGS.join(' '),
    },
    dataset: {
      database: dataset.database,
      reused: !dataset.generated,
      generationSeconds: dataset.generationSeconds,
      generatedAt: dataset.generatedAt,
      databaseBytes: dataset.databaseBytes,
      users: dataset.summary.users,
      rooms: dataset.summary.rooms.total,
      memberships: dataset.summary.memberships,
      messages: dataset.summary.messages,
      busiestRoom: dataset.summary.busiestRoom,
      heaviestUser: dataset.summary.heaviestUser,
    },
    cases: results,
    chatBffRssBytes: rss,
    demo,
  };
  const final: BenchResults = { ...partial, targets: checkTargets(partial) };
  const files = writeResults(options.outDir, final);
  process.stdout.write(`\n${renderConsole(final)}\n`);
  log(`\nresults: ${files.md}\n         ${files.json}\n         ${files.svg}`);
}

async function measureCase(
  benchCase: BenchCase,
  chatBff: ServerProcess,
  floor: ServerProcess,
  pool: pg.Pool,
  scale: { seconds: number; warmupSeconds: number; rounds: number; concurrency: number[] },
): Promise<CaseResult> {
  log(`\n${benchCase.name}: ${benchCase.description}`);
  // One answer from each, checked, before any load: a fast error is not a result.
  const bffBody = await checkResponse(chatBff.baseUrl, benchCase.chatBff(0), benchCase.kind);
  const floorBody = await checkResponse(floor.baseUrl, benchCase.floorHttp(0), benchCase.kind);
  const sqlBody = await runFloorQuery(pool, benchCase.floor, benchCase.floorInput(0));
  if (benchCase.kind === 'read' && sqlBody !== floorBody)
    throw new Error(`${benchCase.name}: (a) and (b) answered differently`);

  const maxConnections = Math.max(...scale.concurrency);
  const http = (
    server: ServerProcess,
    request: (i: number) => HttpRequestSpec,
    connections: number,
    seconds: number,
  ) => runHttp({ baseUrl: server.baseUrl, request, connections, seconds });
  const sql = (connections: number, seconds: number) =>
    runInProcess({
      call: (i) => runFloorQuery(pool, benchCase.floor, benchCase.floorInput(i)),
      connections,
      seconds,
    });
  if (scale.warmupSeconds > 0) {
    await http(chatBff, benchCase.chatBff, maxConnections, scale.warmupSeconds);
    await http(floor, benchCase.floorHttp, maxConnections, scale.warmupSeconds);
    await sql(maxConnections, scale.warmupSeconds);
  }

  const runs: CaseResult['runs'] = [];
  for (const concurrency of scale.concurrency) {
    const bff: RunResult[] = [];
    const floorHttp: RunResult[] = [];
    const floorSql: RunResult[] = [];
    let statements = 0;
    let requests = 0;
    for (let round = 0; round < scale.rounds; round++) {
      const before = await settledScrape(chatBff.baseUrl);
      bff.push(await http(chatBff, benchCase.chatBff, concurrency, scale.seconds));
      const after = await settledScrape(chatBff.baseUrl);
      const perRequest = statementsPerRequest(before, after);
      if (perRequest !== null) {
        statements += after.statements - before.statements;
        requests += after.requests - before.requests;
      }
      floorHttp.push(await http(floor, benchCase.floorHttp, concurrency, scale.seconds));
      floorSql.push(await sql(concurrency, scale.seconds));
    }
    const [b, h, s] = [mergeRuns(bff), mergeRuns(floorHttp), mergeRuns(floorSql)];
    const result = {
      concurrency,
      chatBff: stats(b),
      floorHttp: stats(h),
      floorSql: stats(s),
      statementsPerRequest: requests > 0 ? statements / requests : null,
      ratioToSql: b.rps / s.rps,
      ratioToHttp: b.rps / h.rps,
    };
    runs.push(result);
    log(
      `  c=${concurrency}: chat-bff ${b.rps.toFixed(0)}/s p50 ${b.p50.toFixed(2)} p99 ${b.p99.toFixed(2)} ms, ` +
        `${result.statementsPerRequest?.toFixed(1) ?? '?'} stmts | (b) ${h.rps.toFixed(0)}/s p50 ${h.p50.toFixed(2)} | ` +
        `(a) ${s.rps.toFixed(0)}/s p50 ${s.p50.toFixed(2)} | bff/(b) ${result.ratioToHttp.toFixed(2)}` +
        (b.errors + h.errors + s.errors > 0 ? ` | errors ${b.errors}/${h.errors}/${s.errors}` : ''),
    );
  }
  return {
    name: benchCase.name,
    kind: benchCase.kind,
    description: benchCase.description,
    distinctRequests: benchCase.distinct,
    responseBytes: { chatBff: Buffer.byteLength(bffBody), floor: Buffer.byteLength(floorBody) },
    shapeDifference: shapeDifference(bffBody, floorBody),
    runs,
  };
}

function renderConsole(r: BenchResults): string {
  const lines = [
    'case                              conc  bff req/s   p50    p99  stmts  (b) req/s  (a) req/s  bff/(b)',
  ];
  for (const c of r.cases) {
    for (const run of c.runs) {
      lines.push(
        `${c.name.padEnd(32)} ${String(run.concurrency).padStart(5)} ${run.chatBff.rps.toFixed(0).padStart(10)} ` +
          `${run.chatBff.p50.toFixed(2).padStart(6)} ${run.chatBff.p99.toFixed(2).padStart(6)} ` +
          `${(run.statementsPerRequest?.toFixed(1) ?? '?').padStart(6)} ${run.floorHttp.rps.toFixed(0).padStart(10)} ` +
          `${run.floorSql.rps.toFixed(0).padStart(10)} ${run.ratioToHttp.toFixed(2).padStart(8)}`,
      );
    }
  }
  lines.push('', ...r.targets.map((t) => `${t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${t.measured}`));
  return lines.join('\n');
}

pg.types.setTypeParser(INT8_OID, Number);
main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
