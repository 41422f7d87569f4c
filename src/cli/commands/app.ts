import type { Command } from 'commander';
import { createApp } from '../../domain/apps/app.service.js';
import { withDatabase } from '../database.js';
import { printJson } from '../output.js';

export function registerAppCommands(program: Command): void {
  const app = program.command('app').description('manage apps (tenants)');
  app
    .command('create')
    .description('create an app; prints {appId, clientKey, apiKey} (the API key is shown only this once)')
    .argument('<appId>', 'the app id, e.g. SampleApp')
    .option('--name <name>', 'a display name (default: the app id)')
    .action(async (appId: string, options: { name?: string }) => {
      const created = await withDatabase((database) =>
        createApp(database.db, { appId, ...(options.name !== undefined && { name: options.name }) }),
      );
      printJson({ appId: created.appId, clientKey: created.clientKey, apiKey: created.apiKey });
    });
}
