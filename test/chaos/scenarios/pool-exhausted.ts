import pg from 'pg';
import { bootstrap, deathNote, type Scenario } from '../context.js';
import { sleep, startLoad } from '../load.js';
import { exchange, type Exchange } from '../http.js';
import { requestFor } from '../operations.js';
import { latency, ms, reasons, Verdict } from '../report.js';
import { verifyLoad } from '../verify.js';

/*
 * More slow requests than connections: with DB_POOL_MAX=2, sends into one room wait on a
 * row lock held from another connection (as behind a long transaction), so they hold every
 * pooled connection. Every other request may wait at most the acquire timeout
 * (DB_CONNECT_TIMEOUT_MS), then gets a 503; the slow ones end at the request deadline; once
 * the lock is gone, service is full again.
 */

const CLIENTS = 8;
const POOL = 2;
const ACQUIRE_MS = 1000;
const REQUEST_TIMEOUT_MS = 3000;
const SLACK_MS = 500;
const SLOW_SENDS = 4;

export const poolExhausted: Scenario = {
  name: 'pool-exhausted',
  checks: `DB_POOL_MAX=${POOL}, ${SLOW_SENDS} sends blocked on a row lock held 5 s: other requests wait at most DB_CONNECT_TIMEOUT_MS=${ACQUIRE_MS} then 503; the blocked ones end by REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS}; full service after the lock is released`,
  async run(ctx) {
    const verdict = new Verdict('pool-exhausted');
    const holdMs = 5000;
    const { world, server } = await bootstrap(ctx, 'pool_exhausted', {
      DB_POOL_MAX: String(POOL),
      DB_CONNECT_TIMEOUT_MS: String(ACQUIRE_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    // The room the slow sends go to: the one with the most members among the clients.
    const counts = new Map<string, number>();
    for (const user of world.users)
      for (const room of user.rooms) counts.set(room, (counts.get(room) ?? 0) + 1);
    const locked = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const senders = world.users.filter((u) => u.rooms.includes(locked));

    const load = startLoad({
      baseUrl: () => server.url,
      world,
      clients: CLIENTS,
      seconds: holdMs / 1000 + 40,
      avoidRooms: new Set([locked]),
      backoffMs: 20,
      seed: ctx.seed,
      label: 'pool',
    });
    const locker = new pg.Client({ connectionString: world.databaseUrl });
    await locker.connect();
    let slow: Exchange[];
    let tLock = 0;
    let tRelease = 0;
    try {
      await sleep(ctx.quick ? 1500 : 2000);
      await locker.query('begin');
      await locker.query('select 1 from rooms where app_id = $1 and id = $2 for update', [
        world.appId,
        locked,
      ]);
      tLock = performance.now();
      const slowSends = Array.from({ length: SLOW_SENDS }, (_, i) => {
        const user = senders[i % senders.length]!;
        return exchange(server.url, requestFor(world, user, 'gql.send', locked, `pool-slow-${i}`));
      });
      await sleep(holdMs);
      await locker.query('rollback');
      tRelease = performance.now();
      slow = await Promise.all(slowSends);
    } finally {
      await locker.end().catch(() => {});
    }
    await sleep(ctx.quick ? 2500 : 3000);
    load.stop();
    await load.done;

    const alive = server.alive();
    verdict.check(alive, alive ? 'process alive' : await deathNote(server));
    // The lock is in force from tLock; the pool is full as soon as two slow sends hold their connections.
    const during = load.samples.filter((s) => s.start >= tLock + 200 && s.end <= tRelease);
    const refused = during.filter((s) => s.outcome === 'unavailable');
    const tooLong = during.filter((s) => latency(s) > ACQUIRE_MS + SLACK_MS);
    const errors = during.filter((s) => s.outcome === 'error');
    verdict.check(
      refused.length > 0 && tooLong.length === 0 && errors.length === 0,
      `while exhausted ${during.length} requests: ${refused.length} 503 (waits ${ms(Math.min(...refused.map(latency), Infinity))}-${ms(Math.max(0, ...refused.map(latency)))}), ${during.length - refused.length - errors.length} ok, ${errors.length} errors, longest ${ms(Math.max(0, ...during.map(latency)))}` +
        (errors.length > 0 ? ` [${reasons(errors)}]` : ''),
    );
    const slowWorst = Math.max(0, ...slow.map((s) => s.end - s.start));
    const slowBad = slow.filter(
      (s) => s.outcome === 'error' || s.end - s.start > REQUEST_TIMEOUT_MS + SLACK_MS,
    );
    verdict.check(
      slowBad.length === 0,
      `blocked sends: ${slow.filter((s) => s.outcome === 'unavailable').length}/${slow.length} 503 after at most ${ms(slowWorst)}` +
        (slowBad.length > 0
          ? ` [${slowBad.map((s) => `${s.detail || s.outcome} in ${ms(s.end - s.start)}`).join(', ')}]`
          : ''),
    );
    const after = load.samples.filter((s) => s.start >= tRelease + 1000);
    const badAfter = after.filter((s) => s.outcome !== 'ok');
    verdict.check(
      after.length > 0 && badAfter.length === 0,
      `${after.length - badAfter.length}/${after.length} ok from 1 s after release` +
        (badAfter.length > 0 ? ` [${reasons(badAfter)}]` : ''),
    );
    if (server.alive()) await server.stop();
    await verifyLoad(verdict, world, load, 'pool');
    return verdict;
  },
};
