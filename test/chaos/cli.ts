import { cleanupAll } from './cleanup.js';

/* What `npm run chaos` and `npm run soak` share as commands: option parsing and how they end. */

/** A positive number from an option (`integer`: a whole one), or an error naming the option. */
export function positiveOption(name: string, value: string, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, not "${value}"`);
  }
  return n;
}

/** Runs a command's main: exits with its code; on a crash prints it, undoes what it started, exits 2. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      void cleanupAll().finally(() => process.exit(2));
    },
  );
}
