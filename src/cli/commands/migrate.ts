import type { Command } from 'commander';
import { migrateToLatest } from '../../db/migrate.js';
import { withDatabase } from '../database.js';
import { printLines } from '../output.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (runs every pending migration)')
    .action(async () => {
      await withDatabase(
        async (database) => {
          const applied = await migrateToLatest(database.db);
          if (applied.length === 0) {
            printLines(`Database ${database.location} is up to date; no migration to run.`);
          } else {
            printLines(`Migrated ${database.location}:`, ...applied.map((name) => `  applied ${name}`));
          }
        },
        { migrate: false },
      );
    });
}
