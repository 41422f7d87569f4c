import pg from 'pg';
import type { Ack, LoadRun } from './load.js';
import type { Verdict } from './report.js';
import type { World } from './world.js';

/*
 * What the database says after a scenario: is every acknowledged message there (with the
 * id the client was given), is any client message stored twice, and do the counters the
 * server keeps (a room's message_seq, last message and member_count; a member's read
 * position, hence their unread count) equal what the rows say.
 */

export interface WriteCheck {
  acknowledged: number;
  /** Acknowledged but not in the database, or stored under another id than the one acknowledged. */
  lost: number;
  /** clientMessageIds stored more than once (per sender). */
  duplicated: number;
}

export interface CounterCheck {
  /** Each invariant's number of offending rows; all 0 when the counters are right. */
  offending: Record<string, number>;
  total: number;
}

export async function withDatabase<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function checkWrites(
  url: string,
  appId: string,
  acks: Iterable<Ack>,
  label: string,
): Promise<WriteCheck> {
  const list = [...acks];
  return withDatabase(url, async (client) => {
    const { rows } = await client.query<{ id: string; client_message_id: string; sender_id: string }>(
      `select id, client_message_id, sender_id from messages where app_id = $1 and client_message_id = any($2::text[])`,
      [appId, list.map((a) => a.clientMessageId)],
    );
    const stored = new Map(rows.map((r) => [`${r.sender_id}\u0001${r.client_message_id}`, r.id]));
    const lost = list.filter(
      (a) => stored.get(`${a.userId}\u0001${a.clientMessageId}`) !== a.messageId,
    ).length;
    const dup = await client.query<{ n: number }>(
      `select count(*)::int as n from (
         select 1 from messages where app_id = $1 and client_message_id like $2
         group by sender_id, client_message_id having count(*) > 1) d`,
      [appId, `${label}%`],
    );
    return { acknowledged: list.length, lost, duplicated: dup.rows[0]?.n ?? 0 };
  });
}

/** Counts the rows breaking each counter invariant in the app. */
export async function checkCounters(url: string, appId: string): Promise<CounterCheck> {
  const checks: Record<string, string> = {
    // A room's sequence is its message count and its highest message seq (no gap, no repeat).
    messageSeq: `select count(*)::int as n from rooms r
      left join (select room_id, count(*) as c, max(seq) as m from messages where app_id = $1 group by room_id) x on x.room_id = r.id
      where r.app_id = $1 and (r.message_seq <> coalesce(x.c, 0) or r.message_seq <> coalesce(x.m, 0))`,
    // The last message is the one with the highest seq; last activity the latest message time (it never goes
    // back: a send that waited for the room's lock may carry an earlier time than the one before it).
    lastMessage: `select count(*)::int as n from rooms r
      left join messages m on m.app_id = r.app_id and m.room_id = r.id and m.seq = r.message_seq
      where r.app_id = $1 and (m.id is distinct from r.last_message_id or r.last_message_at is distinct from
        (select max(g.message_time) from messages g where g.app_id = r.app_id and g.room_id = r.id))`,
    memberCount: `select count(*)::int as n from rooms r
      left join (select room_id, count(*) as c from memberships where app_id = $1 and left_at is null group by room_id) x on x.room_id = r.id
      where r.app_id = $1 and r.member_count <> coalesce(x.c, 0)`,
    // unread = message_seq - read_seq: the read position lies within the room, on the message it names...
    readPosition: `select count(*)::int as n from memberships m
      join rooms r on r.app_id = m.app_id and r.id = m.room_id
      left join messages g on g.app_id = m.app_id and g.room_id = m.room_id and g.seq = m.read_seq
      where m.app_id = $1 and (m.read_seq < 0 or m.read_seq > r.message_seq or g.id is distinct from m.last_read_message_id)`,
    // ...never before the member's own last message (a send reads the room up to itself)...
    readOwnMessages: `select count(*)::int as n from memberships m
      join (select room_id, sender_id, max(seq) as s from messages where app_id = $1 group by room_id, sender_id) x
        on x.room_id = m.room_id and x.sender_id = m.user_id
      where m.app_id = $1 and m.read_seq < x.s`,
    // ...and the unread count it gives is the number of messages after it.
    unread: `select count(*)::int as n from memberships m
      join rooms r on r.app_id = m.app_id and r.id = m.room_id
      where m.app_id = $1 and m.left_at is null and r.message_seq - m.read_seq <>
        (select count(*) from messages g where g.app_id = m.app_id and g.room_id = m.room_id and g.seq > m.read_seq)`,
  };
  return withDatabase(url, async (client) => {
    const offending: Record<string, number> = {};
    for (const [name, query] of Object.entries(checks)) {
      offending[name] = (await client.query<{ n: number }>(query, [appId])).rows[0]?.n ?? 0;
    }
    return { offending, total: Object.values(offending).reduce((a, b) => a + b, 0) };
  });
}

export function describeCounters(check: CounterCheck): string {
  return check.total === 0
    ? 'counters = recomputed'
    : `counters off: ${Object.entries(check.offending)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ')}`;
}

/** Lost and duplicated writes and the counters, into the verdict. */
export async function verifyData(
  verdict: Verdict,
  databaseUrl: string,
  appId: string,
  acks: Iterable<Ack>,
  labelPrefix: string,
  conflicts: number,
): Promise<void> {
  const writes = await checkWrites(databaseUrl, appId, acks, labelPrefix);
  verdict.check(
    writes.lost === 0 && writes.duplicated === 0 && conflicts === 0,
    `writes acked ${writes.acknowledged}, lost ${writes.lost}, duplicated ${writes.duplicated}` +
      (conflicts > 0 ? `, ${conflicts} retries answered with another message` : ''),
  );
  const counters = await checkCounters(databaseUrl, appId);
  verdict.check(counters.total === 0, describeCounters(counters));
}

/** verifyData for a scenario whose only writes are its load's: what it acknowledged, against the world's database. */
export function verifyLoad(verdict: Verdict, world: World, load: LoadRun, label: string): Promise<void> {
  return verifyData(
    verdict,
    world.databaseUrl,
    world.appId,
    load.acks.values(),
    label,
    load.conflicts.length,
  );
}
