import { parse } from '@rocket.chat/message-parser';
import { arg, firstColumn, ms, VIEWER_CTE, type FloorInput, type FloorQuery } from './floor-query.js';

/*
 * The REST cases' floors: the same envelopes and field sets as chat-bff's IMKit and
 * Rocket.Chat answers (documented in shared/seeds), from one statement each.
 */

/** IMKit's user object. */
const imkitUser = (u: string) => `json_build_object('_id', ${u}.id, 'id', ${u}.id, 'nickname', ${u}.nickname,
  'avatarUrl', ${u}.avatar_url, 'description', ${u}.description, 'isRobot', ${u}.is_robot,
  'lastLoginTimeMS', coalesce(${ms(`${u}.last_login_at`)}, 0))`;

/** IMKit's message object, for a `messages` row `msg` and its sender `s`; reactions from lateral `rx`. */
const imkitMessage = `json_build_object('_id', msg.id, 'id', msg.id, 'message', msg.body, 'room', msg.room_id,
  'sender', ${imkitUser('s')}, 'messageType', msg.message_type, 'appID', msg.app_id,
  'messageTime', msg.message_time, 'messageTimeMS', ${ms('msg.message_time')},
  'updatedAtMS', ${ms('msg.updated_at')}, 'createdAtMS', ${ms('msg.created_at')},
  'reactions', rx.j, 'reactionCount', msg.reaction_count, 'isDeleted', msg.is_deleted)`;

const reactionsLateral = `cross join lateral (
    select coalesce(json_agg(json_build_object('key', g.key, 'count', g.count, 'clients', g.user_ids)
             order by g.first_at, g.key), '[]') as j
    from (select key, count(*) as count, array_agg(user_id order by created_at, user_id) as user_ids,
                 min(created_at) as first_at
          from message_reactions where app_id = msg.app_id and message_id = msg.id group by key) g) rx`;

/** IMKit credentials: the token must belong to the app whose client key came with it. */
const IMKIT_VIEWER = `${VIEWER_CTE.replace('where t.token_hash', 'join apps a on a.id = t.app_id and a.client_key = $2\n    where t.token_hash')}`;

type RoomListVariant = 'plain' | 'updatedAfter' | 'tag';

/** GET /rooms?limit=20&sort=-lastMessage [&updatedAfter=] [&pref={"tags":[…]}]: rooms with last message and up to 100 members. */
function imkitRoomListFloor(variant: RoomListVariant): FloorQuery {
  const filter = {
    plain: '',
    updatedAfter: 'and (r.last_message_at > $3::timestamptz or r.created_at > $3::timestamptz)',
    tag: 'and fp.tags && $3::text[]',
  }[variant];
  const inspect = {
    plain: `'{}'::jsonb`,
    updatedAfter: `jsonb_build_object('$or', jsonb_build_array(jsonb_build_object('createdTime', jsonb_build_object('$gt', $3::text))))`,
    tag: `jsonb_build_object('pref.tags', jsonb_build_object('$in', $3::text[]))`,
  }[variant];
  return {
    name: `imkit-rooms-${variant}`,
    text: `/* floor:imkit-rooms-${variant} */
  with ${IMKIT_VIEWER},
  -- Without a pref filter the page is found on memberships and rooms alone, prefs joined to its rows only.
  page as (
    select r.*, greatest(r.message_seq - m.read_seq, 0) as unread, m.user_id, count(*) over () as total
    from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null
    ${variant === 'tag' ? 'join user_room_prefs fp on fp.app_id = m.app_id and fp.user_id = m.user_id and fp.room_id = m.room_id' : ''}
    where true ${filter}
    order by coalesce(r.last_message_at, r.created_at) desc, r.id
    limit 20),
  data as (
    select x.last_message_at, x.created_at, x.id, jsonb_strip_nulls(jsonb_build_object(
      '_id', x.id, 'id', x.id, 'name', x.name, 'cover', x.cover, 'description', x.description,
      'roomType', x.room_type, 'webhook', x.webhook, 'botState', x.bot_state, 'botMode', x.bot_mode,
      'encrypted', x.encrypted, 'serviceStatus', x.service_status, 'roomTags', x.room_tags, 'status', x.status,
      'unread', x.unread, 'muted', coalesce(p.muted, false),
      'pref', jsonb_build_object('tags', coalesce(p.tags, '{}'), 'tagColors', coalesce(p.tag_colors, '{}'),
        'hidden', coalesce(p.hidden, false), 'sticky', coalesce(p.sticky, false),
        'muted', coalesce(p.muted, false), 'folder', p.folder),
      'createdTimeMS', ${ms('x.created_at')}, 'lastMessage', lm.j, 'members', mem.j)) as room
    from page x
    left join user_room_prefs p on p.app_id = x.app_id and p.user_id = x.user_id and p.room_id = x.id
    left join lateral (
      select ${imkitMessage}::jsonb as j
      from messages msg join users s on s.app_id = msg.app_id and s.id = msg.sender_id
      ${reactionsLateral}
      where msg.app_id = x.app_id and msg.id = x.last_message_id) lm on true
    cross join lateral (
      select coalesce(jsonb_agg(${imkitUser('u')} order by mm.joined_at, mm.user_id), '[]') as j
      from (select user_id, joined_at from memberships
            where app_id = x.app_id and room_id = x.id and left_at is null
            order by joined_at, user_id limit 100) mm
      join users u on u.app_id = x.app_id and u.id = mm.user_id) mem)
  select json_build_object('RC', 0, 'RM', 'OK', 'result', json_build_object(
    'totalCount', coalesce((select total from page limit 1), 0),
    'inspect', json_build_object('query', jsonb_build_object('appID', (select app_id from v), 'members',
      (select user_id from v), 'status', 1) || ${inspect}, 'tookMS', 0),
    'data', coalesce((select json_agg(room order by coalesce(last_message_at, created_at) desc, id) from data), '[]')))::text as body`,
    values: (input: FloorInput) => {
      const base = [input.tokenHash, input.clientKey];
      if (variant === 'updatedAfter') return [...base, arg(input, 'updatedAfter')];
      if (variant === 'tag') return [...base, (JSON.parse(arg(input, 'pref')) as { tags: string[] }).tags];
      return base;
    },
    render: firstColumn,
  };
}

export const imkitRoomsFloor = imkitRoomListFloor('plain');
export const imkitRoomsUpdatedFloor = imkitRoomListFloor('updatedAfter');
export const imkitRoomsTagFloor = imkitRoomListFloor('tag');

/** GET /rooms/{id}/messages/v3?limit=50&beforeMessage=…: the 50 before it in (updatedAt, sequence) order. */
export const imkitMessagesFloor: FloorQuery = {
  name: 'imkit-messages',
  text: `/* floor:imkit-messages */
  with ${IMKIT_VIEWER},
  room as (
    select r.app_id, r.id, r.message_seq, v.user_id from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.room_id = $3 and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null),
  page as (
    select msg.* from room
    join messages b on b.app_id = room.app_id and b.id = $4 and b.room_id = room.id
    cross join lateral (
      select * from messages
      where app_id = room.app_id and room_id = room.id and (updated_at, seq) < (b.updated_at, b.seq)
      order by updated_at desc, seq desc limit 50) msg)
  select json_build_object('RC', 0, 'RM', 'OK', 'result', json_build_object(
    -- Messages are never removed, only marked deleted: the room's sequence is their count.
    'totalCount', (select message_seq from room),
    'inspect', json_build_object('query', json_build_object('appID', (select app_id from room), 'room', $3::text), 'tookMS', 0),
    'data', coalesce((
      select json_agg(${imkitMessage} order by msg.updated_at, msg.seq)
      from page msg join users s on s.app_id = msg.app_id and s.id = msg.sender_id
      ${reactionsLateral}), '[]'),
    'userDeletedIDs', coalesce((
      select json_agg(d.message_id) from room
      join message_user_deletions d on d.app_id = room.app_id and d.user_id = room.user_id and d.room_id = room.id
      where d.message_id in (select id from page)), '[]')))::text as body`,
  values: (input) => [input.tokenHash, input.clientKey, arg(input, 'roomId'), arg(input, 'beforeMessage')],
  render: firstColumn,
};

/** Rocket.Chat's user reference. */
const rcUser = (u: string, id: string) =>
  `json_build_object('_id', ${id}, 'username', coalesce(${u}.username, ${id}), 'name', ${u}.nickname)`;

/** GET /api/v1/rooms.get?updatedSince=…: rooms changed since then, and rooms left or deleted since then. */
export const rocketRoomsGetFloor: FloorQuery = {
  name: 'rocket-rooms-get',
  text: `/* floor:rocket-rooms-get */
  with ${VIEWER_CTE.replace('t.revoked_at is null', 't.revoked_at is null and t.user_id = $2')},
  changed as (
    select r.* from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null
    left join user_room_prefs p on p.app_id = m.app_id and p.user_id = m.user_id and p.room_id = m.room_id
    where r.updated_at > $3::timestamptz or m.updated_at > $3::timestamptz or p.updated_at > $3::timestamptz)
  (select 'u' as kind,
    json_strip_nulls(json_build_object('_id', x.id,
      't', case when x.room_type = 'direct' then 'd' when x.visibility = 'public' then 'c' else 'p' end,
      'usernames', dm.usernames, 'uids', dm.uids,
      'name', case when x.room_type <> 'direct' then x.name end, 'fname', case when x.room_type <> 'direct' then x.name end,
      'topic', case when x.room_type <> 'direct' then x.topic end,
      'description', case when x.room_type <> 'direct' then x.description end,
      'broadcast', case when x.room_type <> 'direct' then false end,
      'customFields', case when x.room_type <> 'direct' then x.custom_fields end,
      'u', case when x.room_type <> 'direct' and x.created_by is not null then ${rcUser('cu', 'x.created_by')} end,
      'usersCount', x.member_count, 'msgs', x.message_seq, 'ts', x.created_at, '_updatedAt', x.updated_at,
      'lm', x.last_message_at, 'ro', x.read_only, 'default', x.is_default, 'sysMes', true,
      'encrypted', x.encrypted, 'prid', x.parent_id))::text as room,
    case when msg.id is not null then json_build_object('_id', msg.id, 'rid', msg.room_id, 'msg', lm.text,
      'ts', msg.message_time, 'u', ${rcUser('s', 'msg.sender_id')}, '_updatedAt', msg.updated_at,
      'urls', '[]'::json, 'mentions', '[]'::json, 'channels', '[]'::json)::text end as last_message,
    lm.text
  from changed x
  left join users cu on cu.app_id = x.app_id and cu.id = x.created_by
  left join messages msg on msg.app_id = x.app_id and msg.id = x.last_message_id
  left join users s on s.app_id = msg.app_id and s.id = msg.sender_id
  cross join lateral (select case when msg.is_deleted then ''
    when jsonb_typeof(msg.body) = 'string' then msg.body #>> '{}'
    when jsonb_typeof(msg.body) = 'object' then coalesce(msg.body ->> 'text', msg.body ->> 'msg', '')
    else coalesce(msg.body #>> '{}', '') end as text) lm
  left join lateral (
    select array_agg(coalesce(u.username, dmm.user_id) order by coalesce(u.username, dmm.user_id)) as usernames,
           array_agg(dmm.user_id order by coalesce(u.username, dmm.user_id)) as uids
    from (select user_id from memberships where app_id = x.app_id and room_id = x.id and left_at is null
          order by joined_at, user_id limit 2) dmm
    left join users u on u.app_id = x.app_id and u.id = dmm.user_id
    where x.room_type = 'direct') dm on true
  order by coalesce(x.last_message_at, x.created_at) desc, x.id)
  union all
  select 'r', coalesce(json_agg(json_build_object('_id', g.room_id, '_deletedAt', g.at) order by g.at, g.room_id), '[]')::text, null, null
  from (select m.room_id, greatest(case when r.deleted_at > $3::timestamptz then r.deleted_at end,
                                   case when m.left_at > $3::timestamptz then m.left_at end) as at
        from v join memberships m on m.app_id = v.app_id and m.user_id = v.user_id
        join rooms r on r.app_id = m.app_id and r.id = m.room_id
        where m.left_at > $3::timestamptz
           or (r.deleted_at > $3::timestamptz and (m.left_at is null or m.left_at > $3::timestamptz))) g`,
  values: (input) => [input.tokenHash, input.userIdHeader, arg(input, 'updatedSince')],
  render: (rows) => {
    // The md tree is Rocket.Chat's own parser's output, as chat-bff sends it: that part is Node's job.
    const update: string[] = [];
    let remove = '[]';
    for (const row of rows) {
      if (row.kind === 'r') {
        remove = row.room as string;
        continue;
      }
      const room = row.room as string;
      const last = row.last_message as string | null;
      const text = row.text as string | null;
      if (!last) {
        update.push(room);
        continue;
      }
      const md = text ? markdown(text) : undefined;
      const message = md === undefined ? last : `${last.slice(0, -1)},"md":${md}}`;
      update.push(`${room.slice(0, -1)},"lastMessage":${message}}`);
    }
    return `{"update":[${update.join(',')}],"remove":${remove},"success":true}`;
  },
};

function markdown(text: string): string | undefined {
  try {
    return JSON.stringify(parse(text, { emoticons: true }));
  } catch {
    return undefined;
  }
}
