import type pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/create-database.js';
import { issueToken } from '../src/domain/tokens/token.service.js';
import type { Dataset } from './dataset.js';

/*
 * Who and what the requests are about, read from the data set itself: heavy and typical
 * users, the busiest room and positions deep in and at the head of its history, random
 * (member, room) pairs, the 2- and 2,000-member rooms writes go to. Tokens are issued
 * through the domain's issueToken, exactly as `chat-bff token issue` does, for every
 * user that appears in a request.
 */

/** How many distinct users/rooms/positions each case cycles through. */
const SAMPLE = 200;

export interface Viewer {
  userId: string;
  token: string;
}

export interface Fixtures {
  appId: string;
  clientKey: string;
  /** The newest message time of the generated data (the data set's "now"). */
  until: Date;
  heavyUsers: Viewer[];
  typicalUsers: Viewer[];
  /** Typical users who tagged at least one room with `tag`. */
  taggedUsers: Viewer[];
  tag: string;
  busiestRoom: { roomId: string; messages: number };
  /** Members of the busiest room. */
  busiestRoomMembers: Viewer[];
  /** Sequence numbers to page back from: in the oldest tenth of the history, and among the newest 200. */
  deepSeqs: number[];
  headSeqs: number[];
  /** (member, group room) pairs, rooms of every size. */
  roomMembers: { viewer: Viewer; roomId: string }[];
  /** (member, room, a message id in it with at least 50 older ones) for IMKit beforeMessage. */
  messagePositions: { viewer: Viewer; roomId: string; messageId: string }[];
  /** Senders in direct rooms (2 members) and in the big rooms (2,000+ members), as many rooms of each. */
  smallRoomSenders: { viewer: Viewer; roomId: string }[];
  bigRoomSenders: { viewer: Viewer; roomId: string }[];
}

export async function loadFixtures(client: pg.Client, dataset: Dataset): Promise<Fixtures> {
  const appId = dataset.summary.appId;
  const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await client.query<R>(text, [appId, ...values])).rows;

  const [app] = await q<{ client_key: string }>('select client_key from apps where id = $1');
  if (!app) throw new Error(`the data set has no app ${appId}`);

  // Users by how many rooms they are in; "heavy" = the top 1% (1,000+ rooms at medium scale).
  const roomCounts = await q<{ user_id: string; rooms: number }>(
    `select user_id, count(*)::int as rooms from memberships
     where app_id = $1 and left_at is null group by user_id order by rooms desc, user_id`,
  );
  const heavyCount = Math.max(1, Math.ceil(roomCounts.length / 100));
  const heavyIds = roomCounts.slice(0, heavyCount).map((r) => r.user_id);
  const typicalIds = spread(
    roomCounts.filter((r) => r.rooms >= 20 && r.rooms <= 100).map((r) => r.user_id),
    SAMPLE,
  );

  const tag = 'work';
  const taggedIds = (
    await q<{ user_id: string }>(
      `select distinct p.user_id from user_room_prefs p
       where p.app_id = $1 and $2 = any(p.tags) and p.user_id = any($3) order by 1`,
      [tag, typicalIds],
    )
  ).map((r) => r.user_id);

  const busiest = dataset.summary.busiestRoom;
  if (!busiest) throw new Error('the data set has no rooms');
  const [room] = await q<{ message_seq: number }>(
    'select message_seq::int from rooms where app_id = $1 and id = $2',
    [busiest.roomId],
  );
  const maxSeq = room?.message_seq ?? 0;
  const busiestMemberIds = (
    await q<{ user_id: string }>(
      `select user_id from memberships where app_id = $1 and room_id = $2 and left_at is null
       order by md5(user_id) limit ${SAMPLE}`,
      [busiest.roomId],
    )
  ).map((r) => r.user_id);
  const deepSeqs = evenly(51, Math.max(52, Math.floor(maxSeq / 10)), SAMPLE);
  const headSeqs = evenly(Math.max(51, maxSeq - 200), maxSeq, SAMPLE);

  const roomMemberRows = await q<{ room_id: string; user_id: string }>(
    `select m.room_id, m.user_id from memberships m
     join rooms r on r.app_id = m.app_id and r.id = m.room_id
     where m.app_id = $1 and m.left_at is null and r.deleted_at is null and r.room_type = 'group'
     order by md5(m.room_id || m.user_id) limit ${SAMPLE * 2}`,
  );
  // Rooms with some history, a member of each, and a message with 50 or more before it.
  const positionRows = await q<{ room_id: string; user_id: string; message_id: string }>(
    `select r.id as room_id, mem.user_id, msg.id as message_id
     from (select id, message_seq from rooms where app_id = $1 and deleted_at is null and message_seq >= 100
           order by md5(id) limit ${SAMPLE}) r
     cross join lateral (select user_id from memberships where app_id = $1 and room_id = r.id and left_at is null
                         order by md5(user_id) limit 1) mem
     cross join lateral (select id from messages where app_id = $1 and room_id = r.id
                         and seq = 51 + (abs(hashtext(r.id)) % (r.message_seq - 50))) msg`,
  );
  const bigRooms = await q<{ id: string }>(
    `select id from rooms where app_id = $1 and deleted_at is null and member_count >= 2000
     and not read_only and not archived order by member_count desc, id limit 10`,
  );
  // Without 2,000-member rooms (the quick scale) the biggest rooms stand in for them.
  const bigRoomIds = bigRooms.length
    ? bigRooms.map((r) => r.id)
    : (
        await q<{ id: string }>(
          `select id from rooms where app_id = $1 and deleted_at is null and not read_only and not archived
           order by member_count desc, id limit 3`,
        )
      ).map((r) => r.id);
  const smallRoomIds = (
    await q<{ id: string }>(
      `select id from rooms where app_id = $1 and deleted_at is null and member_count = 2
       and not read_only and not archived order by md5(id) limit ${bigRoomIds.length}`,
    )
  ).map((r) => r.id);
  const sendersOf = async (roomIds: string[]) =>
    q<{ room_id: string; user_id: string }>(
      `select s.room_id, s.user_id from unnest($2::text[]) as r(id)
       cross join lateral (select room_id, user_id from memberships
         where app_id = $1 and room_id = r.id and left_at is null order by md5(user_id) limit 20) s`,
      [roomIds],
    );
  const [smallSenders, bigSenders] = [await sendersOf(smallRoomIds), await sendersOf(bigRoomIds)];

  // One token per user that appears anywhere above.
  const userIds = new Set([
    ...heavyIds,
    ...typicalIds,
    ...busiestMemberIds,
    ...roomMemberRows.map((r) => r.user_id),
    ...positionRows.map((r) => r.user_id),
    ...smallSenders.map((r) => r.user_id),
    ...bigSenders.map((r) => r.user_id),
  ]);
  const tokens = await issueTokens(dataset.url, appId, [...userIds]);
  const viewer = (userId: string): Viewer => ({ userId, token: tokens.get(userId) as string });

  return {
    appId,
    clientKey: app.client_key,
    until: new Date(dataset.summary.until),
    heavyUsers: heavyIds.map(viewer),
    typicalUsers: typicalIds.map(viewer),
    taggedUsers: taggedIds.map(viewer),
    tag,
    busiestRoom: { roomId: busiest.roomId, messages: maxSeq },
    busiestRoomMembers: busiestMemberIds.map(viewer),
    deepSeqs,
    headSeqs,
    roomMembers: roomMemberRows.map((r) => ({ viewer: viewer(r.user_id), roomId: r.room_id })),
    messagePositions: positionRows.map((r) => ({
      viewer: viewer(r.user_id),
      roomId: r.room_id,
      messageId: r.message_id,
    })),
    smallRoomSenders: smallSenders.map((r) => ({ viewer: viewer(r.user_id), roomId: r.room_id })),
    bigRoomSenders: bigSenders.map((r) => ({ viewer: viewer(r.user_id), roomId: r.room_id })),
  };
}

/** Client tokens through the domain service (hashed, with a lifetime), a few hours long. */
async function issueTokens(url: string, appId: string, userIds: string[]): Promise<Map<string, string>> {
  const database = await createDatabase(loadConfig({ DATABASE_URL: url, DB_POOL_MAX: '4' }));
  try {
    const tokens = new Map<string, string>();
    for (const userId of userIds) {
      const issued = await issueToken(database.db, { appId, userId, kind: 'client', ttlSeconds: 6 * 3600 });
      tokens.set(userId, issued.token);
    }
    return tokens;
  } finally {
    await database.close();
  }
}

/** `count` items spread evenly over the list (all of them when it is shorter). */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

/** `count` integers spread evenly over [from, to], in a shuffled but fixed order. */
function evenly(from: number, to: number, count: number): number[] {
  const values = Array.from({ length: count }, (_, i) => Math.round(from + ((to - from) * i) / (count - 1)));
  // A fixed permutation, so consecutive requests do not walk the index in order.
  return values.map((_, i) => values[(i * 73) % count] as number);
}
