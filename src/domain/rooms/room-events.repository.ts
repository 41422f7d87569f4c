import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Executor = Kysely<Database>;

/** Ids of the live rooms a user is a current member of (what their room list listens to). */
export async function selectMemberRoomIds(db: Executor, appId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('rooms as r', (join) =>
      join.onRef('r.app_id', '=', 'm.app_id').onRef('r.id', '=', 'm.room_id'),
    )
    .select('m.room_id')
    .where('m.app_id', '=', appId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
    .where('r.deleted_at', 'is', null)
    .execute();
  return rows.map((row) => row.room_id);
}
