import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, UserTable } from '../../db/schema.js';
import type { User } from './user.js';
import { anyText } from '../../db/sql-arrays.js';

type Executor = Kysely<Database>;

export const userColumns = [
  'app_id',
  'id',
  'num_id',
  'username',
  'nickname',
  'avatar_url',
  'description',
  'is_robot',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

export type UserRow = Pick<Selectable<UserTable>, (typeof userColumns)[number]>;

export function toUser(row: UserRow): User {
  return {
    appId: row.app_id,
    id: row.id,
    numId: row.num_id,
    username: row.username,
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    description: row.description,
    isRobot: row.is_robot,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertUser(db: Executor, row: Insertable<UserTable>): Promise<User> {
  return toUser(await db.insertInto('users').values(row).returning(userColumns).executeTakeFirstOrThrow());
}

export async function updateUserRow(
  db: Executor,
  appId: string,
  userId: string,
  changes: Updateable<UserTable>,
): Promise<User | undefined> {
  const row = await db
    .updateTable('users')
    .set(changes)
    .where('app_id', '=', appId)
    .where('id', '=', userId)
    .returning(userColumns)
    .executeTakeFirst();
  return row && toUser(row);
}

/** Batch read for the users loader: one statement for any number of ids. */
export async function findUsersByIds(db: Executor, appId: string, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select(userColumns)
    .where('app_id', '=', appId)
    .where('id', '=', anyText(ids))
    .execute();
  return rows.map(toUser);
}

/** A user and their password hash, found by username or by id (logins accept either). */
export async function findUserCredentials(
  db: Executor,
  appId: string,
  login: string,
): Promise<{ user: User; passwordHash: string | null } | undefined> {
  const row = await db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    .where('app_id', '=', appId)
    .where((eb) => eb.or([eb('username', '=', login), eb('id', '=', login)]))
    // A username match wins over another user whose id happens to equal it.
    .orderBy(sql`username = ${login}`, 'desc')
    .executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash };
}
