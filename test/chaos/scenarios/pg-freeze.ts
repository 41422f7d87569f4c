import { bootstrap, deathNote, type Scenario } from '../context.js';
import { sleep, startLoad } from '../load.js';
import { startReadinessProbe } from '../probe.js';
import { latency, ms, reasons, Verdict } from '../report.js';
import { verifyLoad } from '../verify.js';

/*
 * PostgreSQL frozen (SIGSTOP to the postmaster and every backend: connections stay open,
 * nothing answers, as in a stalled disk or a paused VM) for 10 s under 8 clients. No request
 * may wait past the request deadline, /readyz answers within 1 s, and once the database is
 * thawed (SIGCONT) service is full again within 1 s.
 */

const CLIENTS = 8;
/** The per-request deadline the server is given: low, so the scenario is short. */
const REQUEST_TIMEOUT_MS = 3000;
/** Scheduling slack on top of a deadline (2 busy cores, the harness on the same machine). */
const SLACK_MS = 500;
const WITHIN_MS = 1000;

export const pgFreeze: Scenario = {
  name: 'pg-freeze',
  checks: `SIGSTOP PostgreSQL 10 s (5 s with --quick): no request waits past the request deadline (REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS}); answers meanwhile 503/SERVICE_UNAVAILABLE; /readyz answers within 1 s; full service within 1 s of SIGCONT`,
  async run(ctx) {
    const verdict = new Verdict('pg-freeze');
    const frozenMs = ctx.quick ? 5000 : 10_000;
    const { world, server } = await bootstrap(ctx, 'pg_freeze', {
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    const load = startLoad({
      baseUrl: () => server.url,
      world,
      clients: CLIENTS,
      seconds: frozenMs / 1000 + 40,
      backoffMs: 20,
      seed: ctx.seed,
      label: 'freeze',
    });
    const probe = startReadinessProbe(() => server.url);
    let frozen: number;
    let tFreeze = 0;
    let tThaw = 0;
    try {
      await sleep(ctx.quick ? 1500 : 2000);
      tFreeze = performance.now();
      frozen = ctx.postgres.freeze();
      await sleep(frozenMs);
    } finally {
      ctx.postgres.thaw();
      tThaw = performance.now();
    }
    await sleep(ctx.quick ? 2500 : 3000);
    load.stop();
    await Promise.all([load.done, probe.stop()]);
    ctx.log(
      `  ${load.samples.length} requests; ${frozen} PostgreSQL processes frozen for ${ms(tThaw - tFreeze)}`,
    );

    const alive = server.alive();
    verdict.check(alive, alive ? 'process alive' : await deathNote(server));
    const all = load.samples;
    const longest = Math.max(0, ...all.map(latency));
    const late = all.filter((s) => latency(s) > REQUEST_TIMEOUT_MS + SLACK_MS);
    verdict.check(
      late.length === 0,
      `longest wait ${ms(longest)} (deadline ${ms(REQUEST_TIMEOUT_MS)}), ${late.length} past it`,
    );
    const during = all.filter((s) => s.end > tFreeze && s.end <= tThaw);
    const badDuring = during.filter((s) => s.outcome === 'error');
    verdict.check(
      badDuring.length === 0,
      `answers while frozen ${during.length}: ${during.filter((s) => s.outcome === 'unavailable').length} 503, ${badDuring.length} other errors` +
        (badDuring.length > 0 ? ` [${reasons(badDuring)}]` : ''),
    );
    const probes = probe.samples.filter((p) => p.start >= tFreeze && p.start < tThaw);
    const slowestProbe = Math.max(0, ...probes.map((p) => p.end - p.start));
    verdict.check(
      probes.length > 0 &&
        slowestProbe <= WITHIN_MS &&
        // A probe may say 200 if it began before the freeze took hold or was answered after the thaw.
        probes.every((p) => p.status === 503 || p.start < tFreeze + WITHIN_MS || p.end > tThaw),
      `/readyz while frozen: ${probes.length} probes, slowest ${ms(slowestProbe)}, ${probes.filter((p) => p.status === 503).length} said 503`,
    );
    const after = all.filter((s) => s.start >= tThaw + WITHIN_MS);
    const badAfter = after.filter((s) => s.outcome !== 'ok');
    const firstOk = Math.min(...all.filter((s) => s.start >= tThaw && s.outcome === 'ok').map((s) => s.end));
    verdict.check(
      after.length > 0 && badAfter.length === 0 && firstOk - tThaw <= WITHIN_MS,
      `first success ${ms(firstOk - tThaw)} after SIGCONT, ${after.length - badAfter.length}/${after.length} ok from 1 s after` +
        (badAfter.length > 0 ? ` [${reasons(badAfter)}]` : ''),
    );
    if (server.alive()) await server.stop();
    await verifyLoad(verdict, world, load, 'freeze');
    return verdict;
  },
};
