import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/create-database.js';
import { generateDataset, type GenerateSummary } from '../../src/db/seed/generate.js';
import { generatedUserId, planDataset, type GenerateOptions } from '../../src/db/seed/generate-plan.js';
import { createApp } from '../../src/domain/apps/app.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, uniqueId, type TestDatabase } from '../support/database.js';

/*
 * `seed generate`'s SQL: every row consistent with every other (counters, last messages,
 * read positions, senders, foreign keys), skewed as planned, and the same for the same
 * seed. The CLI around it is tested in test/cli.
 */

const UNTIL = new Date('2026-06-01T12:00:00.000Z');

async function generate(
  db: Db,
  options: Omit<GenerateOptions, 'appId' | 'until'>,
): Promise<{ appId: string; summary: GenerateSummary }> {
  const appId = uniqueId('gen');
  const full = { ...options, appId, until: UNTIL };
  const plan = planDataset(full);
  const summary = await db.transaction().execute(async (trx) => {
    await createApp(trx, { appId });
    await createUser(trx, appId, generatedUserId(1, plan), { password: 'password' });
    return generateDataset(trx, full, plan);
  });
  return { appId, summary };
}

/** Each check counts the rows that break one rule; all must be 0. */
async function inconsistencies(db: Db, appId: string): Promise<Record<string, number>> {
  const checks: Record<string, ReturnType<typeof sql<{ n: number }>>> = {
    roomSeqVsMessages: sql`select count(*)::int as n from rooms r
      left join (select room_id, count(*) as c, max(seq) as m from messages where app_id = ${appId} group by room_id) x
        on x.room_id = r.id
      where r.app_id = ${appId} and (r.message_seq <> coalesce(x.c, 0) or r.message_seq <> coalesce(x.m, 0))`,
    roomLastMessage: sql`select count(*)::int as n from rooms r
      left join messages m on m.app_id = r.app_id and m.room_id = r.id and m.seq = r.message_seq
      where r.app_id = ${appId} and r.message_seq > 0
        and (m.id is distinct from r.last_message_id or m.created_at is distinct from r.last_message_at)`,
    roomWithoutMessagesHasLast: sql`select count(*)::int as n from rooms
      where app_id = ${appId} and message_seq = 0 and (last_message_id is not null or last_message_at is not null)`,
    roomUpdatedBeforeActivity: sql`select count(*)::int as n from rooms
      where app_id = ${appId} and updated_at < coalesce(last_message_at, created_at)`,
    memberCount: sql`select count(*)::int as n from rooms r
      left join (select room_id, count(*) as c from memberships where app_id = ${appId} and left_at is null group by room_id) x
        on x.room_id = r.id
      where r.app_id = ${appId} and r.member_count <> coalesce(x.c, 0)`,
    readBeyondRoom: sql`select count(*)::int as n from memberships m
      join rooms r on r.app_id = m.app_id and r.id = m.room_id
      where m.app_id = ${appId} and (m.read_seq > r.message_seq or m.read_seq < 0)`,
    readBehindOwnMessage: sql`select count(*)::int as n from memberships m
      join (select room_id, sender_id, max(seq) as s from messages where app_id = ${appId} group by room_id, sender_id) x
        on x.room_id = m.room_id and x.sender_id = m.user_id
      where m.app_id = ${appId} and m.read_seq < x.s`,
    lastReadMessage: sql`select count(*)::int as n from memberships m
      left join messages g on g.app_id = m.app_id and g.room_id = m.room_id and g.seq = m.read_seq
      where m.app_id = ${appId} and g.id is distinct from m.last_read_message_id`,
    senderNotMemberBefore: sql`select count(*)::int as n from messages g
      left join memberships m on m.app_id = g.app_id and m.room_id = g.room_id and m.user_id = g.sender_id
      where g.app_id = ${appId} and (m.user_id is null or m.joined_at > g.created_at)`,
    senderNotUser: sql`select count(*)::int as n from messages g
      left join users u on u.app_id = g.app_id and u.id = g.sender_id
      where g.app_id = ${appId} and u.id is null`,
    prefWithoutMembership: sql`select count(*)::int as n from user_room_prefs p
      left join memberships m on m.app_id = p.app_id and m.room_id = p.room_id and m.user_id = p.user_id
      where p.app_id = ${appId} and m.user_id is null`,
    tagColorsNotTags: sql`select count(*)::int as n from user_room_prefs
      where app_id = ${appId} and (select coalesce(array_agg(k order by k), '{}') from jsonb_object_keys(tag_colors) k)
        <> (select coalesce(array_agg(t order by t), '{}') from unnest(tags) t)`,
    messageIdShape: sql`select count(*)::int as n from messages
      where app_id = ${appId} and (id !~ '^[0-9a-f]{24}$'
        or ('x' || substr(id, 1, 8))::bit(32)::bigint <> floor(extract(epoch from created_at))::bigint)`,
    timeGoesBackInRoom: sql`select count(*)::int as n from messages a
      join messages b on b.app_id = a.app_id and b.room_id = a.room_id and b.seq = a.seq + 1
      where a.app_id = ${appId} and a.created_at > b.created_at`,
    updatedBeforeCreated: sql`select count(*)::int as n from messages
      where app_id = ${appId} and (updated_at < created_at or message_time <> created_at or created_at > ${UNTIL.toISOString()}::timestamptz)`,
    directRoomShape: sql`select count(*)::int as n from rooms r
      where r.app_id = ${appId} and r.room_type = 'direct' and (r.member_count <> 2 or r.direct_key is distinct from (
        select string_agg(user_id, '|' order by user_id) from memberships m where m.app_id = r.app_id and m.room_id = r.id))`,
    ownerPerRoom: sql`select count(*)::int as n from rooms r
      where r.app_id = ${appId} and (select count(*) from memberships m
        where m.app_id = r.app_id and m.room_id = r.id and m.role = 'owner' and m.user_id = r.created_by) <> 1`,
  };
  const result: Record<string, number> = {};
  for (const [name, query] of Object.entries(checks))
    result[name] = Number((await query.execute(db)).rows[0]?.n);
  return result;
}

/** A digest of everything but the app id, generated keys and identity numbers. */
async function fingerprint(db: Db, appId: string): Promise<string> {
  const { rows } = await sql<{ digest: string }>`select md5(
      (select string_agg(concat_ws(',', id, username, nickname, avatar_url, description, is_robot, last_login_at, created_at), ';' order by id) from users where app_id = ${appId})
      || (select string_agg(concat_ws(',', id, name, cover, description, room_type, visibility, direct_key, room_tags::text, created_by, member_count, message_seq, last_message_id, last_message_at, created_at, updated_at), ';' order by id) from rooms where app_id = ${appId})
      || (select string_agg(concat_ws(',', room_id, user_id, role, joined_at, read_seq, last_read_message_id, updated_at), ';' order by room_id, user_id) from memberships where app_id = ${appId})
      || (select string_agg(concat_ws(',', id, room_id, sender_id, seq, body::text, message_type, created_at, updated_at, is_deleted), ';' order by id) from messages where app_id = ${appId})
      || (select string_agg(concat_ws(',', room_id, user_id, tags::text, tag_colors::text, hidden, sticky, muted, folder), ';' order by room_id, user_id) from user_room_prefs where app_id = ${appId})
    ) as digest`.execute(db);
  return rows[0]?.digest ?? '';
}

describe('planDataset', () => {
  it('skews like real chat at the documented scale', () => {
    const plan = planDataset({
      appId: 'a',
      users: 1000,
      rooms: 10000,
      messages: 1_000_000,
      seed: 1,
      until: UNTIL,
    });
    expect(plan).toMatchObject({
      bigRooms: 5,
      directRooms: 4000,
      groupRooms: 5995,
      heavyUsers: 10,
      idWidth: 6,
    });
    expect(plan.meanGroupSize).toBeGreaterThanOrEqual(3);
    // The busiest room's Zipf share of a million messages is over 100k.
    expect(1_000_000 / plan.harmonic).toBeGreaterThan(100_000);
  });

  it('copes with tiny data sets', () => {
    expect(planDataset({ appId: 'a', users: 1, rooms: 1, messages: 5, seed: 1, until: UNTIL })).toMatchObject(
      {
        bigRooms: 0,
        directRooms: 0,
        groupRooms: 1,
        heavyUsers: 0,
      },
    );
    expect(
      planDataset({ appId: 'a', users: 3, rooms: 10, messages: 0, seed: 1, until: UNTIL }),
    ).toMatchObject({
      bigRooms: 1,
      directRooms: 3, // all the distinct pairs of three users
      groupRooms: 6,
    });
  });
});

describe('generateDataset', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('writes consistent rows with the planned skew', async () => {
    const { appId, summary } = await generate(database.db, {
      users: 200,
      rooms: 800,
      messages: 8000,
      seed: 42,
    });
    const problems = await inconsistencies(database.db, appId);
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((name) => [name, 0])));
    const counts = await sql<{
      users: number;
      rooms: number;
      messages: number;
      memberships: number;
      prefs: number;
    }>`
      select (select count(*) from users where app_id = ${appId})::int as users,
             (select count(*) from rooms where app_id = ${appId})::int as rooms,
             (select count(*) from messages where app_id = ${appId})::int as messages,
             (select count(*) from memberships where app_id = ${appId})::int as memberships,
             (select count(*) from user_room_prefs where app_id = ${appId})::int as prefs`.execute(
      database.db,
    );
    expect(counts.rows[0]).toEqual({
      users: 200,
      rooms: 800,
      messages: 8000,
      memberships: summary.memberships,
      prefs: summary.prefs,
    });
    expect(summary.rooms).toEqual({ total: 800, big: 1, direct: 320, group: 479 });
    // Most users in dozens of rooms, heavy users in many more; the big room holds everyone.
    expect(summary.roomsPerUser.p50).toBeGreaterThanOrEqual(20);
    expect(summary.roomsPerUser.p50).toBeLessThanOrEqual(100);
    expect(summary.heaviestUser?.rooms).toBeGreaterThan(5 * summary.roomsPerUser.p50);
    expect(summary.largestRoom).toMatchObject({ roomId: 'room-000001', members: 200 });
    expect(summary.busiestRoom?.roomId).toBe('room-000001');
    expect(summary.busiestRoom?.messages).toBeGreaterThan(8000 / 10);
    expect(summary.membersPerRoom.p50).toBeLessThanOrEqual(10);
    // Some members are behind: unread counts exist, and so do rooms read to the end.
    const unread = await sql<{ behind: number; current: number }>`
      select count(*) filter (where r.message_seq > m.read_seq)::int as behind,
             count(*) filter (where r.message_seq = m.read_seq)::int as current
      from memberships m join rooms r on r.app_id = m.app_id and r.id = m.room_id
      where m.app_id = ${appId}`.execute(database.db);
    expect(unread.rows[0]?.behind).toBeGreaterThan(summary.memberships / 5);
    expect(unread.rows[0]?.current).toBeGreaterThan(summary.memberships / 5);
  });

  it('gives the same rows for the same seed, and others for another seed', async () => {
    const options = { users: 60, rooms: 200, messages: 3000 };
    const a = await generate(database.db, { ...options, seed: 7 });
    const b = await generate(database.db, { ...options, seed: 7 });
    const c = await generate(database.db, { ...options, seed: 8 });
    const [fa, fb, fc] = await Promise.all([
      fingerprint(database.db, a.appId),
      fingerprint(database.db, b.appId),
      fingerprint(database.db, c.appId),
    ]);
    expect(fa).toBe(fb);
    expect(fa).not.toBe(fc);
    expect(a.summary).toEqual(b.summary);
  });

  it('handles the smallest data sets', async () => {
    for (const options of [
      { users: 1, rooms: 1, messages: 5, seed: 1 },
      { users: 2, rooms: 3, messages: 0, seed: 1 },
      { users: 1, rooms: 0, messages: 0, seed: 1 },
    ]) {
      const { appId } = await generate(database.db, options);
      const problems = await inconsistencies(database.db, appId);
      expect(
        Object.values(problems).every((n) => n === 0),
        JSON.stringify({ options, problems }),
      ).toBe(true);
    }
  });
});
