import { startChatBff, type ChatBff } from '../chat-bff.js';
import { bootstrap, deathNote, type Scenario } from '../context.js';
import { sleep, startLoad, type Ack, type Sample } from '../load.js';
import { startReadinessProbe } from '../probe.js';
import { latency, ms, reasons, Verdict } from '../report.js';
import { verifyData } from '../verify.js';

/*
 * PostgreSQL crashes (`pg_ctl stop -m immediate`) under 8 clients of mixed load, stays down
 * 3 s and comes back, `runs` times against one chat-bff process. While it is down every
 * answer must be a quick 503 / SERVICE_UNAVAILABLE and /readyz must say so; once it is back,
 * service must return within a second; no acknowledged write may be lost and every counter
 * must still equal what the rows say.
 */

const CLIENTS = 8;
const DOWN_MS = 3000;
/** The budget for "quick": a 503 while down, /readyz turning, the first success once back. */
const WITHIN_MS = 1000;

export const pgRestart: Scenario = {
  name: 'pg-restart',
  checks:
    'pg_ctl stop -m immediate, 3 s down, start: the process survives every run; while down every answer is 503/SERVICE_UNAVAILABLE within 1 s and /readyz 503 within 1 s; first success within 1 s of the database being back; 0 acknowledged writes lost; counters equal a recomputation',
  async run(ctx) {
    const verdict = new Verdict('pg-restart');
    const { world, server: first, env } = await bootstrap(ctx, 'pg_restart');
    let server: ChatBff = first;
    const acks: Ack[] = [];
    let survived = 0;
    const deaths: string[] = [];
    const down: Sample[] = [];
    const inFlight: Sample[] = [];
    const afterUp: Sample[] = [];
    const firstSuccess: number[] = [];
    const readyTurned: number[] = [];
    const slowReady: number[] = [];
    let conflicts = 0;
    const warmMs = ctx.quick ? 1500 : 2000;
    const recoverMs = ctx.quick ? 2500 : 3000;

    for (let run = 1; run <= ctx.runs; run++) {
      if (!server.alive()) server = await startChatBff(env);
      const current = server;
      const load = startLoad({
        baseUrl: () => current.url,
        world,
        clients: CLIENTS,
        seconds: (warmMs + DOWN_MS + recoverMs) / 1000 + 30,
        backoffMs: 20,
        seed: ctx.seed + run,
        label: `restart${run}`,
      });
      const probe = startReadinessProbe(() => current.url);
      await sleep(warmMs);
      const stopAsked = performance.now();
      await ctx.postgres.stopImmediate();
      const tDown = performance.now();
      await sleep(DOWN_MS);
      const startAsked = performance.now();
      await ctx.postgres.start();
      const tUp = performance.now();
      await sleep(recoverMs);
      load.stop();
      await Promise.all([load.done, probe.stop()]);
      acks.push(...load.acks.values());
      conflicts += load.conflicts.length;
      ctx.log(
        `  run ${run}: ${load.samples.length} requests, stop took ${ms(tDown - stopAsked)}, start ${ms(tUp - startAsked)}`,
      );

      if (current.alive()) survived++;
      else {
        deaths.push(await deathNote(current));
        continue;
      }
      // Requests sent while the database was gone, early enough that their second was up before it came back.
      down.push(...load.samples.filter((s) => s.start >= tDown && s.start <= startAsked - WITHIN_MS));
      inFlight.push(...load.samples.filter((s) => s.start < stopAsked && s.end > stopAsked));
      afterUp.push(...load.samples.filter((s) => s.start >= tUp + WITHIN_MS));
      const ok = load.samples.filter((s) => s.start >= tUp && s.outcome === 'ok').map((s) => s.end);
      firstSuccess.push(ok.length > 0 ? Math.min(...ok) - tUp : Infinity);
      const notReady = probe.samples.filter((p) => p.start >= tDown && p.status === 503).map((p) => p.end);
      readyTurned.push(notReady.length > 0 ? Math.min(...notReady) - tDown : Infinity);
      slowReady.push(
        ...probe.samples.filter((p) => p.start >= tDown && p.start <= startAsked).map((p) => p.end - p.start),
      );
    }
    if (server.alive()) await server.stop();

    verdict.check(survived === ctx.runs, `survived ${survived}/${ctx.runs}`);
    for (const death of deaths.slice(0, 1)) verdict.fail(death);
    const badDown = down.filter((s) => s.outcome !== 'unavailable' || latency(s) > WITHIN_MS);
    verdict.check(
      down.length > 0 && badDown.length === 0,
      `while down ${down.length - badDown.length}/${down.length} answers 503 within 1 s (max ${ms(Math.max(0, ...down.map(latency)))})` +
        (badDown.length > 0 ? ` [others: ${reasons(badDown)}]` : ''),
    );
    const badInFlight = inFlight.filter((s) => s.outcome === 'error');
    verdict.check(
      badInFlight.length === 0,
      `in flight at the crash ${inFlight.length}, ${badInFlight.length} not 2xx/503` +
        (badInFlight.length > 0 ? ` [${reasons(badInFlight)}]` : ''),
    );
    const worstReady = Math.max(0, ...readyTurned);
    verdict.check(
      readyTurned.length > 0 && worstReady <= WITHIN_MS && slowReady.every((t) => t <= WITHIN_MS),
      `/readyz 503 after ${ms(worstReady)} (slowest probe ${ms(Math.max(0, ...slowReady))})`,
    );
    const worstFirst = Math.max(0, ...firstSuccess);
    verdict.check(
      firstSuccess.length > 0 && worstFirst <= WITHIN_MS,
      `first success ${ms(worstFirst)} after up`,
    );
    const badAfter = afterUp.filter((s) => s.outcome !== 'ok');
    verdict.check(
      badAfter.length === 0,
      `${afterUp.length - badAfter.length}/${afterUp.length} ok from 1 s after up` +
        (badAfter.length > 0 ? ` [${reasons(badAfter)}]` : ''),
    );
    await verifyData(verdict, world.databaseUrl, world.appId, acks, 'restart', conflicts);
    return verdict;
  },
};
