import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** schema.graphql at the repository root: the committed, printed GraphQL schema (also from dist/src/…). */
const SCHEMA_FILE = fileURLToPath(
  new URL(`${import.meta.url.includes('/dist/src/') ? '../' : ''}../../../schema.graphql`, import.meta.url),
);

/** Loaded on demand: building the schema is the slow part, and only these commands need it. */
async function printSchemaSDL(): Promise<string> {
  const module = await import('../../graphql/print-schema.js');
  return module.printSchemaSDL();
}

export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('the GraphQL schema (schema.graphql)');
  schema
    .command('print')
    .description('print the GraphQL schema (SDL, sorted) to stdout, or with --write into schema.graphql')
    .option('--write', 'write it to schema.graphql at the repository root instead')
    .action(async (options: { write?: boolean }) => {
      const sdl = await printSchemaSDL();
      if (options.write) {
        await writeFile(SCHEMA_FILE, sdl);
        process.stdout.write(`Wrote ${SCHEMA_FILE}\n`);
      } else {
        process.stdout.write(sdl);
      }
    });
  schema
    .command('check')
    .description('fail when schema.graphql differs from the schema the code builds')
    .action(async () => {
      const [committed, printed] = await Promise.all([
        readFile(SCHEMA_FILE, 'utf8').catch(() => ''),
        printSchemaSDL(),
      ]);
      if (committed !== printed) {
        throw new CliError('schema.graphql is stale: run `npm run schema:print` and commit the result');
      }
      process.stdout.write('schema.graphql is up to date.\n');
    });
}
