import { graphql, send, type GraphQLAnswer } from '../http.js';
import { AttackReport } from '../report.js';
import { excerpt, type AuditContext } from '../world.js';

/*
 * 8. Authentication semantics: a request without credentials is told so (not that its
 * token is invalid), and GraphQL status codes follow GraphQL over HTTP per media type
 * (application/graphql-response+json: 2xx whenever data is present).
 */

const ATTACK = 8;

function describe(answer: GraphQLAnswer): string {
  const first = answer.body.errors?.[0]?.extensions;
  return `HTTP ${answer.status}, data ${JSON.stringify(answer.body.data)}, ${first?.code ?? 'no error'}${
    first?.reason ? `/${first.reason}` : ''
  }`;
}

export async function authSemantics(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Authentication semantics');
  const query = '{ viewer { id } }';
  const strict = await graphql(ctx.url, query, {}, { accept: 'application/graphql-response+json' });
  const dataPresent = strict.body.data !== undefined && strict.body.data !== null;
  report.holds(
    `${query} without credentials, Accept: application/graphql-response+json`,
    !dataPresent || (strict.status >= 200 && strict.status < 300),
    describe(strict),
    '2xx when data is present (GraphQL over HTTP)',
  );
  const legacy = await graphql(ctx.url, query, {}, { accept: 'application/json' });
  report.figure(`the same under Accept: application/json: ${describe(legacy)}`);

  const missing = await graphql(ctx.url, '{ room(id: "x") { id } }');
  const invalid = await graphql(
    ctx.url,
    '{ room(id: "x") { id } }',
    {},
    { authorization: 'Bearer forged-token' },
  );
  const reason = (a: GraphQLAnswer) => a.body.errors?.[0]?.extensions?.reason;
  report.holds(
    'GraphQL: no credentials vs a forged token',
    reason(missing) !== undefined && reason(missing) !== reason(invalid),
    `none: ${describe(missing)}; forged: ${describe(invalid)}`,
    'distinct reasons (log in vs refresh the token)',
  );

  for (const [dialect, path, headers] of [
    ['IMKit', '/rooms', { authorization: 'forged-token', 'im-client-key': 'ck_forged' }],
    ['Rocket.Chat', '/api/v1/me', { 'x-user-id': 'u', 'x-auth-token': 'forged-token' }],
    ['Virola', '/api/v1/status', { authorization: 'Bearer forged-token' }],
  ] as const) {
    const none = await send(ctx.url, path);
    const forged = await send(ctx.url, path, { headers });
    report.figure(
      `${dialect} GET ${path}: none ${none.status} ${excerpt(none.text, 90)}; forged ${forged.status} ${excerpt(forged.text, 90)}`,
    );
  }
  return report;
}
