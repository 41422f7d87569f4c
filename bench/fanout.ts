import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cleanupAll, installCleanupHandlers, onCleanup } from '../test/chaos/cleanup.js';
import { startPrivatePostgres } from '../test/chaos/postgres.js';
import { measureFanout } from './fanout/measure.js';
import { parseFanoutOptions, USAGE } from './fanout/options.js';
import { renderFanout, writeFanout, type FanoutResults, type FanoutRow } from './fanout/report.js';
import { createApp, createAudience } from './fanout/world.js';
import { CLI, REPO_ROOT } from './paths.js';
import { freePort, startProcess, type ServerProcess } from './processes.js';

/*
 * `npm run bench:fanout`: what one message costs as its audience grows. A private
 * PostgreSQL (never the machine's shared one), chat-bff compiled and started afresh for
 * each audience size (so its RSS before the subscriptions is a clean baseline), N
 * subscribers on one room's events or on their own room lists, and messages sent into the
 * room at a steady rate. Figures: SQL statements per message (from /metrics), delivery
 * latency from the send's answer to each receipt, server RSS per open subscription.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

function openFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return line?.split(/\s+/).slice(3, 5).join('/') ?? '?';
}

async function serverVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (
      (await client.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ?? ''
    );
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const parsed = parseFanoutOptions(process.argv.slice(2));
  if (parsed === 'help') {
    log(USAGE);
    return;
  }
  const options = parsed;
  installCleanupHandlers();
  const startedAt = new Date().toISOString();
  const nofile = openFilesLimit();
  const largest = Math.max(...options.subscribers);
  // Each subscription is a socket in this process and one in chat-bff's.
  if (Number(nofile.split('/')[0]) < largest + 1000)
    log(
      `warning: open files limit ${nofile} is below ${largest} subscriptions + 1,000; raise it with ulimit -n`,
    );

  log('build: npm run build (chat-bff runs compiled, as in production)');
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const postgres = await startPrivatePostgres();
  const rows: FanoutRow[] = [];
  const notes: string[] = [];
  const facts = { postgres: '' };
  try {
    await postgres.createDatabase('fanout');
    const databaseUrl = postgres.url('fanout');
    await createApp(databaseUrl);
    facts.postgres = await serverVersion(databaseUrl);
    log(`postgres: private server ${facts.postgres} on port ${postgres.port}`);

    for (const feed of options.feeds) {
      for (const size of options.subscribers) {
        const audience = await createAudience(databaseUrl, `${feed}${size}`, size);
        const port = await freePort();
        let server: ServerProcess | undefined;
        let unregister = () => {};
        try {
          server = await startProcess({
            name: 'chat-bff',
            args: [`--max-old-space-size=${options.heapMb}`, CLI, 'serve'],
            env: {
              DATABASE_URL: databaseUrl,
              PORT: String(port),
              HOST: '127.0.0.1',
              LOG_LEVEL: 'warn',
              // Off: the per-user write limits and the subscription caps (per user, API key, socket).
              RATE_LIMITS_ENABLED: 'false',
              SUBSCRIPTIONS_PER_USER: String(size + 10),
              SUBSCRIPTIONS_PER_API_KEY: String(size + 10),
            },
            port,
            readyPath: '/readyz',
          });
          const started = server;
          unregister = onCleanup(
            `chat-bff pid ${started.pid}`,
            () => started.stop(),
            () => process.kill(started.pid, 'SIGKILL'),
          );
          log(`${feed} × ${size}: chat-bff pid ${server.pid}`);
          const row = await measureFanout({
            server,
            audience,
            feed,
            transport: options.transport,
            messages: options.messages,
            rate: options.rate,
            log,
          });
          rows.push(row);
          log(
            `  ${row.statementsPerMessage.toFixed(1)} statements/message, p50 ${row.p50Ms?.toFixed(1)} ms, ` +
              `p99 ${row.p99Ms?.toFixed(1)} ms, missing ${row.missing}, ` +
              `RSS/subscription ${((row.rssPerSubscriptionBytes ?? 0) / 1024).toFixed(1)} kB`,
          );
        } catch (error) {
          const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
          notes.push(`${feed} × ${size} not measured: ${reason}`);
          log(`  failed: ${reason}`);
        } finally {
          if (server) {
            const exit = server.exitReport();
            if (exit) notes.push(`${feed} × ${size}: chat-bff (pid ${server.pid}) ${exit.slice(0, 600)}`);
            await server.stop();
          }
          unregister();
        }
      }
    }
  } finally {
    await postgres.dispose();
    await cleanupAll();
  }

  const results: FanoutResults = {
    label: options.label,
    command: `npm run bench:fanout -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      postgres: `PostgreSQL ${facts.postgres}`,
      nofile,
    },
    settings: {
      messages: options.messages,
      rate: options.rate,
      transport: options.transport,
      heapMb: options.heapMb,
    },
    rows,
    notes,
  };
  const files = writeFanout(join(REPO_ROOT, 'bench', 'results'), results);
  log('');
  log(renderFanout(results));
  log(`results: ${files.md}, ${files.json}`);
  // Incomplete is a failure (CI runs --quick): a size not measured, a subscription never live, a message lost.
  const incomplete =
    notes.length > 0 ||
    rows.some((row) => row.live < row.subscribers || row.missing > 0 || row.messages === 0);
  if (incomplete) {
    log('INCOMPLETE: see the notes and the live/missing columns');
    process.exitCode = 1;
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await cleanupAll();
  process.exitCode = 1;
});
