import { graphql, header, send } from '../http.js';
import { AttackReport } from '../report.js';
import { configNames } from '../server.js';
import { excerpt, type AuditContext } from '../world.js';

/*
 * 10. Production switches. The settings' names are read from src/config.ts (the one
 * place they are declared), so the audit follows a rename: the introspection, field
 * suggestion and GraphiQL switches, and the /metrics token. `baseline` records what a
 * server with the defaults answers; `switchesOff` what one with every switch set does.
 */

export const METRICS_SECRET = 'audit-metrics-token-0123456789';

export interface Switches {
  /** The environment that turns everything off, and the names it used. */
  env: Record<string, string>;
  missing: string[];
}

/** Finds the switches in src/config.ts: a name with INTROSPECTION, SUGGESTION, GRAPHIQL, or METRICS and TOKEN. */
export function findSwitches(): Switches {
  const names = configNames();
  const env: Record<string, string> = {};
  const missing: string[] = [];
  const off = (name: string) => (/DISABLE|HIDE|NO_/.test(name) ? 'true' : 'false');
  for (const [label, pattern] of [
    ['introspection', /INTROSPECTION/],
    ['suggestions', /SUGGEST/],
    ['GraphiQL', /GRAPHIQL/],
  ] as const) {
    const name = names.find((n) => pattern.test(n));
    if (name) env[name] = off(name);
    else missing.push(label);
  }
  const metrics = names.find((n) => /METRICS/.test(n) && /TOKEN/.test(n));
  if (metrics) env[metrics] = METRICS_SECRET;
  else missing.push('metrics token');
  return { env, missing };
}

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPO = '{ viewr { id } }';

async function probe(ctx: AuditContext) {
  const auth = { 'im-api-key': ctx.a.apiKey };
  const introspection = await graphql(ctx.url, INTROSPECTION, {}, auth);
  const type = await graphql(ctx.url, '{ __type(name: "Room") { name } }', {}, auth);
  const typo = await graphql(ctx.url, TYPO, {}, auth);
  const graphiql = await send(ctx.url, '/graphql', { headers: { accept: 'text/html' } });
  const metrics = await send(ctx.url, '/metrics');
  return {
    introspected: (introspection.body.data as { __schema?: unknown } | undefined)?.__schema != null,
    introspection: `${introspection.status} ${introspection.codes.join(',') || 'answered'}`,
    typed: (type.body.data as { __type?: unknown } | undefined)?.__type != null,
    suggestion: typo.body.errors?.[0]?.message ?? '',
    graphiql: /text\/html/.test(header(graphiql, 'content-type') ?? '') && /graphiql/i.test(graphiql.text),
    graphiqlText: `${graphiql.status} ${header(graphiql, 'content-type') ?? '-'}`,
    metrics,
  };
}

export async function baseline(ctx: AuditContext, report: AttackReport): Promise<void> {
  const seen = await probe(ctx);
  report.figure(
    `defaults: introspection ${seen.introspected ? 'answered' : 'refused'}, "${excerpt(seen.suggestion, 60)}", GraphiQL ${
      seen.graphiql ? 'served' : 'not served'
    }, GET /metrics ${seen.metrics.status}`,
  );
}

export async function switchesOff(ctx: AuditContext, switches: Switches): Promise<AttackReport> {
  const report = new AttackReport(
    10,
    `Production switches (${
      Object.entries(switches.env)
        .map(([k, v]) => `${k}=${k.includes('TOKEN') ? '…' : v}`)
        .join(' ') || 'none found in src/config.ts'
    })`,
  );
  for (const label of switches.missing)
    report.refused(`a setting for ${label}`, false, 'none in src/config.ts', 'a switch');
  const seen = await probe(ctx);
  report.refused(
    'introspection (__schema, __type) with the API key',
    !seen.introspected && !seen.typed,
    `__schema: ${seen.introspection}; __type: ${seen.typed ? 'answered' : 'refused'}`,
    'refused',
  );
  report.refused(
    `field suggestions: ${TYPO}`,
    !/did you mean/i.test(seen.suggestion),
    excerpt(seen.suggestion, 90),
    'no "Did you mean"',
  );
  report.refused(
    'GraphiQL: GET /graphql, Accept: text/html',
    !seen.graphiql,
    seen.graphiqlText,
    'no GraphiQL page',
  );
  const withToken = await send(ctx.url, '/metrics', {
    headers: { authorization: `Bearer ${METRICS_SECRET}` },
  });
  const wrong = await send(ctx.url, '/metrics', { headers: { authorization: 'Bearer wrong-token' } });
  report.refused(
    'GET /metrics without the token, and with a wrong one',
    seen.metrics.status >= 400 && wrong.status >= 400,
    `${seen.metrics.status}, ${wrong.status}`,
    '401/403/404',
  );
  report.holds(
    'GET /metrics with Authorization: Bearer <METRICS token>',
    withToken.status === 200,
    `${withToken.status}`,
    '200',
  );
  return report;
}
