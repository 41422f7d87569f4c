import { Command, CommanderError } from 'commander';
import { registerAppCommands } from './commands/app.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerSchemaCommands } from './commands/schema.js';
import { registerSeedCommands } from './commands/seed.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';
import { describeError, exitCodeOf, oneLine } from './errors.js';

/*
 * `chat-bff <command>`. Configuration comes from the environment, exactly as for the
 * server (src/config.ts). Failures print one line on stderr; the exit code is 2 for bad
 * arguments or configuration and 1 for anything else.
 */

function buildProgram(): Command {
  const program = new Command('chat-bff')
    .description(
      'A GraphQL backend-for-frontend for chat apps, with IMKit, Rocket.Chat and Virola REST compatibility',
    )
    .exitOverride()
    // Errors are printed once, in runCommand's one-line form; help still goes to stdout.
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false);
  registerMigrateCommand(program);
  registerServeCommand(program);
  registerAppCommands(program);
  registerUserCommands(program);
  registerTokenCommands(program);
  registerSeedCommands(program);
  registerSchemaCommands(program);
  return program;
}

/**
 * Runs one command line (the arguments after `chat-bff`) and returns its exit code. It
 * never exits the process itself, so a test can run a command in-process; `serve` returns
 * once listening and keeps running.
 */
export async function runCommand(args: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    const code = exitCodeOf(error);
    // commander.help: the help text (asked for, or shown for a missing command) is already out.
    const alreadyShown = error instanceof CommanderError && error.code === 'commander.help';
    if (code !== 0 && !alreadyShown) {
      process.stderr.write(`chat-bff: ${oneLine(describeError(error))}\n`);
      if (process.env.CHAT_BFF_DEBUG && error instanceof Error && error.stack)
        process.stderr.write(`${error.stack}\n`);
    }
    return code;
  }
}
