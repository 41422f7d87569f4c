import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { unreadSql } from './unread.js';

type Executor = Kysely<Database>;

/**
 * A user's unread messages across all their current rooms (live rooms only), in one
 * statement over the memberships_user_rooms index: the sum of unreadSql.
 */
export async function sumViewerUnread(db: Executor, appId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships as m')
    .innerJoin('rooms as r', (join) =>
      join.onRef('r.app_id', '=', 'm.app_id').onRef('r.id', '=', 'm.room_id'),
    )
    .select(sql<string | number>`coalesce(sum(${unreadSql}), 0)::int8`.as('badge'))
    .where('m.app_id', '=', appId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
    .where('r.deleted_at', 'is', null)
    .modifyEnd(sql`/* sumViewerUnread */`)
    .executeTakeFirstOrThrow();
  // int8 is a string from pg and a number from PGlite.
  return Number(row.badge);
}
