import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../db/create-database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { ConflictError, InvalidInputError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { forgetCachedUser, revokePasswordTokens } from '../tokens/token.service.js';
import type { User, UserInput } from './user.js';
import { findUserCredentials, insertUser, updateUserRow } from './user.repository.js';
import { checkUserFields, INPUT_LIMITS } from '../input-limits.js';

const USER_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,${INPUT_LIMITS.userId.max - 1}}$`);

export function validateUserId(userId: string): void {
  if (!USER_ID.test(userId)) {
    throw new InvalidInputError(
      `Invalid user id "${userId}": use 1-${INPUT_LIMITS.userId.max} letters, digits, '.', '_', '@' or '-', starting with a letter or digit`,
      { field: 'userId' },
    );
  }
}

const MAX_USERNAME_LENGTH = INPUT_LIMITS.username.max;

/** A username is unique per app (a btree index, whose entries cannot exceed ~2.7 kB): 1-128 characters. */
function validateUsername(username: string): void {
  if (username.length === 0 || username.length > MAX_USERNAME_LENGTH) {
    throw new InvalidInputError(`A username must be 1 to ${MAX_USERNAME_LENGTH} characters long`, {
      field: 'username',
    });
  }
}

function validatePassword(password: string): void {
  const max = INPUT_LIMITS.password.max;
  if (password.length < 6 || password.length > max) {
    throw new InvalidInputError(`A password must be 6 to ${max} characters long`, { field: 'password' });
  }
}

/** Creates a user of an app; the username defaults to the id, the password is stored as an argon2 hash. */
export async function createUser(
  db: Db,
  appId: string,
  userId: string,
  input: UserInput = {},
): Promise<User> {
  validateUserId(userId);
  if (input.username !== undefined) validateUsername(input.username);
  if (input.password !== undefined) validatePassword(input.password);
  checkUserFields(input);
  try {
    return await insertUser(db, {
      app_id: appId,
      id: userId,
      username: input.username ?? userId,
      nickname: input.nickname ?? input.username ?? userId,
      avatar_url: input.avatarUrl ?? '',
      description: input.description ?? '',
      is_robot: input.isRobot ?? false,
      password_hash: input.password === undefined ? null : await hash(input.password),
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`User "${userId}" or username "${input.username ?? userId}" already exists`);
    }
    if (isForeignKeyViolation(error)) throw new NotFoundError(`App "${appId}" does not exist`);
    throw error;
  }
}

/**
 * Changes the given fields of a user; fields left out stay as they are. A new password
 * revokes the user's logins and sessions (PASSWORD_TOKEN_KINDS) in the same transaction,
 * and they stop working at once in this process (the token cache is emptied after the
 * commit; another process may accept one for up to TOKEN_CACHE_MS more).
 */
export async function updateUser(db: Db, appId: string, userId: string, input: UserInput): Promise<User> {
  if (input.username !== undefined) validateUsername(input.username);
  if (input.password !== undefined) validatePassword(input.password);
  checkUserFields(input);
  const changes = {
    ...(input.username !== undefined && { username: input.username }),
    ...(input.nickname !== undefined && { nickname: input.nickname }),
    ...(input.avatarUrl !== undefined && { avatar_url: input.avatarUrl }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.isRobot !== undefined && { is_robot: input.isRobot }),
    ...(input.password !== undefined && { password_hash: await hash(input.password) }),
    updated_at: new Date(),
  };
  try {
    const user = await db.transaction().execute(async (trx) => {
      const updated = await updateUserRow(trx, appId, userId, changes);
      if (!updated) throw new NotFoundError(`User "${userId}" does not exist`);
      if (input.password !== undefined) await revokePasswordTokens(trx, appId, userId, changes.updated_at);
      return updated;
    });
    forgetCachedUser(db, appId, userId);
    return user;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`Username "${input.username}" is taken`);
    throw error;
  }
}

/**
 * What a password check answers to (src/domain/apps/password-login.service.ts puts the
 * login throttle here). `account` names who is being guessed at, the same for every
 * spelling that reaches them: `user:<id>` when the login matches a user (by username or
 * id), else `name:<login>`.
 */
export interface PasswordGuard {
  /** Before any hashing: throws to refuse the attempt. */
  before(account: string): Promise<void>;
  failed(account: string): Promise<void>;
  succeeded(account: string): Promise<void>;
}

const UNGUARDED: PasswordGuard = {
  before: () => Promise.resolve(),
  failed: () => Promise.resolve(),
  succeeded: () => Promise.resolve(),
};

/**
 * Checks a username-or-id and password; records the login time. One message for every
 * failure, and one cost: a login that matches no user (or one without a password) is
 * checked against a stand-in hash, so the time it takes does not tell whether the user exists.
 */
export async function verifyPassword(
  db: Db,
  appId: string,
  login: string,
  password: string,
  guard: PasswordGuard = UNGUARDED,
): Promise<User> {
  const found = await findUserCredentials(db, appId, login);
  const account = found ? `user:${found.user.id}` : `name:${login}`;
  await guard.before(account);
  const stored = found?.passwordHash ?? undefined;
  const matches = await verify(stored ?? (await standInHash()), password);
  if (!found || stored === undefined || !matches) {
    await guard.failed(account);
    throw new UnauthenticatedError('Wrong username or password', { reason: 'INVALID_CREDENTIALS' });
  }
  await guard.succeeded(account);
  const now = new Date();
  await updateUserRow(db, appId, found.user.id, { last_login_at: now });
  forgetCachedUser(db, appId, found.user.id);
  return { ...found.user, lastLoginAt: now };
}

/** Costs what checking a password costs, and fails: for a login that fails before any user is looked up. */
export async function spendPasswordCheck(password: string): Promise<void> {
  await verify(await standInHash(), password);
}

let standIn: Promise<string> | undefined;

/** A hash of a random secret, made once (lazily) with the same parameters as users' hashes. */
function standInHash(): Promise<string> {
  standIn ??= hash(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    standIn = undefined;
    throw error;
  });
  return standIn;
}
