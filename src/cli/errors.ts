import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { isDomainError } from '../domain/errors.js';

/** A failure the command explains itself; `exitCode` 2 means the arguments were wrong. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}

/** Exit codes: 0 ok, 1 the command failed, 2 bad arguments or configuration. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return 2;
  if (isDomainError(error) && error.code === 'BAD_USER_INPUT') return 2;
  return 1;
}

/** One line, whatever the error: people read it, scripts match the exit code. */
export function describeError(error: unknown): string {
  if (error instanceof CommanderError) return error.message.replace(/^error: /, '');
  if (error instanceof DataDirLockedError || error instanceof ConfigError || isDomainError(error)) {
    return error.message;
  }
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
