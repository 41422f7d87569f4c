import { parseArgs } from 'node:util';
import { build } from './chat-bff.js';
import { cleanupAll, installCleanupHandlers } from './cleanup.js';
import { positiveOption, runCommand } from './cli.js';
import type { Scenario, ScenarioContext } from './context.js';
import { startPrivatePostgres } from './postgres.js';
import { Verdict } from './report.js';
import { pgFreeze } from './scenarios/pg-freeze.js';
import { pgRestart } from './scenarios/pg-restart.js';
import { killResend } from './scenarios/kill-resend.js';
import { poolExhausted } from './scenarios/pool-exhausted.js';
import { redisFanout } from './scenarios/redis-fanout.js';
import { sigtermDrain } from './scenarios/sigterm-drain.js';

/*
 * `npm run chaos`: each fault scenario against chat-bff running as in production, on a
 * PostgreSQL (and Redis) of the harness's own, under load from clients that record every
 * acknowledged write. One PASS/FAIL line per scenario; the exit code is 1 if any failed.
 */

const SCENARIOS: Scenario[] = [pgRestart, pgFreeze, poolExhausted, redisFanout, killResend, sigtermDrain];

const USAGE = `npm run chaos -- [options]
  --quick              every scenario once, short phases (CI)
  --scenario NAME      only this scenario (repeatable, or comma-separated)
  --runs N             repetitions of pg-restart (default 10; 1 with --quick)
  --seed N             seed of the clients' operation sequences (default 1)
  --no-build           reuse the last build in .tmp/chaos-build

scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.checks}`).join('\n')}`;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const wanted = (values.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim());
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; one of ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const scenarios = wanted.length > 0 ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  const runs = positiveOption('--runs', values.runs ?? (values.quick ? '1' : '10'), true);
  const seed = positiveOption('--seed', values.seed, true);

  installCleanupHandlers();
  const started = performance.now();
  try {
    if (!values['no-build']) await build(log);
    log('postgres: initdb and start a private server');
    const postgres = await startPrivatePostgres();
    log(`postgres: listening on 127.0.0.1:${postgres.port}`);
    const ctx: ScenarioContext = { quick: values.quick, runs, seed, postgres, log };
    const verdicts: Verdict[] = [];
    for (const scenario of scenarios) {
      log(`\n${scenario.name}: ${scenario.checks}`);
      const scenarioStarted = performance.now();
      let verdict: Verdict;
      try {
        verdict = await scenario.run(ctx);
      } catch (error) {
        verdict = new Verdict(scenario.name);
        verdict.fail(
          `the scenario broke off: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        );
      }
      verdicts.push(verdict);
      process.stdout.write(`${verdict.line()}\n`);
      log(`  (${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s)`);
    }
    const failed = verdicts.filter((v) => !v.passed).length;
    process.stdout.write(
      `\nchaos: ${verdicts.length - failed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(0)} s, seed ${seed}${values.quick ? ', --quick' : ''})\n`,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await cleanupAll();
  }
}

runCommand('chaos', main);
