import { freePort } from '../../../bench/processes.js';
import { startChatBff, type ChatBff } from '../chat-bff.js';
import { bootstrap, type Scenario } from '../context.js';
import { sleep, startLoad } from '../load.js';
import { SENDS } from '../operations.js';
import { ms, Verdict } from '../report.js';
import { verifyLoad } from '../verify.js';

/*
 * chat-bff SIGKILLed in the middle of 1,000 sends from 16 clients, and started again on
 * the same database and port. Each client retries whatever was not acknowledged with the
 * same clientMessageId until it is: every send must end up stored exactly once, under the
 * id its acknowledgement named, and the counters must still equal the rows.
 */

const CLIENTS = 16;

export const killResend: Scenario = {
  name: 'kill-resend',
  checks:
    'SIGKILL chat-bff in the middle of 1,000 sends (300 with --quick) from 16 clients that retry with the same clientMessageId; restart on the same database: 0 duplicates, 0 lost, counters equal a recomputation',
  async run(ctx) {
    const verdict = new Verdict('kill-resend');
    const total = ctx.quick ? 300 : 1000;
    const port = await freePort();
    const { world, server: first, env } = await bootstrap(ctx, 'kill_resend', { PORT: String(port) });
    let server: ChatBff = first;
    const load = startLoad({
      baseUrl: () => server.url,
      world,
      clients: CLIENTS,
      seconds: 120,
      ops: SENDS,
      sends: total,
      backoffMs: 50,
      seed: ctx.seed,
      label: 'kill',
    });
    // Kill once ~40% of the sends are acknowledged: many are in flight at that moment.
    const killDeadline = performance.now() + 60_000;
    while (load.acks.size < total * 0.4 && performance.now() < killDeadline) await sleep(5);
    const ackedBefore = load.acks.size;
    const inFlight = load.sendsIssued() - ackedBefore;
    const tKill = performance.now();
    first.signal('SIGKILL');
    const death = await first.exited;
    server = await startChatBff(env);
    const restartMs = performance.now() - tKill;
    await load.done;
    const retried = load.samples.filter((s) => s.outcome !== 'ok').length;
    ctx.log(
      `  killed with ${ackedBefore} acknowledged and ${inFlight} in flight; back after ${ms(restartMs)}`,
    );

    verdict.check(
      death.signal === 'SIGKILL',
      `killed at ${ackedBefore}/${total} acknowledged, ${inFlight} in flight`,
    );
    verdict.figure(`restarted in ${ms(restartMs)}, ${retried} attempts failed and were retried`);
    verdict.check(
      load.acks.size === total && load.unacknowledged() === 0,
      `${load.acks.size}/${total} sends acknowledged in the end`,
    );
    verdict.check(server.alive(), 'restarted process alive');
    await server.stop();
    await verifyLoad(verdict, world, load, 'kill');
    return verdict;
  },
};
