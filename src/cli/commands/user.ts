import type { Command } from 'commander';
import { createUser } from '../../domain/users/user.service.js';
import type { UserInput } from '../../domain/users/user.js';
import { withDatabase } from '../database.js';
import { printJson } from '../output.js';

interface UserCreateOptions {
  app: string;
  username?: string;
  nickname?: string;
  password?: string;
  avatarUrl?: string;
  description?: string;
  robot?: boolean;
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage the users of an app');
  user
    .command('create')
    .description('create a user of an app; prints the user as JSON')
    .argument('<userId>', "the app's own id for the user, e.g. user-a")
    .requiredOption('--app <appId>', 'the app the user belongs to')
    .option('--username <username>', 'login name (default: the user id)')
    .option('--nickname <nickname>', 'display name (default: the username)')
    .option(
      '--password <password>',
      'password for the Rocket.Chat and Virola logins (stored as an argon2 hash)',
    )
    .option('--avatar-url <url>', 'avatar image URL')
    .option('--description <text>', 'profile text')
    .option('--robot', 'mark the user as a bot')
    .action(async (userId: string, options: UserCreateOptions) => {
      const input: UserInput = {
        ...(options.username !== undefined && { username: options.username }),
        ...(options.nickname !== undefined && { nickname: options.nickname }),
        ...(options.password !== undefined && { password: options.password }),
        ...(options.avatarUrl !== undefined && { avatarUrl: options.avatarUrl }),
        ...(options.description !== undefined && { description: options.description }),
        ...(options.robot !== undefined && { isRobot: options.robot }),
      };
      const created = await withDatabase((database) => createUser(database.db, options.app, userId, input));
      printJson({
        appId: created.appId,
        userId: created.id,
        numericId: created.numId,
        username: created.username,
        nickname: created.nickname,
        avatarUrl: created.avatarUrl,
        description: created.description,
        isRobot: created.isRobot,
        hasPassword: options.password !== undefined,
      });
    });
}
