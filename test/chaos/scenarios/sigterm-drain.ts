import { bootstrap, type Scenario } from '../context.js';
import { sleep, startLoad } from '../load.js';
import { ms, reasons, Verdict } from '../report.js';
import { openSse, type SseStream } from '../sse.js';
import { verifyLoad } from '../verify.js';

/*
 * SIGTERM under 16 clients of mixed load with 50 subscriptions open (SSE). Every request
 * that started before the signal must get its complete answer, readiness must turn false
 * at once, every stream must be ended cleanly by the server, and the process must exit 0
 * within SHUTDOWN_TIMEOUT_MS.
 */

const CLIENTS = 16;
const STREAMS = 50;
const SHUTDOWN_TIMEOUT_MS = 5000;
/**
 * "At once": the server turns unready the moment it handles the signal, but a saturated event
 * loop gets to the signal only after the work queued before it (p50 latency here: 100-400 ms).
 */
const NOT_READY_MS = 500;
const ROOM_EVENTS = 'subscription($r: String!) { roomEvents(roomId: $r) { type message { messageId } } }';
const VIEWER_EVENTS = 'subscription { viewerEvents { type roomId room { unread } } }';

export const sigtermDrain: Scenario = {
  name: 'sigterm-drain',
  checks: `SIGTERM under load with ${STREAMS} open SSE subscriptions: 0 in-flight requests cut, readiness false within ${NOT_READY_MS} ms, streams ended cleanly, exit 0 within SHUTDOWN_TIMEOUT_MS=${SHUTDOWN_TIMEOUT_MS}`,
  async run(ctx) {
    const verdict = new Verdict('sigterm-drain');
    const { world, server } = await bootstrap(ctx, 'sigterm_drain', {
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    const streams: SseStream[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const user = world.users[i % world.users.length]!;
      const auth = { authorization: `Bearer ${user.token}` };
      // Half follow a room, half their room list (each event of which reads the room's unread count).
      streams.push(
        i % 2 === 0
          ? await openSse(server.url, ROOM_EVENTS, { r: user.rooms[0] }, auth)
          : await openSse(server.url, VIEWER_EVENTS, {}, auth),
      );
    }
    const opened = streams.filter((s) => s.status === 200 && s.state() === 'open').length;
    const load = startLoad({
      baseUrl: () => server.url,
      world,
      clients: CLIENTS,
      seconds: 60,
      seed: ctx.seed,
      label: 'term',
    });
    await sleep(ctx.quick ? 1500 : 3000);
    const eventsBefore = streams.reduce((n, s) => n + s.events.length, 0);
    const tTerm = performance.now();
    server.signal('SIGTERM');
    // The clients start nothing new from here: what is in flight is what must be finished.
    load.stop();
    const readiness: { at: number; status: number }[] = [];
    const probing = (async () => {
      while (server.alive() && performance.now() - tTerm < SHUTDOWN_TIMEOUT_MS) {
        let status: number;
        try {
          const response = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(2000) });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = 0; // refused: not ready either
        }
        readiness.push({ at: performance.now(), status });
        if (status !== 200) break;
        await sleep(10);
      }
    })();
    const exit = await Promise.race([
      server.exited,
      sleep(SHUTDOWN_TIMEOUT_MS + 10_000).then(() => undefined),
    ]);
    await Promise.all([load.done, probing]);
    await Promise.race([Promise.all(streams.map((s) => s.ended)), sleep(2000)]);

    ctx.log(
      `  readiness after SIGTERM: ${readiness.map((r) => `${Math.round(r.at - tTerm)}:${r.status}`).join(' ')}`,
    );
    const inFlight = load.samples.filter((s) => s.start < tTerm && s.end > tTerm);
    const cut = load.samples.filter((s) => s.start < tTerm && s.outcome !== 'ok');
    verdict.check(
      cut.length === 0,
      `${load.samples.length} requests, ${inFlight.length} in flight at SIGTERM, ${cut.length} cut` +
        (cut.length > 0 ? ` [${reasons(cut)}]` : ''),
    );
    const notReady = readiness.find((r) => r.status !== 200);
    const notReadyAfter = notReady ? notReady.at - tTerm : Infinity;
    verdict.check(
      notReadyAfter <= NOT_READY_MS,
      `not ready ${Number.isFinite(notReadyAfter) ? ms(notReadyAfter) : 'never'} after SIGTERM (${notReady?.status === 0 ? 'connection refused' : `status ${notReady?.status}`})`,
    );
    const clean = streams.filter((s) => s.state() === 'clean');
    const lastEnd = Math.max(0, ...streams.map((s) => (s.endedAt() ?? Infinity) - tTerm));
    verdict.check(
      opened === STREAMS && clean.length === STREAMS,
      `streams ${opened}/${STREAMS} open (${eventsBefore} events), ${clean.length} ended cleanly within ${ms(lastEnd)}` +
        (clean.length < STREAMS
          ? ` [${streams
              .filter((s) => s.state() !== 'clean')
              .slice(0, 2)
              .map((s) => `${s.state()} ${s.error()}`)
              .join(', ')}]`
          : ''),
    );
    const exitMs = exit ? exit.at - tTerm : Infinity;
    verdict.check(
      exit !== undefined && exit.code === 0 && exitMs <= SHUTDOWN_TIMEOUT_MS,
      exit
        ? `exit ${exit.signal ?? exit.code} after ${ms(exitMs)}`
        : `still running ${SHUTDOWN_TIMEOUT_MS + 10_000} ms after SIGTERM`,
    );
    if (server.alive()) await server.stop();
    await verifyLoad(verdict, world, load, 'term');
    return verdict;
  },
};
