import { Option, type Command } from 'commander';
import { issueToken } from '../../domain/tokens/token.service.js';
import { purgeDeadTokens } from '../../domain/tokens/token-purge.service.js';
import { withDatabase } from '../database.js';
import { printJson } from '../output.js';
import { parseCount, parseTtl } from '../parse.js';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('issue client tokens, purge dead ones');
  token
    .command('issue')
    .description('issue a client token for a user; prints {token, expiresAt}')
    .requiredOption('--app <appId>', 'the app')
    .requiredOption('--user <userId>', 'the user the token authenticates')
    .addOption(
      new Option(
        '--ttl <duration>',
        'lifetime: seconds, or like 12h / 30d, or "never" (default: TOKEN_TTL_SECONDS)',
      ).argParser(parseTtl),
    )
    .action(async (options: { app: string; user: string; ttl?: number | 'never' }) => {
      const issued = await withDatabase((database, config) =>
        issueToken(database.db, {
          appId: options.app,
          userId: options.user,
          kind: 'client',
          ttlSeconds: options.ttl === 'never' ? null : (options.ttl ?? config.TOKEN_TTL_SECONDS),
        }),
      );
      printJson({ token: issued.token, expiresAt: issued.expiresAt?.toISOString() ?? null });
    });
  token
    .command('purge')
    .description(
      'delete tokens revoked or expired more than the grace ago, in batches, until none is left; prints {deleted}',
    )
    .addOption(
      new Option(
        '--grace-seconds <seconds>',
        'keep tokens dead for less than this (default: TOKEN_PURGE_GRACE_SECONDS)',
      ).argParser(parseCount),
    )
    .action(async (options: { graceSeconds?: number }) => {
      const deleted = await withDatabase((database, config) =>
        purgeDeadTokens(database.db, {
          graceSeconds: options.graceSeconds ?? config.TOKEN_PURGE_GRACE_SECONDS,
        }),
      );
      printJson({ deleted });
    });
}
