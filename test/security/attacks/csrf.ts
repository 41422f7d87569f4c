import { address, send } from '../http.js';
import { AttackReport } from '../report.js';
import { createRoom, createUser, excerpt, messagesOf, virolaSession, type AuditContext } from '../world.js';

/*
 * 3. Cross-site request forgery: what a page on another site can make a browser send
 * with the Virola session cookie attached, i.e. "simple" requests (a form's urlencoded
 * or multipart POST, a text/plain POST, a GET). Whether each one wrote is read back with
 * the API key, not taken from the answer.
 */

const ATTACK = 3;
const EVIL = 'http://evil.example';
const ROOM = 'csrf-room';

export async function csrf(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Cross-site request forgery with the Virola session cookie');
  await createUser(ctx, ctx.a, 'csrf-victim');
  await createRoom(ctx, ctx.a, ROOM, 'csrf-victim');
  const cookie = await virolaSession(ctx, ctx.a, 'csrf-victim', address(ATTACK, 1));
  const browser = { cookie, origin: EVIL, from: address(ATTACK, 2) };
  const mutation = (marker: string) =>
    `mutation { sendMessage(input: { roomId: "${ROOM}", message: "${marker}" }) { __typename } }`;

  const form = new FormData();
  form.set('operations', JSON.stringify({ query: mutation('csrf-multipart') }));
  form.set('map', '{}');
  const multipart = new Request('http://form.local', { method: 'POST', body: form });

  const forgeries: {
    name: string;
    marker: string;
    contentType: string;
    body: string | Buffer;
    origin?: string;
  }[] = [
    {
      name: 'application/x-www-form-urlencoded',
      marker: 'csrf-urlencoded',
      contentType: 'application/x-www-form-urlencoded',
      body: `query=${encodeURIComponent(mutation('csrf-urlencoded'))}`,
    },
    {
      name: 'multipart/form-data',
      marker: 'csrf-multipart',
      contentType: multipart.headers.get('content-type') ?? 'multipart/form-data',
      body: Buffer.from(await multipart.arrayBuffer()),
    },
    {
      name: 'application/x-www-form-urlencoded from Origin: null (a sandboxed frame)',
      marker: 'csrf-null-origin',
      contentType: 'application/x-www-form-urlencoded',
      body: `query=${encodeURIComponent(mutation('csrf-null-origin'))}`,
      origin: 'null',
    },
    {
      name: 'text/plain (a JSON body)',
      marker: 'csrf-text',
      contentType: 'text/plain',
      body: JSON.stringify({ query: mutation('csrf-text') }),
    },
  ];
  for (const forgery of forgeries) {
    const answer = await send(ctx.url, '/graphql', {
      method: 'POST',
      headers: {
        'content-type': forgery.contentType,
        cookie: browser.cookie,
        origin: forgery.origin ?? browser.origin,
      },
      body: forgery.body,
      from: browser.from,
    });
    const written = (await messagesOf(ctx, ctx.a, ROOM)).filter((m) => m === forgery.marker).length;
    report.refused(
      `POST /graphql as ${forgery.name} with the cookie, running sendMessage`,
      written === 0,
      `${answer.status} ${excerpt(answer.text, 90)}; messages written: ${written}`,
      'refused (a cookie from another origin, or a simple request without a custom header), nothing written',
    );
  }

  // The REST write calls read a form, or JSON whatever the declared type: a plain HTML form or a no-cors fetch.
  const restForgeries: { name: string; path: string; marker: string; contentType: string; body: string }[] = [
    {
      name: 'IMKit POST /rooms/{id}/message as an HTML form (urlencoded)',
      path: `/rooms/${ROOM}/message`,
      marker: 'csrf-imkit-form',
      contentType: 'application/x-www-form-urlencoded',
      body: 'message=csrf-imkit-form&messageType=text',
    },
    {
      name: 'Rocket.Chat POST /api/v1/chat.sendMessage as text/plain (a JSON body)',
      path: '/api/v1/chat.sendMessage',
      marker: 'csrf-rocketchat-text',
      contentType: 'text/plain',
      body: JSON.stringify({ message: { rid: ROOM, msg: 'csrf-rocketchat-text' } }),
    },
  ];
  for (const forgery of restForgeries) {
    const answer = await send(ctx.url, forgery.path, {
      method: 'POST',
      headers: { 'content-type': forgery.contentType, cookie: browser.cookie, origin: browser.origin },
      body: forgery.body,
      from: browser.from,
    });
    const written = (await messagesOf(ctx, ctx.a, ROOM)).filter((m) => m === forgery.marker).length;
    report.refused(
      `${forgery.name} with the cookie`,
      written === 0,
      `${answer.status} ${excerpt(answer.text, 90)}; messages written: ${written}`,
      'refused, nothing written',
    );
  }

  // Logout over GET: an <img src> on any page would end the session.
  const logout = await send(ctx.url, '/api/v1/logout', {
    headers: { cookie: browser.cookie, origin: browser.origin },
    from: browser.from,
  });
  const after = await send(ctx.url, '/api/v1/status', { headers: { cookie }, from: address(ATTACK, 1) });
  report.refused(
    'GET /api/v1/logout with the cookie (a cross-site <img>)',
    after.status === 200,
    `logout answered ${logout.status}; the session afterwards: ${after.status}`,
    'GET refused (405), the session still valid (200)',
  );
  return report;
}
