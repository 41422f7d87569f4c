import { arg, base64, firstColumn, VIEWER_CTE, type FloorQuery } from './floor-query.js';

/*
 * The GraphQL cases' floors: the same data and the same JSON document as chat-bff's
 * answer to the bench's query (bench/documents.ts), built by one statement.
 */

const SENDER = `json_build_object('userId', s.id, 'nickname', s.nickname, 'avatarUrl', s.avatar_url)`;

/** viewer.rooms(first: N) with unread, lastMessage { sender }, pref and members(first: 5). */
export const gqlRoomsFloor: FloorQuery = {
  name: 'gql-rooms',
  text: `/* floor:gql-rooms */
  with ${VIEWER_CTE},
  -- The page is found on memberships and rooms alone; prefs are looked up for its rows only.
  page as (
    select r.app_id, r.id, r.name, r.room_type, greatest(r.message_seq - m.read_seq, 0) as unread,
           r.updated_at, r.last_message_id, coalesce(r.last_message_at, r.created_at) as activity, m.user_id,
           row_number() over (order by coalesce(r.last_message_at, r.created_at) desc, r.id) as n
    from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null
    order by activity desc, r.id
    limit $2::int + 1),
  edges as (
    select x.n, ${base64(`json_build_array('rooms||LAST_MESSAGE_TIME:DESC', x.activity, x.id)::text`)} as cursor,
      json_build_object(
        'id', ${base64(`'Room:' || x.id`)}, 'roomId', x.id, 'name', x.name, 'roomType', upper(x.room_type),
        'unread', x.unread, 'updatedTime', x.updated_at, 'lastMessage', lm.j,
        'pref', json_build_object('tags', coalesce(p.tags, '{}'), 'sticky', coalesce(p.sticky, false),
          'muted', coalesce(p.muted, false), 'hidden', coalesce(p.hidden, false), 'folder', p.folder),
        'members', json_build_object('edges', mem.j)) as node
    from page x
    left join user_room_prefs p on p.app_id = x.app_id and p.user_id = x.user_id and p.room_id = x.id
    left join lateral (
      select json_build_object('messageId', msg.id, 'message', msg.body, 'messageType', msg.message_type,
               'createdAt', msg.created_at, 'sender', ${SENDER}) as j
      from messages msg join users s on s.app_id = msg.app_id and s.id = msg.sender_id
      where msg.app_id = x.app_id and msg.id = x.last_message_id) lm on true
    cross join lateral (
      select coalesce(json_agg(json_build_object('node', json_build_object('userId', u.id, 'nickname', u.nickname,
               'avatarUrl', u.avatar_url, 'role', upper(mm.role))) order by mm.joined_at, mm.user_id), '[]') as j
      from (select user_id, role, joined_at from memberships
            where app_id = x.app_id and room_id = x.id and left_at is null
            order by joined_at, user_id limit 5) mm
      join users u on u.app_id = x.app_id and u.id = mm.user_id) mem
    where x.n <= $2::int)
  select json_build_object('data', json_build_object('viewer', json_build_object('rooms', json_build_object(
    'edges', coalesce((select json_agg(json_build_object('cursor', cursor, 'node', node) order by n) from edges), '[]'),
    'pageInfo', json_build_object(
      'hasNextPage', (select count(*) from page) > $2::int,
      'endCursor', (select cursor from edges order by n desc limit 1))))))::text as body`,
  values: (input) => [input.tokenHash, Number(arg(input, 'first'))],
  render: firstColumn,
};

/** room(id).messages(last: 50, before: cursor): the 50 messages before a sequence number. */
export const gqlMessagesFloor: FloorQuery = {
  name: 'gql-messages',
  text: `/* floor:gql-messages */
  with ${VIEWER_CTE},
  room as (
    select r.app_id, r.id from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.room_id = $2 and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null),
  page as (
    select msg.*, row_number() over (order by msg.seq desc) as n from room
    cross join lateral (
      select app_id, id, seq, body, message_type, created_at, reaction_count, sender_id from messages
      where app_id = room.app_id and room_id = room.id and seq < $3::int8
      order by seq desc limit 51) msg),
  edges as (
    select x.n, ${base64(`json_build_array('messages|SEQUENCE', x.seq)::text`)} as cursor,
      json_build_object('id', ${base64(`'Message:' || x.id`)}, 'messageId', x.id, 'message', x.body,
        'messageType', x.message_type, 'createdAt', x.created_at, 'reactionCount', x.reaction_count,
        'sender', ${SENDER}) as node
    from page x join users s on s.app_id = x.app_id and s.id = x.sender_id
    where x.n <= 50)
  select json_build_object('data', json_build_object('room', case when exists (select 1 from room) then
    json_build_object('messages', json_build_object(
      'edges', coalesce((select json_agg(json_build_object('cursor', cursor, 'node', node) order by n desc) from edges), '[]'),
      'pageInfo', json_build_object(
        'hasPreviousPage', (select count(*) from page) > 50,
        'startCursor', (select cursor from edges order by n desc limit 1)))) end))::text as body`,
  values: (input) => [input.tokenHash, arg(input, 'roomId'), Number(arg(input, 'beforeSeq'))],
  render: firstColumn,
};

/** room(id) with members(first: 50) and each member's badge (unread count). */
export const gqlRoomFloor: FloorQuery = {
  name: 'gql-room',
  text: `/* floor:gql-room */
  with ${VIEWER_CTE},
  x as (
    select r.app_id, r.id, r.name, r.room_type, r.message_seq, greatest(r.message_seq - m.read_seq, 0) as unread
    from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.room_id = $2 and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null)
  select json_build_object('data', json_build_object('room', (
    select json_build_object('id', ${base64(`'Room:' || x.id`)}, 'roomId', x.id, 'name', x.name,
      'roomType', upper(x.room_type), 'unread', x.unread,
      'members', json_build_object('edges', coalesce((
        select json_agg(json_build_object('node', json_build_object('userId', u.id, 'nickname', u.nickname,
                 'avatarUrl', u.avatar_url, 'role', upper(mm.role),
                 'badge', greatest(x.message_seq - mm.read_seq, 0))) order by mm.joined_at, mm.user_id)
        from (select user_id, role, joined_at, read_seq from memberships
              where app_id = x.app_id and room_id = x.id and left_at is null
              order by joined_at, user_id limit 50) mm
        join users u on u.app_id = x.app_id and u.id = mm.user_id), '[]')))
    from x)))::text as body`,
  values: (input) => [input.tokenHash, arg(input, 'roomId')],
  render: firstColumn,
};
