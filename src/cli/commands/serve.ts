import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { exitOnSignals, logUnhandledRejections, startServer } from '../../main.js';
import { formatDemoBanner } from '../demo-banner.js';
import { DEMO_APP_ID, isEmptyDatabase, seedDemo, type DemoCredentials } from '../demo-data.js';
import { findAppById } from '../../domain/apps/app.repository.js';
import { printLines } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (GraphQL at /graphql, the REST dialects, /healthz, /readyz)')
    .option(
      '--demo',
      'on an empty database, load the demo data first; print the GraphiQL URL and demo credentials (what `npm start` runs)',
    )
    .action(async (options: { demo?: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      logUnhandledRejections(log);
      let demo: DemoCredentials | undefined;
      let demoNote: string | undefined;
      const server = await startServer({
        config,
        log,
        ...(options.demo && {
          prepare: async ({ db }) => {
            if (await isEmptyDatabase(db)) {
              demo = await seedDemo(db, config, { rotateApiKey: false, completeExisting: true });
            } else if (await findAppById(db, DEMO_APP_ID)) {
              // Restarted on the demo data: leave it as the person left it, but hand out fresh tokens.
              demo = await seedDemo(db, config, { rotateApiKey: false, completeExisting: false });
            } else {
              demoNote = `The database already holds other apps, so --demo added nothing; \`chat-bff seed demo\` adds ${DEMO_APP_ID}.`;
            }
          },
        }),
      });
      exitOnSignals(server, log);
      if (demo) printLines('', ...formatDemoBanner(demo, server.url, config), '');
      else printLines(`chat-bff is listening on ${server.url} (GraphiQL: ${server.url}/graphql)`);
      if (demoNote) printLines(demoNote);
    });
}
