import { startChatBff, type ChatBff } from './chat-bff.js';
import type { PrivatePostgres } from './postgres.js';
import type { Verdict } from './report.js';
import { issueTokens, seedDatabase, type World } from './world.js';

/** What every scenario gets: the options, the private PostgreSQL, a log for progress lines. */
export interface ScenarioContext {
  quick: boolean;
  /** Repetitions of the fault (scenario pg-restart; default 10, 1 with --quick). */
  runs: number;
  seed: number;
  postgres: PrivatePostgres;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** One line saying what the scenario does and checks, for --help and the docs. */
  checks: string;
  run(ctx: ScenarioContext): Promise<Verdict>;
}

/** The data set every scenario starts from: small, so seeding takes a second. */
export const SCENARIO_DATA = { users: 16, rooms: 40, messages: 800 };

/** A fresh database for the scenario, seeded, with one chat-bff on it and a token per user. */
export async function bootstrap(
  ctx: ScenarioContext,
  name: string,
  env: Record<string, string> = {},
): Promise<{ world: World; server: ChatBff; env: Record<string, string> }> {
  const seeded = await seedDatabase(ctx.postgres, `chaos_${name.replace(/\W/g, '_')}`, SCENARIO_DATA);
  const fullEnv = { DATABASE_URL: seeded.databaseUrl, ...env };
  const server = await startChatBff(fullEnv);
  const world = await issueTokens(server.url, seeded);
  return { world, server, env: fullEnv };
}

/** "exited (code 1): Error: Connection terminated unexpectedly": why a process is gone. */
export async function deathNote(server: ChatBff): Promise<string> {
  const { code, signal } = await server.exited;
  // The error's own line, not a stack frame: "Error: Connection terminated unexpectedly".
  const lines = server.tail().split('\n');
  const line = lines.find((l) => /(Error|Unhandled)\b/.test(l) && !/^\s+at /.test(l)) ?? lines[0];
  return `chat-bff exited (${signal ?? `code ${code}`}): ${(line ?? '').slice(0, 200)}`;
}
