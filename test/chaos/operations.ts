import type { Exchange, RequestSpec } from './http.js';
import type { World, WorldUser } from './world.js';

/*
 * What the clients do: reads of every transport (GraphQL room list and messages, IMKit
 * rooms and messages/v3, Rocket.Chat subscriptions.get) and writes (sends through GraphQL,
 * IMKit and Rocket.Chat, each with a clientMessageId of its own; marking a room read).
 */

export const READS = [
  'gql.rooms',
  'gql.messages',
  'imkit.rooms',
  'imkit.messages',
  'rc.subscriptions',
] as const;
export const SENDS = ['gql.send', 'imkit.send', 'rc.send'] as const;
export type Read = (typeof READS)[number];
export type Send = (typeof SENDS)[number];
export type Op = Read | Send | 'gql.markRead';

/** The mixed load: 6 reads, 3 sends and 1 mark-read in 10. */
export const MIXED: readonly Op[] = [...READS, 'gql.rooms', ...SENDS, 'gql.markRead'];

const GQL_ROOMS = `query { viewer { rooms(first: 20) { edges { node { roomId unread lastMessage { messageId } } } } } }`;
const GQL_MESSAGES = `query($id: String!) { room(id: $id) { messages(last: 20) { edges { node { messageId message } } } } }`;
const GQL_SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  __typename ... on SendMessagePayload { chatMessage { messageId } } ... on Error { code message } } }`;
const GQL_MARK_READ = `mutation($roomId: String!) { markRoomRead(input: { roomId: $roomId }) {
  __typename ... on Error { code message } } }`;

export function requestFor(
  world: World,
  user: WorldUser,
  op: Op,
  roomId: string,
  clientMessageId = '',
): RequestSpec {
  const bearer = { authorization: `Bearer ${user.token}` };
  const imkit = { 'im-client-key': world.clientKey, 'im-authorization': user.token };
  const rocketchat = { 'x-user-id': user.userId, 'x-auth-token': user.token };
  const gql = (query: string, variables: Record<string, unknown> = {}): RequestSpec => ({
    op,
    method: 'POST',
    path: '/graphql',
    headers: bearer,
    graphql: true,
    body: { query, variables },
  });
  const text = `chaos ${clientMessageId}`;
  switch (op) {
    case 'gql.rooms':
      return gql(GQL_ROOMS);
    case 'gql.messages':
      return gql(GQL_MESSAGES, { id: roomId });
    case 'gql.send':
      return gql(GQL_SEND, { input: { roomId, message: text, clientMessageId } });
    case 'gql.markRead':
      return gql(GQL_MARK_READ, { roomId });
    case 'imkit.rooms':
      return { op, method: 'GET', path: '/rooms?limit=20', headers: imkit };
    case 'imkit.messages':
      return {
        op,
        method: 'GET',
        path: `/rooms/${encodeURIComponent(roomId)}/messages/v3?limit=20`,
        headers: imkit,
      };
    case 'imkit.send':
      return {
        op,
        method: 'POST',
        path: `/rooms/${encodeURIComponent(roomId)}/message`,
        headers: imkit,
        body: { message: text, messageType: 'text', clientMessageId },
      };
    case 'rc.subscriptions':
      return { op, method: 'GET', path: '/api/v1/subscriptions.get', headers: rocketchat };
    case 'rc.send':
      return {
        op,
        method: 'POST',
        path: '/api/v1/chat.sendMessage',
        headers: rocketchat,
        body: { message: { rid: roomId, msg: text, _id: clientMessageId } },
      };
  }
}

export function isSend(op: Op): op is Send {
  return (SENDS as readonly string[]).includes(op);
}

/** The stored message's id from a send's successful answer. */
export function sentMessageId(answer: Exchange): string | undefined {
  const body = answer.body as Record<string, unknown> | undefined;
  switch (answer.op) {
    case 'gql.send':
      return dig(body, ['data', 'sendMessage', 'chatMessage', 'messageId']);
    case 'imkit.send':
      return dig(body, ['result', '_id']);
    case 'rc.send':
      return dig(body, ['message', '_id']);
    default:
      return undefined;
  }
}

function dig(value: unknown, path: string[]): string | undefined {
  let current = value;
  for (const key of path) current = (current as Record<string, unknown> | undefined)?.[key];
  return typeof current === 'string' ? current : undefined;
}
