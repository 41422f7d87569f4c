import { startChatBff } from '../chat-bff.js';
import { bootstrap, deathNote, type Scenario } from '../context.js';
import { exchange } from '../http.js';
import { sleep, startLoad, type Ack } from '../load.js';
import { requestFor, sentMessageId } from '../operations.js';
import { startPrivateRedis } from '../redis.js';
import { latency, ms, reasons, Verdict } from '../report.js';
import { openSse } from '../sse.js';
import { verifyData } from '../verify.js';

/*
 * Two chat-bff instances on one database, their real-time events carried by Redis: a
 * subscriber on instance A (SSE), writes through instance B (8 clients of mixed load and a
 * marker message every 100 ms into the subscriber's room). Redis is killed (SIGKILL), stays
 * down 3 s, and is started again. Neither process may die, writes must keep succeeding while
 * Redis is gone, and the same subscription must deliver again once it is back (what it
 * missed meanwhile is lost: delivery through Redis is at most once).
 */

const CLIENTS = 8;
const DOWN_MS = 3000;
/** How soon after Redis is back the subscription must deliver again (ioredis reconnects with a backoff of up to 2 s). */
const RESUME_MS = 5000;

export const redisFanout: Scenario = {
  name: 'redis-fanout',
  checks: `Redis SIGKILLed during fan-out between two instances (SSE subscriber on A, writes through B), down ${DOWN_MS / 1000} s, restarted: no crash, writes keep succeeding, the subscription delivers again within ${RESUME_MS / 1000} s`,
  async run(ctx) {
    const verdict = new Verdict('redis-fanout');
    const redis = await startPrivateRedis();
    try {
      const settings = { REDIS_URL: redis.url, SHUTDOWN_TIMEOUT_MS: '3000' };
      const { world, server: a, env } = await bootstrap(ctx, 'redis_fanout', settings);
      const b = await startChatBff(env);
      const subscriber = world.users[0]!;
      const room = subscriber.rooms[0]!;
      const sender = world.users.find((u) => u !== subscriber && u.rooms.includes(room)) ?? subscriber;
      const stream = await openSse(
        a.url,
        'subscription($r: String!) { roomEvents(roomId: $r) { type message { messageId } } }',
        { r: room },
        { authorization: `Bearer ${subscriber.token}` },
      );
      if (stream.status !== 200) throw new Error(`the subscription answered ${stream.status}`);
      await sleep(300);

      const load = startLoad({
        baseUrl: () => b.url,
        world,
        clients: CLIENTS,
        seconds: 60,
        backoffMs: 20,
        seed: ctx.seed,
        label: 'fanout',
      });
      // Markers: one send into the subscriber's room every 100 ms, through B.
      const markers: { id: string; sentAt: number; ack: Ack }[] = [];
      let marking = true;
      let markerFailures = 0;
      const marker = (async () => {
        for (let i = 0; marking && i < 2000; i++) {
          const clientMessageId = `fanout-marker-${i}`;
          const answer = await exchange(b.url, requestFor(world, sender, 'gql.send', room, clientMessageId));
          const id = answer.outcome === 'ok' ? sentMessageId(answer) : undefined;
          const ack = {
            clientMessageId,
            messageId: id ?? '',
            roomId: room,
            userId: sender.userId,
            at: answer.end,
          };
          if (id) markers.push({ id, sentAt: answer.end, ack });
          else markerFailures++;
          await sleep(100);
        }
      })();
      await sleep(ctx.quick ? 1500 : 2000);
      const tKill = performance.now();
      await redis.kill();
      await sleep(DOWN_MS);
      const tRestart = performance.now();
      await redis.start();
      const tBack = performance.now();
      await sleep(ctx.quick ? RESUME_MS + 1000 : RESUME_MS + 3000);
      marking = false;
      load.stop();
      await Promise.all([marker, load.done]);
      const endedByServer = stream.state() !== 'open';
      stream.close();
      await stream.ended;

      const delivered = new Map<string, number>();
      for (const event of stream.events) {
        const id = (event.data as { data?: { roomEvents?: { message?: { messageId?: string } } } }).data
          ?.roomEvents?.message?.messageId;
        if (id) delivered.set(id, event.at);
      }
      const before = markers.filter((m) => m.sentAt < tKill);
      const beforeDelivered = before.filter((m) => delivered.has(m.id)).length;
      const afterBack = markers.filter((m) => m.sentAt >= tBack);
      const firstResumed = Math.min(
        ...afterBack.filter((m) => delivered.has(m.id)).map((m) => delivered.get(m.id)!),
      );
      const resumedAfter = firstResumed - tBack;
      // Once delivering again, nothing sent after that may go missing.
      const afterResume = afterBack.filter((m) => m.sentAt > firstResumed);
      const missedAfterResume = afterResume.filter((m) => !delivered.has(m.id)).length;

      for (const [name, server] of [
        ['A', a],
        ['B', b],
      ] as const) {
        verdict.check(
          server.alive(),
          server.alive() ? `instance ${name} alive` : `instance ${name}: ${await deathNote(server)}`,
        );
      }
      verdict.check(
        before.length > 0 && beforeDelivered === before.length,
        `before the kill ${beforeDelivered}/${before.length} markers delivered`,
      );
      const writesDown = load.samples.filter(
        (s) => s.op.endsWith('send') && s.start >= tKill && s.start < tRestart,
      );
      const badWritesDown = writesDown.filter((s) => s.outcome !== 'ok');
      verdict.check(
        writesDown.length > 0 && badWritesDown.length === 0,
        `sends while Redis was down ${writesDown.length - badWritesDown.length}/${writesDown.length} ok (slowest ${ms(Math.max(0, ...writesDown.map(latency)))})` +
          (badWritesDown.length > 0 ? ` [${reasons(badWritesDown)}]` : ''),
      );
      const errors = load.samples.filter((s) => s.outcome !== 'ok');
      verdict.check(
        errors.length === 0,
        `${load.samples.length} requests through B, ${errors.length} not ok` +
          (errors.length > 0 ? ` [${reasons(errors)}]` : ''),
      );
      verdict.check(
        Number.isFinite(resumedAfter) && resumedAfter <= RESUME_MS && !endedByServer,
        `the subscription delivered again ${Number.isFinite(resumedAfter) ? ms(resumedAfter) : 'never'} after Redis was back` +
          `, then ${afterResume.length - missedAfterResume}/${afterResume.length} markers` +
          (endedByServer ? `; the server ended the stream (${stream.state()} ${stream.error()})` : ''),
      );
      verdict.check(
        missedAfterResume === 0 && markerFailures === 0,
        `markers failed ${markerFailures}, missed after resuming ${missedAfterResume}`,
      );
      await Promise.all([a.stop(), b.stop()]);
      await verifyData(
        verdict,
        world.databaseUrl,
        world.appId,
        [...load.acks.values(), ...markers.map((m) => m.ack)],
        'fanout',
        load.conflicts.length,
      );
    } finally {
      await redis.dispose();
    }
    return verdict;
  },
};
