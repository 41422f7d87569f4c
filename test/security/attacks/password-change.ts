import { address, graphql, send } from '../http.js';
import { AttackReport } from '../report.js';
import {
  PASSWORD,
  asPlatform,
  createUser,
  issueToken,
  rocketchatLogin,
  rocketchatSession,
  virolaSession,
  type AuditContext,
} from '../world.js';

/*
 * 7. A password change ends the sessions the old password opened: a Rocket.Chat login
 * token and a Virola session from before updateUser(password:) must stop working. Client
 * tokens issued by the app's servers (issueClientToken) are the platform's to revoke:
 * reported, not judged.
 */

const ATTACK = 7;
const NEW_PASSWORD = 'audit-password-2';

export async function passwordChange(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Password change and old sessions');
  const user = 'pw-victim';
  await createUser(ctx, ctx.a, user);
  const from = address(ATTACK, 1);
  const rocketchat = await rocketchatSession(ctx, ctx.a, user, PASSWORD, from);
  const cookie = await virolaSession(ctx, ctx.a, user, from);
  const clientToken = await issueToken(ctx, ctx.a, user);

  const before = await send(ctx.url, '/api/v1/me', { headers: rocketchat, from });
  await asPlatform(
    ctx,
    ctx.a,
    `mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename ... on Error { code message } } }`,
    { i: { userId: user, password: NEW_PASSWORD } },
  );

  const me = await send(ctx.url, '/api/v1/me', { headers: rocketchat, from });
  report.refused(
    'the Rocket.Chat login token from before updateUser(password:)',
    me.status === 401,
    `GET /api/v1/me: ${before.status} before the change, ${me.status} after`,
    '401 after the change',
  );
  const status = await send(ctx.url, '/api/v1/status', { headers: { cookie }, from });
  report.refused(
    'the Virola session from before the change',
    status.status === 401,
    `GET /api/v1/status after the change: ${status.status}`,
    '401 after the change',
  );
  const login = await rocketchatLogin(ctx, ctx.a, user, NEW_PASSWORD, from);
  report.holds('a login with the new password', login.status === 200, `${login.status}`, '200');
  const viewer = await graphql(
    ctx.url,
    '{ viewer { userId } }',
    {},
    { authorization: `Bearer ${clientToken}` },
    from,
  );
  report.figure(
    `a client token issued with the API key before the change: ${viewer.codes.length === 0 ? 'still works' : `refused (${viewer.codes.join(',')})`} after it (the platform's choice)`,
  );
  return report;
}
