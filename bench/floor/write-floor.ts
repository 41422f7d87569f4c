import { generateMessageId } from '../../src/domain/messages/message-id.js';
import { arg, VIEWER_CTE, type FloorQuery } from './floor-query.js';

/*
 * A send's floor: one statement with the same effects as chat-bff's sendMessage
 * (members only, not archived, read-only rooms for owners/moderators only; the room row's
 * lock orders concurrent senders so sequences have no gaps; the message, the room's last
 * message and sequence, the sender's read position), answering like the mutation.
 */
export const sendFloor: FloorQuery = {
  name: 'write-send',
  text: `/* floor:write-send */
  with ${VIEWER_CTE},
  m as (
    select m.app_id, m.room_id, m.user_id from v
    join memberships m on m.app_id = v.app_id and m.user_id = v.user_id and m.room_id = $2 and m.left_at is null
    join rooms r on r.app_id = m.app_id and r.id = m.room_id and r.deleted_at is null
    where not r.archived and (not r.read_only or m.role <> 'member')),
  r as (
    update rooms set message_seq = message_seq + 1, last_message_id = $3,
      last_message_at = greatest(last_message_at, now()), updated_at = now()
    from m where rooms.app_id = m.app_id and rooms.id = m.room_id and rooms.deleted_at is null
    returning rooms.app_id, rooms.id, rooms.message_seq),
  ins as (
    insert into messages (app_id, id, room_id, sender_id, seq, body, message_type, message_time, created_at,
                          updated_at, client_message_id)
    select r.app_id, $3, r.id, m.user_id, r.message_seq, $4::jsonb, 'text', now(), now(), now(), $5
    from r, m
    returning app_id, id, room_id, sender_id, seq, created_at),
  upd as (
    update memberships set read_seq = ins.seq, last_read_message_id = ins.id, updated_at = now()
    from ins where memberships.app_id = ins.app_id and memberships.room_id = ins.room_id
      and memberships.user_id = ins.sender_id and memberships.read_seq < ins.seq)
  select json_build_object('data', json_build_object('sendMessage', json_build_object('chatMessage',
    (select json_build_object('messageId', id, 'createdAt', created_at) from ins))))::text as body`,
  values: (input) => {
    // The mutation's variables: { input: { roomId, message, clientMessageId } }.
    const send = { tokenHash: input.tokenHash, args: input.args.input as Record<string, unknown> };
    return [
      input.tokenHash,
      arg(send, 'roomId'),
      generateMessageId(new Date()),
      JSON.stringify(arg(send, 'message')),
      arg(send, 'clientMessageId'),
    ];
  },
  render: (rows) => {
    const body = (rows[0] as { body: string }).body;
    if (body.includes('"chatMessage" : null') || body.includes('"chatMessage":null'))
      throw new Error('the send was refused');
    return body;
  },
};
