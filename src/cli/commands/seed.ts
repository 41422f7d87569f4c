import { InvalidArgumentError, Option, type Command } from 'commander';
import { sql } from 'kysely';
import type { Db } from '../../db/create-database.js';
import { generateDataset, type GenerateSummary } from '../../db/seed/generate.js';
import { generatedUserId, planDataset, type GenerateOptions } from '../../db/seed/generate-plan.js';
import { createApp } from '../../domain/apps/app.service.js';
import { createUser } from '../../domain/users/user.service.js';
import { withDatabase } from '../database.js';
import { UsageError } from '../errors.js';
import { printJson, printLines } from '../output.js';
import { parseCount, parsePositiveCount } from '../parse.js';
import { createProgressBar } from '../progress-bar.js';
import { formatDemoBanner } from '../demo-banner.js';
import { seedDemo } from '../demo-data.js';

/** Every generated user can log in (Rocket.Chat, Virola) with this password. */
export const GENERATED_PASSWORD = 'password';

interface GenerateCommandOptions {
  users: number;
  rooms: number;
  messages: number;
  seed: number;
  app: string;
  until?: string;
  json?: boolean;
}

export function registerSeedCommands(program: Command): void {
  const seed = program.command('seed').description('load example data');
  seed
    .command('demo')
    .description(
      'load the documented example data (app SampleApp); on an existing one, rotate its API key and issue fresh tokens',
    )
    .option(
      '--json',
      'print exactly one JSON object {appId, clientKey, apiKey, users: [{userId, token, password}]}',
    )
    .action(async (options: { json?: boolean }) => {
      const { demo, config } = await withDatabase(async (database, config) => ({
        demo: await seedDemo(database.db, config, { rotateApiKey: true, completeExisting: true }),
        config,
      }));
      if (options.json) {
        printJson({
          appId: demo.appId,
          clientKey: demo.clientKey,
          apiKey: demo.apiKey,
          users: demo.users.map(({ userId, token, password }) => ({ userId, token, password })),
        });
        return;
      }
      const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
      printLines(
        ...formatDemoBanner(demo, `http://${host}:${config.PORT}`, config),
        '',
        demo.created
          ? 'Start the server with `npm start` (or `chat-bff serve`) to use them.'
          : 'The API key was rotated: the previous one no longer works. Start the server with `npm start`.',
      );
    });
  seed
    .command('generate')
    .description(
      'generate a large, realistic data set in a new app (set-based SQL, deterministic per --seed)',
    )
    .addOption(
      new Option('--users <n>', 'number of users').argParser(parsePositiveCount).makeOptionMandatory(),
    )
    .addOption(new Option('--rooms <n>', 'number of rooms').argParser(parseCount).makeOptionMandatory())
    .addOption(new Option('--messages <n>', 'number of messages').argParser(parseCount).makeOptionMandatory())
    .addOption(
      new Option('--seed <n>', 'random seed: the same seed gives the same data')
        .argParser(parseSeed)
        .default(1),
    )
    .option('--app <appId>', 'the app to create and fill', 'LoadTest')
    .option(
      '--until <time>',
      'time of the newest message, ISO-8601 (default: now); fix it for identical runs',
    )
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: GenerateCommandOptions) => {
      const generateOptions = toGenerateOptions(options);
      const plan = planDataset(generateOptions);
      const bar = createProgressBar('seed generate');
      const started = performance.now();
      const result = await withDatabase(async (database) => {
        const outcome = await database.db.transaction().execute(async (trx) => {
          const credentials = await createApp(trx, { appId: options.app });
          await createUser(trx, options.app, generatedUserId(1, plan), {
            password: GENERATED_PASSWORD,
          });
          const summary = await generateDataset(trx, generateOptions, plan, (p) =>
            bar.update(p.stage, p.done, p.total),
          );
          return { credentials, summary };
        });
        bar.update('analyze', 1, 1);
        await analyze(database.db);
        bar.finish();
        const size = await sql<{ size: string }>`
          select pg_size_pretty(pg_database_size(current_database())) as size`.execute(database.db);
        return { ...outcome, databaseSize: size.rows[0]?.size ?? '?', location: database.location };
      });
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const report = {
        appId: result.credentials.appId,
        clientKey: result.credentials.clientKey,
        apiKey: result.credentials.apiKey,
        password: GENERATED_PASSWORD,
        seed: generateOptions.seed,
        until: generateOptions.until.toISOString(),
        seconds,
        databaseSize: result.databaseSize,
        ...result.summary,
      };
      if (options.json) printJson(report);
      else printSummary(report, result.location);
    });
}

function toGenerateOptions(options: GenerateCommandOptions): GenerateOptions {
  if (options.rooms === 0 && options.messages > 0)
    throw new UsageError('--messages needs at least one room (--rooms)');
  let until = new Date(Math.floor(Date.now() / 1000) * 1000);
  if (options.until !== undefined) {
    until = new Date(options.until);
    if (Number.isNaN(until.getTime()))
      throw new UsageError(`--until: "${options.until}" is not an ISO-8601 time`);
  }
  return {
    appId: options.app,
    users: options.users,
    rooms: options.rooms,
    messages: options.messages,
    seed: options.seed,
    until,
  };
}

function parseSeed(value: string): number {
  const seed = parseCount(value);
  if (seed > 2_147_483_647) throw new InvalidArgumentError('must be at most 2147483647');
  return seed;
}

async function analyze(db: Db): Promise<void> {
  // Fresh statistics, or the first queries plan as if the tables were empty.
  await sql`analyze users, rooms, memberships, user_room_prefs, messages`.execute(db);
}

function printSummary(
  report: GenerateSummary & {
    appId: string;
    clientKey: string;
    apiKey: string;
    password: string;
    seconds: number;
    databaseSize: string;
  },
  location: string,
): void {
  const room = (r: GenerateSummary['largestRoom']) =>
    r ? `${r.roomId} (${r.members} members, ${r.messages} messages)` : '-';
  const user = (u: GenerateSummary['heaviestUser']) => (u ? `${u.userId} (${u.rooms} rooms)` : '-');
  printLines(
    `Generated app ${report.appId} in ${location} in ${report.seconds}s (database size ${report.databaseSize}):`,
    `  users        ${report.users}`,
    `  rooms        ${report.rooms.total} (${report.rooms.big} big, ${report.rooms.direct} direct, ${report.rooms.group} group)`,
    `  memberships  ${report.memberships}`,
    `  messages     ${report.messages}`,
    `  prefs        ${report.prefs}`,
    `  rooms per user    p50 ${report.roomsPerUser.p50}, p90 ${report.roomsPerUser.p90}, max ${report.roomsPerUser.max}`,
    `  members per room  p50 ${report.membersPerRoom.p50}, p99 ${report.membersPerRoom.p99}, max ${report.membersPerRoom.max}`,
    `  largest room  ${room(report.largestRoom)}`,
    `  busiest room  ${room(report.busiestRoom)}`,
    `  heaviest user ${user(report.heaviestUser)}`,
    `  typical user  ${user(report.typicalUser)}`,
    '',
    `  client key ${report.clientKey}`,
    `  API key    ${report.apiKey}   (shown once; stored hashed)`,
    `  every user's password: ${report.password}; issue a token with`,
    `  chat-bff token issue --app ${report.appId} --user ${report.typicalUser?.userId ?? generatedUserId(1, { idWidth: 6 })}`,
  );
}
