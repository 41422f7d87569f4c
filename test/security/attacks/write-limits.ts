import http from 'node:http';
import { address, dataAt, graphql, header, postJson, send, type Answer } from '../http.js';
import { AttackReport, statusRuns } from '../report.js';
import { openSocket, openSse, type SseStream } from '../streams.js';
import { createRoom, createUserWithToken, rocketchatSession, type AuditContext } from '../world.js';

/*
 * 2. Writes and subscriptions without bound: one token sends messages as fast as one
 * client can (GraphQL and Rocket.Chat), creates rooms, opens subscriptions over SSE and
 * on one graphql-ws socket. Each series uses its own user, so every limit is met fresh.
 */

const ATTACK = 2;
const SETTLE_MS = 1500;

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) {
  __typename ... on SendMessagePayload { chatMessage { numericId } } ... on Error { code } } }`;
const CREATE_ROOM = `mutation($i: CreateRoomInput!) { createRoom(input: $i) {
  __typename ... on CreateRoomPayload { room { roomId } } ... on Error { code } } }`;
const VIEWER_EVENTS = 'subscription { viewerEvents { __typename } }';

/** How many of a series were accepted, where the first refusal came, and what it carried. */
function tally(outcomes: { ok: boolean; code: string; retryAfter: string | undefined }[], seconds: number) {
  const accepted = outcomes.filter((o) => o.ok).length;
  const firstRefused = outcomes.findIndex((o) => !o.ok);
  const refusal = outcomes[firstRefused];
  const codes = new Map<string, number>();
  for (const o of outcomes) if (!o.ok) codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
  const refused = [...codes].map(([code, n]) => `${n} x ${code}`).join(', ');
  const limited = outcomes.filter(
    (o) => !o.ok && o.code.includes('RATE_LIMITED') && o.retryAfter !== undefined,
  );
  return {
    accepted,
    limited: limited.length,
    text: `${accepted}/${outcomes.length} accepted in ${seconds.toFixed(1)} s${
      firstRefused >= 0
        ? `; first refused: #${firstRefused + 1} (${refusal?.code}, retry after ${refusal?.retryAfter ?? '-'} s); refused: ${refused}`
        : ''
    }`,
  };
}

export async function writeLimits(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Write and subscription limits');
  const sends = ctx.quick ? 100 : 150;
  const rooms = ctx.quick ? 40 : 60;
  const streams = ctx.quick ? 100 : 300;

  // GraphQL sendMessage.
  const gql = await createUserWithToken(ctx, ctx.a, 'wl-graphql');
  await createRoom(ctx, ctx.a, 'wl-graphql-room', gql.userId);
  let started = performance.now();
  const gqlOutcomes = [];
  for (let i = 0; i < sends; i++) {
    const answer = await graphql(
      ctx.url,
      SEND,
      { i: { roomId: 'wl-graphql-room', message: `flood ${i}` } },
      gql.bearer,
      address(ATTACK, 1),
    );
    const retryAfter = answer.body.errors?.[0]?.extensions?.retryAfter;
    gqlOutcomes.push({
      ok: dataAt(answer, 'sendMessage.__typename') === 'SendMessagePayload',
      code: `${answer.status} ${answer.codes.join(',') || 'no error'}`,
      retryAfter: retryAfter === undefined ? header(answer, 'retry-after') : String(retryAfter),
    });
  }
  const gqlTally = tally(gqlOutcomes, (performance.now() - started) / 1000);
  report.refused(
    `GraphQL sendMessage: ${sends} messages from one token, back to back`,
    gqlTally.limited > 0,
    gqlTally.text,
    'RATE_LIMITED with retryAfter after a burst',
  );

  // Rocket.Chat chat.sendMessage, with the headers of a Rocket.Chat login.
  const rc = await createUserWithToken(ctx, ctx.a, 'wl-rocketchat');
  await createRoom(ctx, ctx.a, 'wl-rocketchat-room', rc.userId);
  const rcHeaders = await rocketchatSession(ctx, ctx.a, rc.userId, 'audit-password-1', address(ATTACK, 2));
  started = performance.now();
  const rcOutcomes = [];
  const rcAnswers: Answer[] = [];
  for (let i = 0; i < sends; i++) {
    const answer: Answer = await postJson(
      ctx.url,
      '/api/v1/chat.sendMessage',
      { message: { rid: 'wl-rocketchat-room', msg: `flood ${i}` } },
      rcHeaders,
      address(ATTACK, 2),
    );
    rcAnswers.push(answer);
    rcOutcomes.push({
      ok: answer.status === 200,
      code: answer.status === 429 ? '429 RATE_LIMITED' : String(answer.status),
      retryAfter: header(answer, 'retry-after'),
    });
  }
  const rcTally = tally(rcOutcomes, (performance.now() - started) / 1000);
  const firstLimited = rcAnswers.find((a) => a.status === 429);
  const rateHeaders = firstLimited
    ? `; its RateLimit headers: ${header(firstLimited, 'ratelimit') ?? '-'} / ${header(firstLimited, 'ratelimit-policy') ?? '-'}`
    : '';
  report.refused(
    `Rocket.Chat chat.sendMessage: ${sends} messages from one login, back to back`,
    rcTally.limited > 0,
    `${rcTally.text}${rateHeaders}`,
    '429 with Retry-After after a burst',
  );

  // createRoom.
  const creator = await createUserWithToken(ctx, ctx.a, 'wl-rooms');
  started = performance.now();
  const roomOutcomes = [];
  for (let i = 0; i < rooms; i++) {
    const answer = await graphql(
      ctx.url,
      CREATE_ROOM,
      { i: { name: `flood room ${i}` } },
      creator.bearer,
      address(ATTACK, 3),
    );
    const retryAfter = answer.body.errors?.[0]?.extensions?.retryAfter;
    roomOutcomes.push({
      ok: dataAt(answer, 'createRoom.__typename') === 'CreateRoomPayload',
      code: `${answer.status} ${answer.codes.join(',') || 'no error'}`,
      retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
    });
  }
  const roomTally = tally(roomOutcomes, (performance.now() - started) / 1000);
  report.refused(
    `GraphQL createRoom: ${rooms} rooms from one token, back to back`,
    roomTally.limited > 0,
    roomTally.text,
    'RATE_LIMITED with retryAfter after a burst',
  );

  await anonymousFlood(ctx, report);
  await sseFlood(ctx, report, streams);
  const user = await createUserWithToken(ctx, ctx.a, 'wl-socket');
  await socketFlood(ctx, report, streams, {
    label: 'viewerEvents subscriptions on one socket (one user)',
    payload: { Authorization: `Bearer ${user.token}` },
    query: () => VIEWER_EVENTS,
    from: address(ATTACK, 5),
  });
  // The API key may hold more subscriptions than a user: what caps one socket is the per-socket limit.
  await socketFlood(ctx, report, streams, {
    label: 'roomEvents subscriptions on one socket (the API key)',
    payload: { 'IM-API-KEY': ctx.a.apiKey },
    query: () => 'subscription { roomEvents(roomId: "wl-graphql-room") { __typename } }',
    from: address(ATTACK, 6),
  });
  return report;
}

/** Requests without credentials from one address, 8 at a time, until the first 429 (at most 1,000). */
async function anonymousFlood(ctx: AuditContext, report: AttackReport): Promise<void> {
  const cap = 1000;
  const statuses: number[] = [];
  let limited: Answer | undefined;
  const started = performance.now();
  while (statuses.length < cap && !limited) {
    const batch = await Promise.all(
      Array.from({ length: 8 }, () => send(ctx.url, '/api/v1/rooms', { from: address(ATTACK, 7) })),
    );
    for (const answer of batch) {
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
  }
  const first = statuses.indexOf(429) + 1;
  const seconds = (performance.now() - started) / 1000;
  report.refused(
    `anonymous requests from one address (GET /api/v1/rooms without credentials), until the first 429 or ${cap}`,
    limited !== undefined && header(limited, 'retry-after') !== undefined,
    limited
      ? `first 429 at #${first} (${(first / seconds).toFixed(0)} requests/s), Retry-After ${header(limited, 'retry-after') ?? '-'} s, RateLimit-Policy ${header(limited, 'ratelimit-policy') ?? '-'}`
      : `${statusRuns(statuses)} in ${seconds.toFixed(1)} s`,
    'a per-address limit for anonymous callers: 429 with Retry-After',
  );
}

async function sseFlood(ctx: AuditContext, report: AttackReport, count: number): Promise<void> {
  const user = await createUserWithToken(ctx, ctx.a, 'wl-sse');
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const opened: SseStream[] = [];
  const started = performance.now();
  try {
    for (let batch = 0; batch < count; batch += 50) {
      const size = Math.min(50, count - batch);
      opened.push(
        ...(await Promise.all(
          Array.from({ length: size }, () =>
            openSse(ctx.url, VIEWER_EVENTS, user.bearer, address(ATTACK, 4), agent),
          ),
        )),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const open = opened.filter((s) => s.status === 200 && !s.ended() && s.errorCode() === undefined);
    const refusals = new Map<string, number>();
    for (const s of opened) {
      if (open.includes(s)) continue;
      const key = `${s.status} ${s.errorCode() ?? (s.ended() ? 'ended' : 'open with error')}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
    const refused = [...refusals].map(([k, n]) => `${n} x ${k}`).join(', ');
    report.refused(
      `SSE: ${count} viewerEvents subscriptions on one token`,
      open.length < count,
      `${open.length}/${count} open after ${((performance.now() - started) / 1000).toFixed(1)} s${refused ? `; refused: ${refused}` : ''}`,
      'a per-user cap on open subscriptions (RATE_LIMITED past it)',
    );
  } finally {
    for (const s of opened) s.close();
    agent.destroy();
  }
}

async function socketFlood(
  ctx: AuditContext,
  report: AttackReport,
  count: number,
  flood: { label: string; payload: Record<string, string>; query: () => string; from: string },
): Promise<void> {
  const name = `graphql-ws: ${count} ${flood.label}`;
  const socket = await openSocket(ctx.url, { from: flood.from, payload: flood.payload });
  try {
    if (!socket.acknowledged) {
      report.error(
        name,
        new Error(
          `the socket was not acknowledged (status ${socket.upgradeStatus}, close ${socket.closeCode()})`,
        ),
      );
      return;
    }
    for (let i = 0; i < count; i++) socket.subscribe(`s${i}`, flood.query());
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const closed = socket.closeCode();
    const failed = socket.failed();
    const open = closed === undefined ? count - failed.size : 0;
    const codes = new Map<string, number>();
    for (const code of failed.values()) codes.set(code, (codes.get(code) ?? 0) + 1);
    const refused = [...codes].map(([c, n]) => `${n} x ${c}`).join(', ');
    report.refused(
      name,
      open < count,
      `${open}/${count} open${refused ? `; refused: ${refused}` : ''}${closed !== undefined ? `; socket closed ${closed}` : ''}`,
      'a per-socket (and per-user) cap on subscriptions',
    );
  } finally {
    await socket.close();
  }
}
