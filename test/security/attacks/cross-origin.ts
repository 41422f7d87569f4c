import { address, header, send } from '../http.js';
import { AttackReport } from '../report.js';
import { openSocket } from '../streams.js';
import { createRoom, createUser, messagesOf, virolaSession, type AuditContext } from '../world.js';

/*
 * 4. Cross-site WebSocket hijacking and CORS. The server runs with
 * CORS_ORIGINS=http://app.example: a page there is the app's own client, one on
 * http://evil.example is not. The browser sends the session cookie with the upgrade
 * either way; only the Origin header tells them apart.
 */

const ATTACK = 4;
export const ALLOWED_ORIGIN = 'http://app.example';
const EVIL = 'http://evil.example';
const ROOM = 'cswsh-room';
const READ_ROOMS = '{ viewer { rooms(first: 5) { edges { node { roomId } } } } }';
const SEND = `mutation($m: JSON!) { sendMessage(input: { roomId: "${ROOM}", message: $m }) { __typename } }`;

export async function crossOrigin(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(
    ATTACK,
    `Cross-origin: WebSocket hijacking and CORS (CORS_ORIGINS=${ALLOWED_ORIGIN})`,
  );
  await createUser(ctx, ctx.a, 'cswsh-victim');
  await createRoom(ctx, ctx.a, ROOM, 'cswsh-victim');
  const cookie = await virolaSession(ctx, ctx.a, 'cswsh-victim', address(ATTACK, 1));

  for (const origin of [EVIL, ALLOWED_ORIGIN]) {
    const allowed = origin === ALLOWED_ORIGIN;
    const marker = `ws from ${origin}`;
    const socket = await openSocket(ctx.url, { headers: { origin, cookie }, from: address(ATTACK, 2) });
    let read = false;
    let wrote = 0;
    let detail = `upgrade ${socket.upgradeStatus}, acknowledged: ${socket.acknowledged ? 'yes' : 'no'}`;
    try {
      if (socket.acknowledged) {
        const rooms = await socket.request(READ_ROOMS);
        const edges = (rooms.data as { viewer?: { rooms?: { edges?: unknown[] } } } | undefined)?.viewer
          ?.rooms?.edges;
        read = (edges?.length ?? 0) > 0;
        const sent = await socket.request(SEND, { m: marker });
        wrote = (await messagesOf(ctx, ctx.a, ROOM)).filter((m) => m === marker).length;
        detail += `; read rooms: ${read ? `yes (${edges?.length})` : `no (${rooms.errors.join(',') || 'empty'})`}; sendMessage: ${
          sent.errors.join(',') || JSON.stringify(sent.data)
        }, written: ${wrote}`;
      }
      const closed = socket.closeCode();
      if (closed !== undefined) detail += `; closed ${closed}`;
    } finally {
      await socket.close();
    }
    if (allowed) {
      report.holds(
        `graphql-ws with Origin: ${origin} and the session cookie (the app's own page)`,
        read && wrote === 1,
        detail,
        'acknowledged; reads the rooms and sends',
      );
    } else {
      report.refused(
        `graphql-ws with Origin: ${origin} and the session cookie`,
        !read && wrote === 0,
        detail,
        'upgrade refused (or the cookie ignored): nothing read, nothing sent',
      );
    }
  }

  // REST preflights and answers, from the allowed origin and from another one.
  const preflight = (origin: string) =>
    send(ctx.url, '/api/v1/rooms', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
      from: address(ATTACK, 3),
    });
  const describe = (a: Awaited<ReturnType<typeof send>>) =>
    `${a.status}, Access-Control-Allow-Origin: ${header(a, 'access-control-allow-origin') ?? '-'}, -Credentials: ${
      header(a, 'access-control-allow-credentials') ?? '-'
    }, -Methods: ${header(a, 'access-control-allow-methods') ?? '-'}, -Headers: ${header(a, 'access-control-allow-headers') ?? '-'}`;
  const good = await preflight(ALLOWED_ORIGIN);
  report.holds(
    `OPTIONS /api/v1/rooms preflight from ${ALLOWED_ORIGIN}`,
    good.status >= 200 && good.status < 300 && header(good, 'access-control-allow-origin') === ALLOWED_ORIGIN,
    describe(good),
    `2xx allowing ${ALLOWED_ORIGIN}`,
  );
  const graphqlPreflight = await send(ctx.url, '/graphql', {
    method: 'OPTIONS',
    headers: {
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
    from: address(ATTACK, 3),
  });
  report.figure(`OPTIONS /graphql preflight from ${ALLOWED_ORIGIN}: ${describe(graphqlPreflight)}`);
  const bad = await preflight(EVIL);
  const evilGet = await send(ctx.url, '/api/v1/rooms', {
    headers: { origin: EVIL, cookie },
    from: address(ATTACK, 3),
  });
  const echoes = (a: Awaited<ReturnType<typeof send>>) => {
    const allowed = header(a, 'access-control-allow-origin');
    return allowed === EVIL || allowed === '*';
  };
  report.refused(
    `OPTIONS and GET /api/v1/rooms from ${EVIL} (with the cookie)`,
    !echoes(bad) && !echoes(evilGet),
    `preflight ${describe(bad)}; GET ${evilGet.status}, Access-Control-Allow-Origin: ${header(evilGet, 'access-control-allow-origin') ?? '-'}`,
    `no Access-Control-Allow-Origin for ${EVIL}`,
  );
  return report;
}
