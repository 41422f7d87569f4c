import { parseArgs } from 'node:util';
import { cleanupAll, installCleanupHandlers } from '../chaos/cleanup.js';
import { runCommand } from '../chaos/cli.js';
import { authSemantics } from './attacks/auth-semantics.js';
import { PROXY_ADDRESS, bruteForce, trustedProxy } from './attacks/brute-force.js';
import { ALLOWED_ORIGIN, crossOrigin } from './attacks/cross-origin.js';
import { csrf } from './attacks/csrf.js';
import { passwordChange } from './attacks/password-change.js';
import { roomRoles } from './attacks/room-roles.js';
import { PURGE_WAIT_S, logCheck, purgeCheck, purgeSettings, smaller } from './attacks/smaller.js';
import { baseline, findSwitches, switchesOff } from './attacks/switches.js';
import { uploads } from './attacks/uploads.js';
import { writeLimits } from './attacks/write-limits.js';
import { address, send } from './http.js';
import { AttackReport, printReport, printSummary } from './report.js';
import { configNames, countDeadTokens, createApps, startServer, temporaryDataDir } from './server.js';
import type { AuditApp, AuditContext } from './world.js';

/*
 * npm run audit:security [-- --quick] [-- --json] [-- --only 1,5]
 *
 * Replays an attacker's moves (password and key guessing, floods, cross-site requests,
 * hostile uploads, room takeovers, tenant probing) against a real chat-bff (this working
 * tree's sources, on PGlite in a temporary directory, on a spare loopback port) and
 * prints, per attack, what it got and a verdict: REFUSED / OK as wanted, or HOLE. Exits
 * 1 when any attack got through (or could not be run), 2 when the audit itself crashed.
 *
 * Server 1 runs with CORS_ORIGINS=http://app.example and no trusted proxy; attacks 1-9
 * run on it, the ones that spend limits (2, 1) last, each with its own users and
 * loopback addresses. Server 2, on the same DATA_DIR, runs with the production switches
 * set (attack 10), a purge every second (attack 9 counts the dead tokens before and
 * after it) and a trusted proxy (attack 1: X-Forwarded-For through it). Setting names are read from src/config.ts; the children inherit none.
 * --quick repeats less (for CI); every loop is bounded in count and every wait in time.
 */

const ATTACKS: { number: number; run: (ctx: AuditContext) => Promise<AttackReport> }[] = [
  { number: 8, run: authSemantics },
  { number: 3, run: csrf },
  { number: 4, run: crossOrigin },
  { number: 5, run: uploads },
  { number: 6, run: roomRoles },
  { number: 7, run: passwordChange },
  { number: 9, run: smaller },
  { number: 2, run: writeLimits },
  { number: 1, run: bruteForce },
];

const TITLES: Record<number, string> = {
  1: 'Brute force',
  2: 'Write and subscription limits',
  3: 'Cross-site request forgery',
  4: 'Cross-origin',
  5: 'Stored XSS through room avatars',
  6: 'Room roles',
  7: 'Password change',
  8: 'Authentication semantics',
  9: 'Smaller items',
  10: 'Production switches',
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const started = performance.now();
  const only = values.only ? new Set(values.only.split(',').map(Number)) : undefined;
  const selected = (n: number) => !only || only.has(n);
  const progress = (line: string) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
  installCleanupHandlers();

  const dataDir = temporaryDataDir();
  const apps = await createApps(dataDir, ['AuditA', 'AuditB']);
  const [a, b] = apps.map((app): AuditApp => ({
    appId: app.appId,
    clientKey: app.clientKey,
    apiKey: app.apiKey,
  }));
  if (!a || !b) throw new Error('the apps were not created');
  progress('apps AuditA and AuditB created');

  const reports: AttackReport[] = [];
  const timed = async (number: number, work: () => Promise<AttackReport>) => {
    const at = performance.now();
    let report: AttackReport;
    try {
      report = await work();
    } catch (error) {
      report = new AttackReport(number, TITLES[number] ?? `Attack ${number}`);
      report.error('the attack could not run', error);
    }
    progress(`  ${number}. ${TITLES[number]}: ${((performance.now() - at) / 1000).toFixed(1)} s`);
    reports.push(report);
    return report;
  };

  const server = await startServer({ DATA_DIR: dataDir, CORS_ORIGINS: ALLOWED_ORIGIN });
  progress(`chat-bff (defaults, CORS_ORIGINS=${ALLOWED_ORIGIN}) at ${server.url}`);
  // Each attack plays its clients from addresses of its own in 127.0.0.0/8 (all loopback on Linux).
  const probe = await send(server.url, '/healthz', { from: address(1, 0) });
  if (probe.status === 0)
    throw new Error(
      `cannot send from ${address(1, 0)} (${probe.text}): the audit needs all of 127.0.0.0/8 on loopback, as Linux has`,
    );
  const ctx: AuditContext = { url: server.url, quick: values.quick, a, b, errorLines: server.errorLines };
  let switchesBaseline: AttackReport | undefined;
  try {
    if (selected(10)) {
      switchesBaseline = new AttackReport(10, TITLES[10] as string);
      await baseline(ctx, switchesBaseline).catch((error: unknown) =>
        switchesBaseline?.error('baseline', error),
      );
    }
    for (const attack of ATTACKS)
      if (selected(attack.number)) await timed(attack.number, () => attack.run(ctx));
    const small = reports.find((r) => r.number === 9);
    if (small) {
      await new Promise((resolve) => setTimeout(resolve, 500)); // the server logs closed connections
      logCheck(ctx, small);
    }
  } finally {
    await server.stop();
    progress('chat-bff stopped');
  }

  // Server 2: the production switches (attack 10), a purge every second (attack 9), a trusted proxy (attack 1).
  const small = reports.find((r) => r.number === 9);
  if (selected(10) || small || selected(1)) {
    const switches = findSwitches();
    const purge = purgeSettings();
    const deadBefore = small && purge ? await countDeadTokens(dataDir) : 0;
    const bruteForceReport = reports.find((r) => r.number === 1);
    const proxies = bruteForceReport && configNames().includes('TRUSTED_PROXIES');
    const env = {
      ...switches.env,
      ...(small && purge),
      ...(proxies && { TRUSTED_PROXIES: PROXY_ADDRESS }),
    };
    const second = await startServer({ DATA_DIR: dataDir, ...env });
    const secondStarted = performance.now();
    progress(`chat-bff (${Object.keys(env).join(', ') || 'no switches found'}) at ${second.url}`);
    try {
      if (selected(10)) {
        const report = await timed(10, () =>
          switchesOff({ ...ctx, url: second.url, errorLines: second.errorLines }, switches),
        );
        report.figures.unshift(...(switchesBaseline?.figures ?? []));
        report.checks.push(...(switchesBaseline?.checks ?? []));
      }
      if (bruteForceReport && proxies) {
        await trustedProxy({ ...ctx, url: second.url }, bruteForceReport).catch((error: unknown) =>
          bruteForceReport.error('trusted proxy', error),
        );
      }
      const wait = PURGE_WAIT_S * 1000 - (performance.now() - secondStarted);
      if (small && purge && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      await second.stop();
      progress('chat-bff stopped');
    }
    if (small) purgeCheck(small, purge, deadBefore, purge ? await countDeadTokens(dataDir) : 0);
  }
  await cleanupAll();

  reports.sort((x, y) => x.number - y.number);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (values.json) {
    out(JSON.stringify({ quick: values.quick, reports }, null, 2));
  } else {
    out(`chat-bff security audit${values.quick ? ' (--quick)' : ''}: ${new Date().toISOString()}`);
    out('');
    for (const report of reports) printReport(report, out);
    printSummary(reports, out);
    out(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return reports.some((r) => r.failed) ? 1 : 0;
}

runCommand('audit:security', main);
