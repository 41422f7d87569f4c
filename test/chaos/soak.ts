import { parseArgs } from 'node:util';
import { build, startChatBff } from './chat-bff.js';
import { cleanupAll, installCleanupHandlers } from './cleanup.js';
import { positiveOption, runCommand } from './cli.js';
import { exchange } from './http.js';
import { sleep, startLoad, type Ack, type Sample } from './load.js';
import { startPrivatePostgres } from './postgres.js';
import { latency, ms, percentile, reasons, Verdict } from './report.js';
import { verifyData } from './verify.js';
import { issueTokens, seedDatabase } from './world.js';

/*
 * `npm run soak`: chat-bff (compiled, 256 MB heap cap) on a private PostgreSQL under 64
 * connections of mixed reads and writes for 60 s: no 5xx, no lost or duplicated message,
 * resident memory at the end at most 1.2x what it was after warm-up. Then the same load
 * with an abusive client among the good ones (a 3,000-alias GraphQL query, over and over):
 * the good clients' p99 must stay within 2x of the run without it.
 */

const USAGE = `npm run soak -- [options]
  --quick              short phases for CI (3 s warm-up, 8 s steady, 5 s abuse, 16 connections)
  --seconds N          steady phase length (default 60)
  --warmup N           warm-up seconds before the memory baseline (default 10)
  --abuse-seconds N    phase with the abusive client (default 20)
  --connections N      good clients (default 64)
  --aliases N          aliases in the abusive query (default 3000)
  --seed N             seed of the clients' operation sequences (default 1)
  --no-build           reuse the last build in .tmp/chaos-build`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const RSS_GROWTH = 1.2;
const ABUSE_P99 = 2;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'abuse-seconds': { type: 'string' },
      connections: { type: 'string' },
      aliases: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const quick = values.quick;
  const steadySeconds = positiveOption('--seconds', values.seconds ?? (quick ? '8' : '60'));
  const warmupSeconds = positiveOption('--warmup', values.warmup ?? (quick ? '3' : '10'));
  const abuseSeconds = positiveOption('--abuse-seconds', values['abuse-seconds'] ?? (quick ? '5' : '20'));
  const connections = Math.round(
    positiveOption('--connections', values.connections ?? (quick ? '16' : '64')),
  );
  const aliases = Math.round(positiveOption('--aliases', values.aliases));
  const seed = Math.round(positiveOption('--seed', values.seed));

  installCleanupHandlers();
  const started = performance.now();
  try {
    if (!values['no-build']) await build(log);
    const postgres = await startPrivatePostgres();
    log(`postgres: listening on 127.0.0.1:${postgres.port}`);
    const seeded = await seedDatabase(postgres, 'soak', { users: 64, rooms: 200, messages: 20_000 });
    const server = await startChatBff({ DATABASE_URL: seeded.databaseUrl });
    const world = await issueTokens(server.url, seeded);
    const verdict = new Verdict('soak');
    const acks: Ack[] = [];
    let conflicts = 0;
    const phase = async (name: string, seconds: number, abuse: boolean) => {
      log(`${name}: ${connections} connections for ${seconds} s${abuse ? ' with an abusive client' : ''}`);
      const load = startLoad({
        baseUrl: () => server.url,
        world,
        clients: connections,
        seconds,
        backoffMs: 20,
        seed,
        label: `soak-${name}`,
      });
      const abuser = abuse
        ? startAbuser(server.url, world.users[0]!.token, world.users[0]!.rooms[0]!, aliases, seconds)
        : undefined;
      await load.done;
      const abusive = (await abuser) ?? [];
      acks.push(...load.acks.values());
      conflicts += load.conflicts.length;
      return { samples: load.samples, abusive };
    };

    await phase('warmup', warmupSeconds, false);
    const rssWarm = server.rss();
    const steady = await phase('steady', steadySeconds, false);
    const rssSteady = server.alive() ? server.rss() : 0;
    const abused = server.alive()
      ? await phase('abuse', abuseSeconds, true)
      : { samples: [] as Sample[], abusive: [] as Sample[] };
    const alive = server.alive();
    const rssEnd = alive ? server.rss() : 0;

    const good = [...steady.samples, ...abused.samples];
    const failed = good.filter((s) => s.outcome !== 'ok');
    const p99Steady = percentile(steady.samples.map(latency), 99);
    const p99Abuse = percentile(abused.samples.map(latency), 99);
    const rps = steady.samples.length / steadySeconds;
    verdict.check(
      alive,
      alive
        ? 'process alive'
        : `chat-bff died: ${
            server
              .tail()
              .split('\n')
              .find((l) => /error|heap/i.test(l)) ?? '?'
          }`,
    );
    verdict.check(
      failed.length === 0,
      `${good.length} requests (${rps.toFixed(0)}/s steady, p50 ${ms(percentile(steady.samples.map(latency), 50))}, p99 ${ms(p99Steady)}), ${failed.filter((s) => s.status >= 500).length} 5xx, ${failed.length} not ok` +
        (failed.length > 0 ? ` [${reasons(failed)}]` : ''),
    );
    const growth = rssEnd / rssWarm;
    verdict.check(
      alive && growth <= RSS_GROWTH,
      `RSS ${mb(rssWarm)} after warm-up, ${mb(rssSteady)} after steady, ${mb(rssEnd)} at the end (${growth.toFixed(2)}x, limit ${RSS_GROWTH}x)`,
    );
    const abusiveAnswers = abused.abusive;
    verdict.check(
      alive && abused.samples.length > 0 && p99Abuse <= ABUSE_P99 * p99Steady,
      `with ${aliases}-alias queries (${abusiveAnswers.length} sent: ${reasons(abusiveAnswers, 2) || 'none answered'}) good p99 ${ms(p99Abuse)} = ${(p99Abuse / p99Steady).toFixed(2)}x (limit ${ABUSE_P99}x)`,
    );
    if (alive) await server.stop();
    await verifyData(verdict, seeded.databaseUrl, world.appId, acks, 'soak', conflicts);
    process.stdout.write(`${verdict.line()}\n`);
    process.stdout.write(
      `\nsoak: ${verdict.passed ? 1 : 0} passed, ${verdict.passed ? 0 : 1} failed (${((performance.now() - started) / 1000).toFixed(0)} s, seed ${seed}${quick ? ', --quick' : ''})\n`,
    );
    return verdict.passed ? 0 : 1;
  } finally {
    await cleanupAll();
  }
}

/** One client sending a huge aliased query, one after another, until the phase ends. */
async function startAbuser(
  baseUrl: string,
  token: string,
  roomId: string,
  aliases: number,
  seconds: number,
): Promise<Sample[]> {
  const fields = Array.from(
    { length: aliases },
    (_, i) =>
      `a${i}: room(id: ${JSON.stringify(roomId)}) { messages(last: 100) { edges { node { messageId message } } } }`,
  );
  const query = `query { ${fields.join(' ')} }`;
  const samples: Sample[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const answer = await exchange(baseUrl, {
      op: 'abuse',
      method: 'POST',
      path: '/graphql',
      graphql: true,
      headers: { authorization: `Bearer ${token}` },
      body: { query },
    });
    // The abuser is judged by what it got: a clean refusal is the goal, so keep the status and code.
    samples.push({ ...answer, client: -1, detail: answer.detail || `${answer.status}` });
    if (answer.status === 0) await sleep(100);
  }
  return samples;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

runCommand('soak', main);
