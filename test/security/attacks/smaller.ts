import http from 'node:http';
import { address, dataAt, graphql, type GraphQLAnswer } from '../http.js';
import { AttackReport } from '../report.js';
import { configNames } from '../server.js';
import { openSocket, openSse } from '../streams.js';
import {
  asPlatform,
  createRoom,
  createUserWithToken,
  excerpt,
  type AuditApp,
  type AuditContext,
} from '../world.js';

/*
 * 9. Smaller items: 10,000-character free text; numeric ids shared by all tenants (app
 * B's next ids jump by what app A did in between); dead tokens purged (counted in the
 * DATA_DIR before and after a second server ran its purge); error-level log lines (logCheck).
 */

const ATTACK = 9;
const LONG = 'x'.repeat(10_000);

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) {
  __typename ... on SendMessagePayload { chatMessage { numericId } } ... on Error { code message } } }`;

export async function smaller(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Free-text caps, per-app ids, log levels');
  const writer = await createUserWithToken(ctx, ctx.a, 'small-writer');
  const from = address(ATTACK, 1);

  /** A mutation taking one input object, answering its payload or an Error. */
  const mutate = (field: string, inputType: string, input: object, headers: Record<string, string>) => () =>
    graphql(
      ctx.url,
      `mutation ($i: ${inputType}!) { ${field}(input: $i) { __typename ... on Error { code message } } }`,
      { i: input },
      headers,
      from,
    );
  const admin = { 'im-api-key': ctx.a.apiKey };
  const long: [string, () => Promise<GraphQLAnswer>, string][] = [
    [
      'createUser with a 10,000-character username',
      mutate('createUser', 'CreateUserInput', { userId: 'small-long-username', username: LONG }, admin),
      'createUser',
    ],
    [
      'createUser with a 10,000-character nickname',
      mutate('createUser', 'CreateUserInput', { userId: 'small-long-nickname', nickname: LONG }, admin),
      'createUser',
    ],
    [
      'createRoom with a 10,000-character name',
      mutate('createRoom', 'CreateRoomInput', { name: LONG }, writer.bearer),
      'createRoom',
    ],
    [
      'createRoom with a 10,000-character topic',
      mutate('createRoom', 'CreateRoomInput', { name: 'topic', topic: LONG }, writer.bearer),
      'createRoom',
    ],
  ];
  for (const [name, run, field] of long) {
    const answer = await run();
    const typename = String(dataAt(answer, `${field}.__typename`) ?? '-');
    const accepted = typename.endsWith('Payload');
    report.refused(
      name,
      !accepted,
      `${answer.status} ${typename}${answer.codes.length ? ` ${answer.codes.join(',')}` : ''}${
        accepted
          ? ''
          : `: ${excerpt(String(dataAt(answer, `${field}.message`) ?? answer.body.errors?.[0]?.message ?? ''), 70)}`
      }`,
      'BAD_USER_INPUT (a length cap)',
    );
  }

  await sharedIds(ctx, report);
  await disconnects(ctx);

  // Dead tokens for the purge to find (purgeCheck, after a second server ran): a revoked client token.
  await createUserWithToken(ctx, ctx.a, 'small-revoked');
  await asPlatform(
    ctx,
    ctx.a,
    `mutation($u: String!) { revokeUserTokens(input: { userId: $u }) { __typename ... on Error { code message } } }`,
    { u: 'small-revoked' },
  );
  return report;
}

/** Does app B see app A's traffic in its own next numeric ids? */
async function sharedIds(ctx: AuditContext, report: AttackReport): Promise<void> {
  // Fewer than a sender's write burst (an attacker's app just spreads its traffic over users).
  const k = ctx.quick ? 5 : 8;
  const a = await createUserWithToken(ctx, ctx.a, 'ids-a');
  const b = await createUserWithToken(ctx, ctx.b, 'ids-b');
  await createRoom(ctx, ctx.a, 'ids-room-a', a.userId);
  const roomB1 = await createRoom(ctx, ctx.b, 'ids-room-b1', b.userId);
  const send = async (app: AuditApp, bearer: Record<string, string>, roomId: string) => {
    let answer = await graphql(
      ctx.url,
      SEND,
      { i: { roomId, message: 'count me' } },
      bearer,
      address(ATTACK, 2),
    );
    for (let retry = 0; retry < 2 && answer.codes.includes('RATE_LIMITED'); retry++) {
      // A write limit met: wait as told (at most 5 s), then once more.
      const seconds = Math.min(5, Number(answer.body.errors?.[0]?.extensions?.retryAfter ?? 1));
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      answer = await graphql(
        ctx.url,
        SEND,
        { i: { roomId, message: 'count me' } },
        bearer,
        address(ATTACK, 2),
      );
    }
    const id = dataAt(answer, 'sendMessage.chatMessage.numericId');
    if (typeof id !== 'number') throw new Error(`sendMessage in ${app.appId}: ${answer.text.slice(0, 200)}`);
    return id;
  };
  const b1 = await send(ctx.b, b.bearer, 'ids-room-b1');
  for (let i = 0; i < k; i++) await send(ctx.a, a.bearer, 'ids-room-a');
  const b2 = await send(ctx.b, b.bearer, 'ids-room-b1');
  report.refused(
    `message ids: app B sends, app A sends ${k}, app B sends`,
    b2 - b1 < k,
    `app B's message numericIds ${b1} -> ${b2} (+${b2 - b1})`,
    '+1: per-app sequences (or ids that tell nothing)',
  );
  for (let i = 0; i < k; i++) await createRoom(ctx, ctx.a, `ids-room-a-${i}`, a.userId);
  const roomB2 = await createRoom(ctx, ctx.b, 'ids-room-b2', b.userId);
  report.refused(
    `room ids: app B creates, app A creates ${k}, app B creates`,
    roomB2 - roomB1 < k,
    `app B's room numericIds ${roomB1} -> ${roomB2} (+${roomB2 - roomB1})`,
    '+1: per-app sequences',
  );
}

/**
 * The purge's settings (an interval and a grace, by their names in src/config.ts) set to
 * run every second with no grace, for the second server; undefined when there are none.
 */
export function purgeSettings(): Record<string, string> | undefined {
  const names = configNames();
  const interval = names.find((n) => /PURGE/.test(n) && /INTERVAL/.test(n));
  const grace = names.find((n) => /PURGE/.test(n) && /GRACE/.test(n));
  if (!interval) return undefined;
  return { [interval]: '1', ...(grace && { [grace]: '0' }) };
}

/** Dead tokens (this run's revocations: logout, password change) before and after a server ran the purge. */
export function purgeCheck(
  report: AttackReport,
  settings: Record<string, string> | undefined,
  before: number,
  after: number,
): void {
  if (!settings) {
    report.refused(
      'revoked and expired tokens purged',
      false,
      'no purge setting in src/config.ts',
      'a purge',
    );
    return;
  }
  const env = Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  report.holds(
    `revoked and expired tokens purged (a server with ${env} for ${PURGE_WAIT_S} s)`,
    before > 0 && after === 0,
    `dead tokens stored: ${before} before, ${after} after`,
    `${before > 0 ? before : 'some'} before, 0 after`,
  );
}

export const PURGE_WAIT_S = 2.5;

/** Run last, once every connection the audit opened is closed: error-level lines in the server's log. */
export function logCheck(ctx: AuditContext, report: AttackReport): void {
  const lines = ctx.errorLines();
  const kinds = new Map<string, number>();
  for (const line of lines) {
    const key = excerpt(line.msg, 80);
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  report.holds(
    'error-level log lines over the whole run (SSE streams and a socket dropped while events flow, an upload cut off)',
    lines.length === 0,
    lines.length === 0
      ? 'none'
      : `${lines.length}: ${[...kinds]
          .slice(0, 3)
          .map(([msg, n]) => `${n} x "${msg}"`)
          .join(', ')}`,
    'none: client disconnects and refused attacks are not server errors',
  );
}

/**
 * Clients that go away as clients do: SSE streams dropped while events are being written
 * to them, a request body cut off mid-upload, a WebSocket dropped with a subscription open.
 * None of it is a server error (logCheck counts the error-level lines afterwards).
 */
async function disconnects(ctx: AuditContext): Promise<void> {
  const user = await createUserWithToken(ctx, ctx.a, 'small-leaver');
  await createRoom(ctx, ctx.a, 'small-leaver-room', user.userId);
  const from = address(ATTACK, 3);
  const streams = await Promise.all(
    Array.from({ length: 5 }, () =>
      openSse(ctx.url, 'subscription { viewerEvents { __typename } }', user.bearer, from),
    ),
  );
  const socket = await openSocket(ctx.url, { from, payload: { Authorization: `Bearer ${user.token}` } });
  socket.subscribe('s1', 'subscription { viewerEvents { __typename } }');
  for (let i = 0; i < 6; i++) {
    await asPlatform(
      ctx,
      ctx.a,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { __typename ... on Error { code message } } }`,
      { i: { roomId: 'small-leaver-room', senderId: user.userId, message: `event ${i}` } },
    );
    // Drop a stream, then the socket, while events are on their way to them.
    streams[i]?.close();
    if (i === 3) await socket.close();
  }
  await cutUpload(ctx.url, from);
}

/** A POST that promises 64 KiB and stops after 1 KiB. */
function cutUpload(baseUrl: string, from: string): Promise<void> {
  const url = new URL('/graphql', baseUrl);
  return new Promise((resolve) => {
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      localAddress: from,
      headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024) },
    });
    request.on('error', () => resolve());
    request.on('close', () => resolve());
    request.write(`{"query":"${'x'.repeat(1024)}`);
    setTimeout(() => request.destroy(), 100);
  });
}
