import { randomBytes } from 'node:crypto';
import { messageOrderKey } from '../src/domain/messages/message.service.js';
import { encodeCursor } from '../src/domain/pagination.js';
import { GQL_MESSAGES, GQL_ROOM, GQL_ROOMS, GQL_SEND } from './documents.js';
import type { Fixtures, Viewer } from './fixtures.js';
import { hashToken, type FloorInput, type FloorQuery } from './floor/floor-query.js';
import { gqlMessagesFloor, gqlRoomFloor, gqlRoomsFloor } from './floor/gql-floor.js';
import {
  imkitMessagesFloor,
  imkitRoomsFloor,
  imkitRoomsTagFloor,
  imkitRoomsUpdatedFloor,
  rocketRoomsGetFloor,
} from './floor/rest-floor.js';
import { sendFloor } from './floor/write-floor.js';
import type { HttpRequestSpec } from './load.js';

/*
 * The bench cases: what a chat app reads and writes most. Each one is a list of requests
 * over many users, rooms and cursors, in three forms: to chat-bff, to the node:http floor
 * (b), and as statement inputs for the in-process floor (a). Request i of each form asks
 * for the same data.
 * Writes make a fresh clientMessageId per request.
 */

export interface BenchCase {
  name: string;
  kind: 'read' | 'write';
  description: string;
  /** How many distinct requests the case cycles through (writes: endless). */
  distinct: number;
  chatBff(i: number): HttpRequestSpec;
  floorHttp(i: number): HttpRequestSpec;
  floorInput(i: number): FloorInput;
  floor: FloorQuery;
}

const GQL_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

function gqlRequest(viewer: Viewer, query: string, variables: Record<string, unknown>): HttpRequestSpec {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { ...GQL_HEADERS, authorization: `Bearer ${viewer.token}` },
    body: JSON.stringify({ query, variables }),
  };
}

/** The floor reads the same kind of request: a POST whose JSON body carries the variables. */
function floorGqlRequest(
  floor: FloorQuery,
  viewer: Viewer,
  query: string,
  variables: Record<string, unknown>,
): HttpRequestSpec {
  return { ...gqlRequest(viewer, query, variables), path: `/floor/${floor.name}` };
}

function withQuery(path: string, params: Record<string, string>): string {
  return `${path}?${new URLSearchParams(params).toString()}`;
}

interface Item {
  viewer: Viewer;
  chatBff: HttpRequestSpec;
  floorHttp: HttpRequestSpec;
  args: Record<string, unknown>;
  clientKey?: string;
  userIdHeader?: string;
}

function readCase(name: string, description: string, floor: FloorQuery, items: Item[]): BenchCase {
  if (items.length === 0) throw new Error(`${name}: the data set offers nothing to ask for`);
  const inputs: FloorInput[] = items.map((item) => ({
    tokenHash: hashToken(item.viewer.token),
    args: item.args,
    ...(item.clientKey !== undefined && { clientKey: item.clientKey }),
    ...(item.userIdHeader !== undefined && { userIdHeader: item.userIdHeader }),
  }));
  const at = <T>(list: T[], i: number) => list[i % list.length] as T;
  return {
    name,
    kind: 'read',
    description,
    distinct: items.length,
    chatBff: (i) => at(items, i).chatBff,
    floorHttp: (i) => at(items, i).floorHttp,
    floorInput: (i) => at(inputs, i),
    floor,
  };
}

function gqlRoomsCase(name: string, description: string, viewers: Viewer[]): BenchCase {
  return readCase(
    name,
    description,
    gqlRoomsFloor,
    viewers.map((viewer) => ({
      viewer,
      chatBff: gqlRequest(viewer, GQL_ROOMS, { first: 20 }),
      floorHttp: floorGqlRequest(gqlRoomsFloor, viewer, GQL_ROOMS, { first: 20 }),
      args: { first: 20 },
    })),
  );
}

function gqlMessagesCase(name: string, description: string, fx: Fixtures, seqs: number[]): BenchCase {
  const roomId = fx.busiestRoom.roomId;
  return readCase(
    name,
    description,
    gqlMessagesFloor,
    seqs.map((seq, i) => {
      const viewer = fx.busiestRoomMembers[i % fx.busiestRoomMembers.length] as Viewer;
      // The cursor chat-bff itself hands out for the message with this sequence number.
      const before = encodeCursor(messageOrderKey('SEQUENCE'), [seq]);
      return {
        viewer,
        chatBff: gqlRequest(viewer, GQL_MESSAGES, { roomId, before }),
        floorHttp: floorGqlRequest(gqlMessagesFloor, viewer, GQL_MESSAGES, { roomId, beforeSeq: seq }),
        args: { roomId, beforeSeq: seq },
      };
    }),
  );
}

function imkitHeaders(fx: Fixtures, viewer: Viewer): Record<string, string> {
  return { 'im-client-key': fx.clientKey, 'im-authorization': viewer.token };
}

function imkitRoomsCase(
  name: string,
  description: string,
  fx: Fixtures,
  floor: FloorQuery,
  viewers: Viewer[],
  extra: Record<string, string>,
): BenchCase {
  const params = { limit: '20', sort: '-lastMessage', ...extra };
  return readCase(
    name,
    description,
    floor,
    viewers.map((viewer) => ({
      viewer,
      chatBff: { method: 'GET', path: withQuery('/rooms', params), headers: imkitHeaders(fx, viewer) },
      floorHttp: {
        method: 'GET',
        path: withQuery(`/floor/${floor.name}`, params),
        headers: imkitHeaders(fx, viewer),
      },
      args: params,
      clientKey: fx.clientKey,
    })),
  );
}

function sendCase(
  name: string,
  description: string,
  senders: { viewer: Viewer; roomId: string }[],
): BenchCase {
  if (senders.length === 0) throw new Error(`${name}: no rooms to send to`);
  // Unique per bench run, system and request: every send is a new message, never an idempotent retry.
  const run = randomBytes(4).toString('hex');
  const counters = { c: 0, f: 0, a: 0 };
  const next = (system: keyof typeof counters) => {
    const n = counters[system]++;
    const { viewer, roomId } = senders[n % senders.length] as { viewer: Viewer; roomId: string };
    const input = { roomId, message: `bench message ${n}`, clientMessageId: `bench-${run}-${system}-${n}` };
    return { viewer, input };
  };
  return {
    name,
    kind: 'write',
    description,
    distinct: senders.length,
    chatBff: () => {
      const { viewer, input } = next('c');
      return gqlRequest(viewer, GQL_SEND, { input });
    },
    floorHttp: () => {
      const { viewer, input } = next('f');
      return { ...gqlRequest(viewer, GQL_SEND, { input }), path: `/floor/${sendFloor.name}` };
    },
    floorInput: () => {
      const { viewer, input } = next('a');
      return { tokenHash: hashToken(viewer.token), args: { input } };
    },
    floor: sendFloor,
  };
}

export function buildCases(fx: Fixtures): BenchCase[] {
  const hourBefore = new Date(fx.until.getTime() - 3600_000).toISOString();
  const dayBefore = new Date(fx.until.getTime() - 24 * 3600_000).toISOString();
  const cases: BenchCase[] = [
    gqlRoomsCase(
      'GQL-ROOMS heavy',
      `viewer.rooms(first: 20) with unread, lastMessage { sender }, pref, members(first: 5); ${fx.heavyUsers.length} heaviest users (top 1% by rooms)`,
      fx.heavyUsers,
    ),
    gqlRoomsCase(
      'GQL-ROOMS typical',
      `the same for ${fx.typicalUsers.length} users in 20-100 rooms`,
      fx.typicalUsers,
    ),
    gqlMessagesCase(
      'GQL-MESSAGES deep',
      `room.messages(last: 50, before: cursor) in the busiest room (${fx.busiestRoom.messages} messages), cursors in its oldest tenth`,
      fx,
      fx.deepSeqs,
    ),
    gqlMessagesCase('GQL-MESSAGES head', 'the same, cursors among its newest 200 messages', fx, fx.headSeqs),
    readCase(
      'GQL-ROOM',
      `room(id) with members(first: 50) and their badges; ${fx.roomMembers.length} (member, group room) pairs`,
      gqlRoomFloor,
      fx.roomMembers.map(({ viewer, roomId }) => ({
        viewer,
        chatBff: gqlRequest(viewer, GQL_ROOM, { roomId }),
        floorHttp: floorGqlRequest(gqlRoomFloor, viewer, GQL_ROOM, { roomId }),
        args: { roomId },
      })),
    ),
    imkitRoomsCase(
      'REST-IMKIT-ROOMS',
      'GET /rooms?limit=20&sort=-lastMessage (rooms with last message and up to 100 members each); typical users',
      fx,
      imkitRoomsFloor,
      fx.typicalUsers,
      {},
    ),
    imkitRoomsCase(
      'REST-IMKIT-ROOMS updatedAfter',
      'the same with updatedAfter one day before the newest message',
      fx,
      imkitRoomsUpdatedFloor,
      fx.typicalUsers,
      { updatedAfter: dayBefore },
    ),
    imkitRoomsCase(
      'REST-IMKIT-ROOMS pref-tag',
      `the same with pref={"tags":["${fx.tag}"]}; users who use that tag`,
      fx,
      imkitRoomsTagFloor,
      fx.taggedUsers,
      { pref: JSON.stringify({ tags: [fx.tag] }) },
    ),
    readCase(
      'REST-IMKIT-MESSAGES',
      `GET /rooms/{id}/messages/v3?limit=50&beforeMessage=…; ${fx.messagePositions.length} rooms with 100+ messages, a random position in each`,
      imkitMessagesFloor,
      fx.messagePositions.map(({ viewer, roomId, messageId }) => {
        const params = { limit: '50', beforeMessage: messageId };
        return {
          viewer,
          chatBff: {
            method: 'GET',
            path: withQuery(`/rooms/${encodeURIComponent(roomId)}/messages/v3`, params),
            headers: imkitHeaders(fx, viewer),
          },
          floorHttp: {
            method: 'GET',
            path: withQuery(`/floor/${imkitMessagesFloor.name}`, { ...params, roomId }),
            headers: imkitHeaders(fx, viewer),
          },
          args: { ...params, roomId },
          clientKey: fx.clientKey,
        };
      }),
    ),
    readCase(
      'REST-ROCKET-ROOMS-GET',
      'GET /api/v1/rooms.get?updatedSince=<one hour before the newest message>; typical users',
      rocketRoomsGetFloor,
      fx.typicalUsers.map((viewer) => {
        const headers = { 'x-auth-token': viewer.token, 'x-user-id': viewer.userId };
        const params = { updatedSince: hourBefore };
        return {
          viewer,
          chatBff: { method: 'GET', path: withQuery('/api/v1/rooms.get', params), headers },
          floorHttp: {
            method: 'GET',
            path: withQuery(`/floor/${rocketRoomsGetFloor.name}`, params),
            headers,
          },
          args: params,
          userIdHeader: viewer.userId,
        };
      }),
    ),
    sendCase(
      'WRITE-SEND 2 members',
      `sendMessage into ${new Set(fx.smallRoomSenders.map((s) => s.roomId)).size} direct rooms (2 members)`,
      fx.smallRoomSenders,
    ),
    sendCase(
      'WRITE-SEND 2000 members',
      `sendMessage into the ${new Set(fx.bigRoomSenders.map((s) => s.roomId)).size} biggest rooms (2,000+ members at medium scale)`,
      fx.bigRoomSenders,
    ),
  ];
  return cases;
}
