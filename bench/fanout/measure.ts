import type { ServerProcess } from '../processes.js';
import { scrapeMetrics, settledScrape } from '../scrape.js';
import type { Feed } from './options.js';
import type { FanoutRow } from './report.js';
import { openSse, openWs, type Subscriber, type Subscription, type Transport } from './subscribers.js';
import type { Audience } from './world.js';

/*
 * One row: open every subscription, prove each is live with a warm-up message, then send
 * messages at a steady pace and time each subscriber's receipt from the send's answer.
 * Every wait is bounded; whatever did not arrive in time is counted, not waited for.
 */

const OPEN_CONCURRENCY = 50;
const OPEN_TIMEOUT_MS = 60_000;
/** A drain gives up after this long without a single new receipt, or after DRAIN_CAP_MS in all. */
const DRAIN_STALL_MS = 30_000;
const DRAIN_CAP_MS = 10 * 60_000;
const WARMUPS = 5;
const WARMUP_STALL_MS = 20_000;

const SEND = `mutation FanoutSend($input: SendMessageInput!) {
  sendMessage(input: $input) {
    ... on SendMessagePayload { chatMessage { messageId } }
    ... on Error { code message }
  }
}`;

/** What a client shows: the message and the room's per-viewer unread count. */
function subscriptionFor(feed: Feed, roomId: string): Subscription {
  return feed === 'room'
    ? {
        query: `subscription($roomId: String!) { roomEvents(roomId: $roomId) { type message { messageId message sender { nickname } } room { roomId unread } } }`,
        variables: { roomId },
      }
    : {
        query: `subscription { viewerEvents { type message { messageId message sender { nickname } } room { roomId unread } } }`,
        variables: {},
      };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(
  baseUrl: string,
  token: string,
  roomId: string,
  text: string,
): Promise<{ id: string; ackAt: number }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: SEND, variables: { input: { roomId, message: text } } }),
  });
  const body = (await response.json()) as {
    data?: { sendMessage?: { chatMessage?: { messageId: string }; message?: string } };
  };
  const ackAt = performance.now();
  const id = body.data?.sendMessage?.chatMessage?.messageId;
  if (!id) throw new Error(`sendMessage failed: ${JSON.stringify(body).slice(0, 300)}`);
  return { id, ackAt };
}

/** Waits until every subscriber holds every id, or the drain stalls or runs out of time. */
async function drain(subscribers: Subscriber[], ids: string[], stallMs = DRAIN_STALL_MS): Promise<void> {
  const started = performance.now();
  let lastCount = -1;
  let lastProgress = started;
  for (;;) {
    let count = 0;
    for (const s of subscribers) for (const id of ids) if (s.receipts.has(id)) count++;
    if (count === subscribers.length * ids.length) return;
    const now = performance.now();
    if (count !== lastCount) {
      lastCount = count;
      lastProgress = now;
    }
    if (now - lastProgress > stallMs || now - started > DRAIN_CAP_MS) return;
    await sleep(100);
  }
}

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export async function measureFanout(options: {
  server: ServerProcess;
  audience: Audience;
  feed: Feed;
  transport: 'sse' | 'ws' | 'both';
  messages: number;
  rate: number;
  log: (line: string) => void;
}): Promise<FanoutRow> {
  const { server, audience, feed, log } = options;
  const baseUrl = server.baseUrl;
  const subscription = subscriptionFor(feed, audience.roomId);
  const failures = new Map<string, number>();
  const fail = (reason: string) => failures.set(reason, (failures.get(reason) ?? 0) + 1);
  // One send before the baseline, so the RSS growth is the subscriptions', not the first request's code.
  await send(baseUrl, audience.sender.token, audience.roomId, 'before subscribing');
  const rssBeforeBytes = server.rss();
  const opened: Subscriber[] = [];
  const openStarted = performance.now();
  let next = 0;
  const transportOf = (i: number): Transport =>
    options.transport === 'both' ? (i % 2 === 0 ? 'sse' : 'ws') : options.transport;
  try {
    await Promise.all(
      Array.from({ length: Math.min(OPEN_CONCURRENCY, audience.subscribers.length) }, async () => {
        while (next < audience.subscribers.length) {
          const i = next++;
          const { token } = audience.subscribers[i] as { token: string };
          const open = transportOf(i) === 'sse' ? openSse : openWs;
          try {
            opened.push(await open(baseUrl, token, subscription, OPEN_TIMEOUT_MS));
          } catch (error) {
            fail(`open: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }),
    );
    const openSeconds = (performance.now() - openStarted) / 1000;
    log(
      `  ${opened.length} of ${audience.subscribers.length} subscriptions open in ${openSeconds.toFixed(1)} s`,
    );

    // A subscription is live once it delivered a message: the answer's headers (SSE) or the
    // subscribe message (graphql-ws) come before the server is listening on the bus.
    let live: Subscriber[] = [];
    for (let attempt = 1; attempt <= WARMUPS && live.length < opened.length; attempt++) {
      const warm = await send(baseUrl, audience.sender.token, audience.roomId, `warm-up ${attempt}`);
      await drain(opened, [warm.id], WARMUP_STALL_MS);
      live = opened.filter((s) => s.receipts.has(warm.id));
      log(`  warm-up ${attempt}: ${live.length} live`);
    }
    const rssAfterBytes = server.rss();
    await settledScrape(baseUrl);
    const before = await scrapeMetrics(baseUrl);

    const sent: { id: string; ackAt: number }[] = [];
    const sendStarted = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < options.messages; i++) {
      const due = sendStarted + (i * 1000) / options.rate;
      await sleep(Math.max(0, due - performance.now()));
      sends.push(
        send(baseUrl, audience.sender.token, audience.roomId, `message ${i}`).then(
          (s) => void sent.push(s),
          (error: unknown) => void fail(String(error)),
        ),
      );
    }
    await Promise.all(sends);
    const drainStarted = performance.now();
    await drain(
      live,
      sent.map((s) => s.id),
    );
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const after = await settledScrape(baseUrl);

    const latencies: number[] = [];
    let beforeAck = 0;
    let missing = 0;
    for (const s of live) {
      for (const { id, ackAt } of sent) {
        const at = s.receipts.get(id);
        if (at === undefined) missing++;
        else {
          if (at < ackAt) beforeAck++;
          latencies.push(Math.max(0, at - ackAt));
        }
      }
      const failure = s.failure();
      if (failure) fail(`${s.transport}: ${failure}`);
    }
    const sorted = Float64Array.from(latencies).sort();
    return {
      feed,
      subscribers: audience.subscribers.length,
      live: live.length,
      sse: live.filter((s) => s.transport === 'sse').length,
      ws: live.filter((s) => s.transport === 'ws').length,
      messages: sent.length,
      statementsPerMessage: sent.length > 0 ? (after.statements - before.statements) / sent.length : 0,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
      beforeAck,
      missing,
      opened: opened.length,
      rssPerSubscriptionBytes: opened.length > 0 ? (rssAfterBytes - rssBeforeBytes) / opened.length : null,
      rssBeforeBytes,
      rssAfterBytes,
      openSeconds,
      drainSeconds,
      failures: [...failures].map(([reason, n]) => `${n} × ${reason}`),
    };
  } finally {
    for (const s of opened) s.close();
  }
}
