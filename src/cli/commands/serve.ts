import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { exitOnSignals, startServer } from '../../main.js';
import { printLines } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (GraphQL at /graphql, the REST dialects, /healthz, /readyz)')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      const server = await startServer({ config, log });
      exitOnSignals(server, log);
      printLines(`chat-bff is listening on ${server.url} (GraphiQL: ${server.url}/graphql)`);
    });
}
