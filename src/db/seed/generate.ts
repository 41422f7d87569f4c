import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { generatedUserId, type GenerateOptions, type GeneratePlan } from './generate-plan.js';

/*
 * Writes a large, realistic data set with set-based SQL (INSERT ... SELECT over
 * generate_series), never one statement per row. Every "random" choice is
 * hashint8extended(key, seed): a pure function of the row and the seed, so the result
 * does not depend on evaluation order, plan or driver, and one seed gives the same rows.
 * The plan (how many rooms of each kind, message counts per room, times) lives in temp
 * tables; the real tables are then filled consistently with it: a room's message_seq,
 * last message and member_count match its rows, memberships' read positions lie at or
 * below the room's sequence (and at or after the member's own last message).
 *
 * Call it inside a transaction whose app and first user (generatedUserId(1), with the
 * password every generated user shares) already exist.
 */

export interface GenerateProgress {
  stage: string;
  /** Rows written so far, over all stages. */
  done: number;
  total: number;
}

export interface GenerateSummary {
  users: number;
  rooms: { total: number; big: number; direct: number; group: number };
  memberships: number;
  messages: number;
  prefs: number;
  roomsPerUser: { p50: number; p90: number; max: number };
  membersPerRoom: { p50: number; p99: number; max: number };
  /** Rooms and users worth pointing a benchmark at. */
  largestRoom: { roomId: string; members: number; messages: number } | null;
  busiestRoom: { roomId: string; members: number; messages: number } | null;
  heaviestUser: { userId: string; rooms: number } | null;
  typicalUser: { userId: string; rooms: number } | null;
}

type Executor = Kysely<Database>;

const MESSAGE_BATCH = 100_000;
const DAY_MS = 24 * 3600 * 1000;

const SENTENCES = [
  'Hello!',
  'Good morning everyone',
  'Can you take a look at this?',
  'Sure, give me a minute',
  'Thanks!',
  'Meeting moved to 3pm',
  'I will be a bit late today',
  'Has anyone seen the latest build?',
  'LGTM',
  'Let me check and get back to you',
  'Lunch?',
  'The deploy finished without errors',
  'Can we talk about the roadmap tomorrow?',
  'Sounds good to me',
  'Here is the document we discussed',
  'Who is on call this weekend?',
  'I pushed a fix, please review',
  'Happy Friday!',
  'Which room is the workshop in?',
  'See you there',
  '好的，明天見',
  '請問這個問題解決了嗎？',
  '謝謝大家',
  '午餐要吃什麼？',
  'おはようございます',
  '了解しました',
  'Nice work on the release',
  'Can someone share the slides?',
  'Reminder: standup in 5 minutes',
  'I have a question about the API',
  'The tests are green again',
  'Where can I find the design files?',
];
const FIRST_NAMES = [
  'Alice',
  'Bob',
  'Carol',
  'Dave',
  'Erin',
  'Frank',
  'Grace',
  'Heidi',
  'Ivan',
  'Judy',
  'Mallory',
  'Niaj',
  'Olivia',
  'Peggy',
  'Rupert',
  'Sybil',
  'Trent',
  'Victor',
  'Walter',
  'Yuki',
  'Mei',
  'Chen',
  'Hana',
  'Kenji',
  'Lena',
  'Omar',
  'Priya',
  'Sofia',
  'Tomas',
  'Zara',
];
const LAST_NAMES = [
  'Smith',
  'Wang',
  'Lin',
  'Chen',
  'Tanaka',
  'Garcia',
  'Müller',
  'Kim',
  'Lee',
  'Brown',
  'Novak',
  'Rossi',
  'Silva',
  'Khan',
  'Cohen',
  'Dubois',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Nguyen',
];
const ROOM_WORDS = [
  'Project',
  'Team',
  'Support',
  'Design',
  'Backend',
  'Frontend',
  'Marketing',
  'Sales',
  'Ops',
  'Research',
  'Book club',
  'Running',
  'Family',
  'Trip',
  'Hackathon',
  'Release',
  'Customer',
  'Coffee',
  'Random',
  'Study',
];
const DESCRIPTIONS = [
  '',
  '',
  '',
  'Loves coffee',
  'On call this week',
  'Working remotely',
  'Ask me about the API',
];
const TAG_COLORS: Record<string, string> = {
  work: '#1e88e5',
  family: '#43a047',
  friends: '#fb8c00',
  important: '#e53935',
  later: '#8e24aa',
};

/** A SQL array literal of constant strings (ours, not user input). */
function textArray(values: readonly string[]): RawBuilder<string[]> {
  return sql.raw(`array[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',')}]::text[]`);
}

/** pick(array, hash) = array[1 + floor(hash * length)] */
function pick(values: readonly string[], random: RawBuilder<number>): RawBuilder<string> {
  return sql`(${textArray(values)})[1 + floor(${random} * ${sql.lit(values.length)})::int]`;
}

function rand(key: RawBuilder<unknown>, salt: number): RawBuilder<number> {
  return sql<number>`pg_temp.seed_rand((${key})::bigint, ${sql.lit(salt)})`;
}

export async function generateDataset(
  trx: Executor,
  options: GenerateOptions,
  plan: GeneratePlan,
  onProgress: (progress: GenerateProgress) => void = () => {},
): Promise<GenerateSummary> {
  const app = options.appId;
  const until = options.until.toISOString();
  const U = plan.users;
  const total = plan.users + plan.rooms + plan.messages + estimateMemberships(plan) * 1.2;
  let done = 0;
  const step = (stage: string, rows: number) => {
    done += rows;
    onProgress({ stage, done: Math.min(done, total), total });
  };
  const run = (query: RawBuilder<unknown>) => query.execute(trx);

  // Generation statements run long by design; the server's statement timeout is for requests.
  await run(sql`set local statement_timeout = 0`);
  await run(sql`set local work_mem = '64MB'`);
  await skipForeignKeyChecksIfAllowed(trx);

  // Seed and id width are validated integers and a hex digest: safe to inline.
  await run(
    sql.raw(`create or replace function pg_temp.seed_rand(k bigint, salt int) returns float8
      language sql immutable parallel safe as
      $$ select (hashint8extended(k, ${options.seed}::bigint * 1000 + salt) & 9007199254740991)::float8
                / 9007199254740992.0 $$`),
  );
  await run(
    sql.raw(`create or replace function pg_temp.seed_user_id(i bigint) returns text language sql immutable as
      $$ select 'user-' || lpad(i::text, ${plan.idWidth}, '0') $$`),
  );
  // Like a MongoDB ObjectId: 8 hex digits of seconds, then 16 that make it unique.
  await run(
    sql.raw(`create or replace function pg_temp.seed_message_id(t timestamptz, n bigint) returns text
      language sql stable as
      $$ select lpad(to_hex(floor(extract(epoch from t))::bigint), 8, '0') || '${plan.seedHex}'
                || lpad(to_hex(n), 8, '0') $$`),
  );
  // Declared stable, not immutable: timestamptz arithmetic is stable, and PostgreSQL only
  // inlines a function whose body is no more volatile than declared (a call costs ~10 µs).
  // Message s of n in a room spans [last_at - span, last_at], evenly, in sequence order.
  await run(
    sql.raw(`create or replace function pg_temp.seed_message_time(last_at timestamptz, span_ms bigint, n bigint, s bigint)
      returns timestamptz language sql stable as
      $$ select last_at - ((span_ms * (n - s) / n)::float8 * interval '1 millisecond') $$`),
  );

  await planRooms(trx, options, plan);
  await planMembers(trx, plan);
  step('planning', 0);

  /* users: the first one exists (it carries the shared password hash); the others copy it */
  const profile = (i: RawBuilder<unknown>, id: RawBuilder<unknown>) => sql`
    ${pick(FIRST_NAMES, rand(i, 20))} || ' ' || ${pick(LAST_NAMES, rand(i, 21))},
    'https://example.com/avatars/' || ${id} || '.png',
    ${pick(DESCRIPTIONS, rand(i, 22))},
    ${i} % 250 = 0,
    ${until}::timestamptz - floor(${rand(i, 23)} * ${30 * DAY_MS}) * interval '1 millisecond',
    ${until}::timestamptz - interval '180 days', ${until}::timestamptz - interval '180 days'`;
  await run(sql`
    /* seedGenerate:users */
    insert into users (app_id, id, username, password_hash,
                       nickname, avatar_url, description, is_robot, last_login_at, created_at, updated_at)
    select ${app}, u.id, u.id,
           (select password_hash from users where app_id = ${app} and id = ${generatedUserId(1, plan)}),
           ${profile(sql`i`, sql`u.id`)}
    from generate_series(2, ${U}::int) i
    cross join lateral (select pg_temp.seed_user_id(i) as id) u`);
  // The first user's profile from the same formulas, so the whole set depends on the seed only.
  await run(sql`
    update users set (nickname, avatar_url, description, is_robot, last_login_at, created_at, updated_at) =
      (select ${profile(sql`1`, sql`id`)})
    where app_id = ${app} and id = ${generatedUserId(1, plan)}`);
  step('users', U);

  /* rooms, with their final counters */
  await run(sql`
    /* seedGenerate:rooms */
    insert into rooms (app_id, id, name, cover, description, room_type, visibility, direct_key, room_tags,
                       created_by, member_count, message_seq, last_message_id, last_message_at,
                       created_at, updated_at)
    select ${app}, r.id,
           case r.kind when 'big' then 'All hands ' || r.idx
                       when 'direct' then ''
                       else ${pick(ROOM_WORDS, rand(sql`r.idx`, 30))} || ' ' || r.idx end,
           case when ${rand(sql`r.idx`, 31)} < 0.3 then 'https://example.com/covers/' || r.id || '.jpg' else '' end,
           case when r.kind = 'direct' then '' when ${rand(sql`r.idx`, 32)} < 0.5 then 'A room for ' || r.id else '' end,
           case when r.kind = 'direct' then 'direct' else 'group' end,
           case when r.kind = 'big' then 'public' when r.kind = 'direct' then 'private'
                when ${rand(sql`r.idx`, 33)} < 0.3 then 'public' else 'private' end,
           case when r.kind = 'direct' then
             least(pg_temp.seed_user_id(r.a), pg_temp.seed_user_id(r.b)) || '|' ||
             greatest(pg_temp.seed_user_id(r.a), pg_temp.seed_user_id(r.b)) end,
           case when ${rand(sql`r.idx`, 34)} < 0.1 then array['support']
                when ${rand(sql`r.idx`, 34)} < 0.2 then array['demo', 'internal'] else '{}'::text[] end,
           owner.user_id,
           r.size, r.n,
           case when r.n > 0 then pg_temp.seed_message_id(r.last_at, r.base + r.n) end,
           r.last_at, r.created_at,
           greatest(coalesce(r.last_at, r.created_at), r.created_at + least(r.size - 1, 3599) * interval '1 second')
    from seed_rooms r
    join seed_members owner on owner.room_idx = r.idx and owner.ord = 0
    order by r.idx`);
  step('rooms', plan.rooms);

  /* messages, in batches of consecutive global message numbers (base + seq) */
  for (let lo = 1; lo <= plan.messages; lo += MESSAGE_BATCH) {
    const hi = Math.min(plan.messages, lo + MESSAGE_BATCH - 1);
    // One pass writes the messages and notes each sender's last seq (read positions need it).
    await run(sql`
      /* seedGenerate:messages */
      with generated as (
        select r.id as room_id, r.idx as room_idx, m.user_id, m.user_idx, s as seq, t.g, t.at, t.kind
        from seed_rooms r
        cross join lateral generate_series(greatest(1, ${lo}::bigint - r.base), least(r.n, ${hi}::bigint - r.base)) s
        cross join lateral (
          select pg_temp.seed_message_time(r.last_at, r.span_ms, r.n, s) as at, r.base + s as g,
                 ${rand(sql`r.base + s`, 44)} as kind
        ) t
        -- Senders are members; the first members (owners, moderators) talk the most.
        join seed_members m on m.room_idx = r.idx
          and m.ord = floor(power(${rand(sql`r.base + s`, 45)}, 2) * r.size)::int
        where r.n > 0 and r.base < ${hi}::bigint and r.base + r.n >= ${lo}::bigint
      ),
      inserted as (
        insert into messages (app_id, id, room_id, sender_id, seq, body, message_type, message_time,
                              created_at, updated_at, is_deleted)
        select ${app}, pg_temp.seed_message_id(at, g), room_id, user_id, seq,
               case when kind < 0.96 then to_jsonb(${pick(SENTENCES, rand(sql`g`, 40))})
                    when kind < 0.99 then jsonb_build_object(
                      'url', 'https://example.com/images/' || g || '.jpg', 'width', 800, 'height', 600)
                    else jsonb_build_object('url', 'https://example.com/files/' || g || '.pdf',
                      'name', 'document-' || g || '.pdf', 'size', 1000 + g % 100000) end,
               case when kind < 0.96 then 'text' when kind < 0.99 then 'image' else 'file' end,
               at, at,
               case when ${rand(sql`g`, 41)} < 0.02
                    then least(${until}::timestamptz, at + floor(${rand(sql`g`, 42)} * 3600000) * interval '1 millisecond')
                    else at end,
               ${rand(sql`g`, 43)} < 0.005
        from generated
        order by g
      )
      insert into seed_sent (room_idx, user_idx, seq)
      select room_idx, user_idx, max(seq) from generated group by room_idx, user_idx`);
    step('messages', hi - lo + 1);
  }

  /* memberships: read positions below the room's sequence, never before the member's own last message */
  await run(sql`
    /* seedGenerate:memberships */
    insert into memberships (app_id, room_id, user_id, role, joined_at, updated_at, read_seq, last_read_message_id)
    select ${app}, r.id, m.user_id,
           case when m.ord = 0 then 'owner' when r.kind = 'big' and m.ord <= 2 then 'moderator' else 'member' end,
           j.joined_at,
           greatest(j.joined_at, case when p.read_seq > 0
             then pg_temp.seed_message_time(r.last_at, r.span_ms, r.n, p.read_seq) end),
           p.read_seq,
           case when p.read_seq > 0 then pg_temp.seed_message_id(
             pg_temp.seed_message_time(r.last_at, r.span_ms, r.n, p.read_seq), r.base + p.read_seq) end
    from seed_members m
    join seed_rooms r on r.idx = m.room_idx
    left join (
      select room_idx, user_idx, max(seq) as seq from seed_sent group by room_idx, user_idx
    ) sent on sent.room_idx = m.room_idx and sent.user_idx = m.user_idx
    cross join lateral (select r.created_at + least(m.ord, 3599) * interval '1 second' as joined_at) j
    cross join lateral (select ${rand(sql`m.room_idx::bigint * 1000003 + m.user_idx`, 50)} as u,
                               ${rand(sql`m.room_idx::bigint * 1000003 + m.user_idx`, 51)} as v) h
    cross join lateral (select greatest(coalesce(sent.seq, 0), greatest(0, r.n - case
        when h.u < 0.55 then 0
        when h.u < 0.85 then 1 + floor(h.v * 9)::bigint
        when h.u < 0.95 then 10 + floor(h.v * 90)::bigint
        else r.n end)) as read_seq) p`);
  const memberships = await countRows(trx, sql`select count(*)::int as n from seed_members`);
  step('memberships', memberships);

  /* a fifth of memberships carry prefs: tags with colors, a folder, pinned, muted, hidden */
  const tagNames = Object.keys(TAG_COLORS);
  const tagChances = [0.4, 0.25, 0.25, 0.15, 0.1];
  const tagItems = tagNames.map(
    (tag, i) =>
      sql`case when ${rand(sql`k.key`, 61 + i)} < ${sql.lit(tagChances[i] ?? 0.1)} then ${sql.lit(tag)} end`,
  );
  const colorItems = tagNames.map(
    (tag) =>
      sql`${sql.lit(tag)}, case when ${sql.lit(tag)} = any(t.tags) then ${sql.lit(TAG_COLORS[tag] ?? '')} end`,
  );
  await run(sql`
    /* seedGenerate:prefs */
    insert into user_room_prefs (app_id, user_id, room_id, tags, tag_colors, hidden, sticky, muted, folder, updated_at)
    select ${app}, m.user_id, r.id, t.tags,
           jsonb_strip_nulls(jsonb_build_object(${sql.join(colorItems)})),
           ${rand(sql`k.key`, 70)} < 0.05, ${rand(sql`k.key`, 71)} < 0.1, ${rand(sql`k.key`, 72)} < 0.15,
           case when ${rand(sql`k.key`, 73)} < 0.2 then ${pick(['Work', 'Personal', 'Archive'], rand(sql`k.key`, 74))} end,
           r.created_at + least(m.ord, 3599) * interval '1 second'
    from seed_members m
    join seed_rooms r on r.idx = m.room_idx
    cross join lateral (select m.room_idx::bigint * 1000003 + m.user_idx as key) k
    cross join lateral (select array_remove(array[${sql.join(tagItems)}]::text[], null) as tags) t
    where ${rand(sql`k.key`, 60)} < 0.2`);
  const prefs = await countRows(
    trx,
    sql`select count(*)::int as n from user_room_prefs where app_id = ${app}`,
  );
  step('prefs', prefs);

  return summarize(trx, plan, memberships, prefs);
}

/**
 * A bulk load's classic shortcut (pg_restore --disable-triggers does the same): the
 * foreign-key triggers cost two lookups per inserted row, about a third of the time,
 * and these rows reference only rows this same transaction wrote. Only a superuser may
 * do it (PGlite's user is one); anyone else gets the checks.
 */
async function skipForeignKeyChecksIfAllowed(trx: Executor): Promise<void> {
  const { rows } = await sql<{ superuser: boolean }>`
    select rolsuper as superuser from pg_roles where rolname = current_user`.execute(trx);
  if (rows[0]?.superuser) await sql`set local session_replication_role = replica`.execute(trx);
}

/** The room plan: kind, size, member picking, message count (Zipf), first global message number, times. */
async function planRooms(trx: Executor, options: GenerateOptions, plan: GeneratePlan): Promise<void> {
  const run = (query: RawBuilder<unknown>) => query.execute(trx);
  const { users: U, bigRooms: B, directRooms: D } = plan;
  const until = options.until.toISOString();
  await run(sql`
    create temp table seed_rooms (
      idx int primary key,
      kind text not null,
      id text not null,
      size int not null,
      off bigint not null,
      stride bigint not null default 1,
      a int, b int,
      rank int, n bigint not null default 0, base bigint not null default 0,
      ago_ms bigint, span_ms bigint not null default 0,
      last_at timestamptz, created_at timestamptz
    ) on commit drop`);
  await run(sql`
    insert into seed_rooms (idx, kind, id, size, off, a, b)
    select i,
           case when i <= ${B}::int then 'big' when i <= ${B + D}::int then 'direct' else 'group' end,
           'room-' || lpad(i::text, ${plan.idWidth}::int, '0'),
           case when i <= ${B}::int then least(${U}::int, 2000 + floor(${rand(sql`i`, 1)} * 1000)::int)
                when i <= ${B + D}::int then 2
                else least(${U}::int, 500,
                  3 + floor((${plan.meanGroupSize}::float8 - 3) * -ln(1 - ${rand(sql`i`, 2)}))::int) end,
           floor(${rand(sql`i`, 3)} * ${U}::int)::bigint,
           case when i > ${B}::int and i <= ${B + D}::int then (i - ${B}::int - 1) % ${U}::int + 1 end,
           case when i > ${B}::int and i <= ${B + D}::int
             then ((i - ${B}::int - 1) % ${U}::int + 1 + (i - ${B}::int - 1) / ${U}::int) % ${U}::int + 1 end
    from generate_series(1, ${plan.rooms}::int) i`);
  // Members of room r are users off + j*stride (mod U): distinct when stride is coprime with U.
  if (U > 1) {
    await run(sql`
      update seed_rooms set stride = coalesce((
        -- generate_series materializes its whole range: keep it short (a coprime is never far)
        select s from generate_series(1 + floor(${rand(sql`idx`, 4)} * ${U}::int)::bigint,
                                      floor(${rand(sql`idx`, 4)} * ${U}::int)::bigint + 256) s
        where gcd(s, ${U}::bigint) = 1 limit 1), 1)
      where kind <> 'direct'`);
  }
  // Message counts: Zipf by rank, the big rooms first; the rounding remainder goes to rank 1.
  await run(sql`
    update seed_rooms r set rank = x.rank from (
      select idx, row_number() over (order by kind <> 'big', case when kind = 'big' then idx end, ${rand(sql`idx`, 5)}, idx) as rank
      from seed_rooms
    ) x where x.idx = r.idx`);
  await run(
    sql`update seed_rooms set n = floor(${plan.messages}::float8 / (rank * ${plan.harmonic}::float8))::bigint`,
  );
  await run(sql`
    update seed_rooms set n = n + (${plan.messages}::bigint - (select coalesce(sum(n), 0) from seed_rooms))
    where rank = 1`);
  await run(sql`
    update seed_rooms r set base = x.base from (
      select idx, coalesce(sum(n) over (order by idx rows between unbounded preceding and 1 preceding), 0) as base
      from seed_rooms
    ) x where x.idx = r.idx`);
  // Activity: the big rooms in the last ten minutes, the rest skewed towards recent;
  // one message every 10 s to 10 min, back from the last one.
  await run(sql`
    update seed_rooms set ago_ms = case when kind = 'big' then floor(${rand(sql`idx`, 6)} * 600000)
                                        else floor(${plan.windowMs}::float8 * power(${rand(sql`idx`, 6)}, 2)) end::bigint`);
  await run(sql`
    update seed_rooms set
      span_ms = least(${plan.windowMs}::bigint - ago_ms, n * (10000 + floor(${rand(sql`idx`, 7)} * 590000)::bigint)),
      last_at = case when n > 0 then ${until}::timestamptz - ago_ms * interval '1 millisecond' end`);
  await run(sql`
    update seed_rooms set created_at = ${until}::timestamptz - (ago_ms + span_ms) * interval '1 millisecond'
      - (3600000 + floor(${rand(sql`idx`, 8)} * ${30 * DAY_MS})) * interval '1 millisecond'`);
}

/** Who is in which room: seed_members(room_idx, user_idx, ord), ord 0 being the owner. */
async function planMembers(trx: Executor, plan: GeneratePlan): Promise<void> {
  const run = (query: RawBuilder<unknown>) => query.execute(trx);
  const U = plan.users;
  await run(sql`
    create temp table seed_member_picks (room_idx int not null, user_idx int not null, pos bigint not null)
    on commit drop`);
  await run(sql`
    insert into seed_member_picks (room_idx, user_idx, pos)
    select r.idx, ((r.off + j * r.stride) % ${U}::int + 1)::int, j
    from seed_rooms r cross join lateral generate_series(0, r.size - 1) j
    where r.kind <> 'direct'`);
  await run(sql`
    insert into seed_member_picks (room_idx, user_idx, pos)
    select idx, a, 0 from seed_rooms where kind = 'direct'
    union all
    select idx, b, 1 from seed_rooms where kind = 'direct'`);
  if (plan.heavyUsers > 0 && plan.groupRooms > 0) {
    // Heavy users 1..H each join 1,000-2,000 group rooms (all of them when there are fewer).
    await run(sql`
      insert into seed_member_picks (room_idx, user_idx, pos)
      select r.idx, h, 1000000 + h
      from seed_rooms r cross join generate_series(1, ${plan.heavyUsers}::int) h
      where r.kind = 'group'
        and ${rand(sql`r.idx::bigint * 1000003 + h`, 9)}
            < (1000 + floor(${rand(sql`h`, 10)} * 1000)) / ${plan.groupRooms}::float8`);
  }
  await run(sql`
    create temp table seed_members (
      room_idx int not null, user_idx int not null, ord int not null, user_id text not null,
      primary key (room_idx, ord)
    ) on commit drop`);
  await run(sql`
    insert into seed_members (room_idx, user_idx, ord, user_id)
    select room_idx, user_idx, (row_number() over (partition by room_idx order by min(pos), user_idx) - 1)::int,
           pg_temp.seed_user_id(user_idx)
    from seed_member_picks group by room_idx, user_idx`);
  await run(sql`
    update seed_rooms r set size = c.size
    from (select room_idx, count(*)::int as size from seed_members group by room_idx) c
    where c.room_idx = r.idx`);
  await run(sql`
    create temp table seed_sent (room_idx int not null, user_idx int not null, seq bigint not null)
    on commit drop`);
  // Temp tables are never auto-analyzed; the message inserts join on them.
  await run(sql`analyze seed_rooms`);
  await run(sql`analyze seed_members`);
}

function estimateMemberships(plan: GeneratePlan): number {
  return (
    plan.bigRooms * Math.min(plan.users, 2500) +
    plan.directRooms * 2 +
    plan.groupRooms * plan.meanGroupSize +
    plan.heavyUsers * Math.min(plan.groupRooms, 1500)
  );
}

async function countRows(trx: Executor, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await (query as RawBuilder<{ n: number }>).execute(trx);
  return Number(rows[0]?.n ?? 0);
}

async function summarize(
  trx: Executor,
  plan: GeneratePlan,
  memberships: number,
  prefs: number,
): Promise<GenerateSummary> {
  const perUser = await sql<{ p50: number; p90: number; max: number }>`
    select coalesce(percentile_disc(0.5) within group (order by c), 0)::int as p50,
           coalesce(percentile_disc(0.9) within group (order by c), 0)::int as p90,
           coalesce(max(c), 0)::int as max
    from (select count(*) as c from seed_members group by user_idx) x`.execute(trx);
  const perRoom = await sql<{ p50: number; p99: number; max: number }>`
    select coalesce(percentile_disc(0.5) within group (order by size), 0)::int as p50,
           coalesce(percentile_disc(0.99) within group (order by size), 0)::int as p99,
           coalesce(max(size), 0)::int as max
    from seed_rooms`.execute(trx);
  const roomBy = async (order: RawBuilder<unknown>) => {
    const { rows } = await sql<{ id: string; size: number; n: number }>`
      select id, size, n::int as n from seed_rooms order by ${order} limit 1`.execute(trx);
    const row = rows[0];
    return row ? { roomId: row.id, members: row.size, messages: Number(row.n) } : null;
  };
  const userBy = async (pick: 'max' | 'median') => {
    const { rows } = await sql<{ user_idx: number; rooms: number }>`
      select user_idx, rooms from (
        select user_idx, count(*)::int as rooms,
               row_number() over (order by count(*) desc, user_idx) as position,
               count(*) over () as users
        from seed_members group by user_idx
      ) x where position = ${pick === 'max' ? sql`1` : sql`greatest(1, users / 2)`}`.execute(trx);
    const row = rows[0];
    return row ? { userId: generatedUserId(row.user_idx, plan), rooms: row.rooms } : null;
  };
  return {
    users: plan.users,
    rooms: { total: plan.rooms, big: plan.bigRooms, direct: plan.directRooms, group: plan.groupRooms },
    memberships,
    messages: plan.messages,
    prefs,
    roomsPerUser: perUser.rows[0] ?? { p50: 0, p90: 0, max: 0 },
    membersPerRoom: perRoom.rows[0] ?? { p50: 0, p99: 0, max: 0 },
    largestRoom: await roomBy(sql`size desc, idx`),
    busiestRoom: await roomBy(sql`n desc, idx`),
    heaviestUser: await userBy('max'),
    typicalUser: await userBy('median'),
  };
}
