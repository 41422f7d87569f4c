import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import type { RoomPrefPatch } from '../../src/domain/rooms/pref.service.js';
import { createRoom, deleteRoom } from '../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../src/domain/rooms/read-state.service.js';
import { removeMember } from '../../src/domain/rooms/membership.service.js';
import { updateRoomPref } from '../../src/domain/rooms/pref.service.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * viewer.rooms against a seeded app: every filter, every order and combinations of
 * both, checked against a model of the seed; keyset walks both ways that visit every
 * room exactly once, also while messages arrive between pages.
 */

type Field = 'LAST_MESSAGE_TIME' | 'CREATED_TIME' | 'NAME' | 'UNREAD_COUNT';
type Direction = 'ASC' | 'DESC';
interface Order {
  field: Field;
  direction: Direction;
}
interface Filter {
  tags?: string[];
  folder?: string;
  hidden?: boolean;
  sticky?: boolean;
  muted?: boolean;
  roomType?: 'DIRECT' | 'GROUP';
  updatedAfter?: string | number;
  hasUnread?: boolean;
  nameContains?: string;
}

interface Spec {
  id: string;
  name: string;
  direct?: string; // the other member of a direct room
  createdHour: number;
  /** [sender, minute after day 1] */
  messages: [string, number][];
  /** How many of the messages eve has read. */
  read?: number;
  pref?: RoomPrefPatch;
}

const BASE = Date.parse('2025-03-01T00:00:00.000Z');
const hour = (h: number) => new Date(BASE + h * 3_600_000);
const minute = (m: number) => new Date(BASE + 24 * 3_600_000 + m * 60_000);

// Names are lowercase ASCII so PostgreSQL's collation and JavaScript agree on their order.
const SPECS: Spec[] = [
  {
    id: 'r01',
    name: 'alpha',
    createdHour: 1,
    messages: [
      ['fred', 5],
      ['gina', 30],
    ],
    pref: { tags: ['work'], folder: 'inbox' },
  },
  {
    id: 'r02',
    name: 'bravo',
    createdHour: 2,
    messages: [['fred', 10]],
    read: 1,
    pref: { tags: ['home'], muted: true },
  },
  { id: 'r03', name: 'charlie', createdHour: 3, messages: [], pref: { hidden: true, folder: 'archive' } },
  {
    id: 'r04',
    name: 'delta',
    createdHour: 4,
    messages: [
      ['gina', 1],
      ['fred', 2],
      ['gina', 3],
    ],
    read: 1,
    pref: { sticky: true, tags: ['work', 'urgent'] },
  },
  {
    id: 'r05',
    name: 'delta',
    createdHour: 5,
    messages: [['fred', 50]],
    pref: { tags: ['home', 'work'], folder: 'inbox' },
  },
  {
    id: 'r06',
    name: 'echo',
    direct: 'fred',
    createdHour: 6,
    messages: [
      ['fred', 20],
      ['fred', 21],
    ],
    read: 2,
  },
  {
    id: 'r07',
    name: 'foxtrot',
    direct: 'gina',
    createdHour: 7,
    messages: [['gina', 40]],
    pref: { muted: true, sticky: true },
  },
  {
    id: 'r08',
    name: 'golf',
    createdHour: 8,
    messages: [
      ['hank', 15],
      ['fred', 16],
      ['gina', 17],
      ['hank', 18],
    ],
    pref: { hidden: true },
  },
  { id: 'r09', name: 'hotel', createdHour: 60, messages: [] }, // created after every message
  {
    id: 'r10',
    name: 'india',
    createdHour: 9,
    messages: [['fred', 45]],
    read: 1,
    pref: { folder: 'archive', tags: ['urgent'] },
  },
  {
    id: 'r11',
    name: 'juliett',
    createdHour: 10,
    messages: [
      ['gina', 8],
      ['gina', 9],
    ],
    pref: { muted: true, hidden: false },
  },
  { id: 'r12', name: 'kilo', createdHour: 11, messages: [['hank', 33]], read: 1, pref: { sticky: true } },
];

interface ModelRoom {
  id: string;
  name: string;
  type: 'DIRECT' | 'GROUP';
  createdAt: number;
  lastMessageAt: number | null;
  unread: number;
  tags: string[];
  folder: string | null;
  hidden: boolean;
  sticky: boolean;
  muted: boolean;
}

const MODEL: ModelRoom[] = SPECS.map((s) => ({
  id: s.id,
  name: s.name,
  type: s.direct ? 'DIRECT' : 'GROUP',
  createdAt: hour(s.createdHour).getTime(),
  lastMessageAt: s.messages.length ? minute(Math.max(...s.messages.map(([, m]) => m))).getTime() : null,
  unread: s.messages.length - (s.read ?? 0),
  tags: s.pref?.tags ?? [],
  folder: s.pref?.folder ?? null,
  hidden: s.pref?.hidden ?? false,
  sticky: s.pref?.sticky ?? false,
  muted: s.pref?.muted ?? false,
}));

function matches(room: ModelRoom, filter: Filter): boolean {
  const after = filter.updatedAfter === undefined ? undefined : new Date(filter.updatedAfter).getTime();
  return (
    (!filter.tags?.length || filter.tags.some((t) => room.tags.includes(t))) &&
    (filter.folder === undefined || room.folder === filter.folder) &&
    (filter.hidden === undefined || room.hidden === filter.hidden) &&
    (filter.sticky === undefined || room.sticky === filter.sticky) &&
    (filter.muted === undefined || room.muted === filter.muted) &&
    (filter.roomType === undefined || room.type === filter.roomType) &&
    (after === undefined ||
      (room.lastMessageAt !== null && room.lastMessageAt > after) ||
      room.createdAt > after) &&
    (filter.hasUnread === undefined || room.unread > 0 === filter.hasUnread) &&
    (filter.nameContains === undefined || room.name.toLowerCase().includes(filter.nameContains.toLowerCase()))
  );
}

function sortValue(room: ModelRoom, field: Field): number | string {
  switch (field) {
    case 'LAST_MESSAGE_TIME':
      return room.lastMessageAt ?? room.createdAt;
    case 'CREATED_TIME':
      return room.createdAt;
    case 'NAME':
      return room.name;
    case 'UNREAD_COUNT':
      return room.unread;
  }
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function expected(filter: Filter, orderBy: Order[], unreadFirst = false): string[] {
  const orders = orderBy.length ? orderBy : [{ field: 'LAST_MESSAGE_TIME', direction: 'DESC' } as Order];
  return MODEL.filter((r) => matches(r, filter))
    .sort((a, b) => {
      if (unreadFirst && a.unread > 0 !== b.unread > 0) return a.unread > 0 ? -1 : 1;
      for (const o of orders) {
        const c = compare(sortValue(a, o.field), sortValue(b, o.field));
        if (c !== 0) return o.direction === 'ASC' ? c : -c;
      }
      return compare(a.id, b.id);
    })
    .map((r) => r.id);
}

const ROOMS = `query Rooms($first: Int, $after: String, $last: Int, $before: String, $filter: RoomFilter, $orderBy: [RoomOrder!], $unreadFirst: Boolean) {
  viewer {
    rooms(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy, unreadFirst: $unreadFirst) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { roomId } }
    }
  }
}`;

interface RoomsPage {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: { roomId: string } }[];
}

let h: StartedApp;
let app: TestApp;
let token: string;

async function rooms(variables: Record<string, unknown>): Promise<RoomsPage> {
  const res = await h.request<{ viewer: { rooms: RoomsPage } }>(ROOMS, { variables, headers: bearer(token) });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.viewer.rooms;
}

async function ids(variables: Record<string, unknown>): Promise<string[]> {
  return (await rooms({ first: 100, ...variables })).edges.map((e) => e.node.roomId);
}

/** Pages forward with first/after and backward with last/before; returns the rooms in list order. */
async function walk(
  variables: Record<string, unknown>,
  size: number,
  backward: boolean,
  between?: (page: number) => Promise<void>,
) {
  const seen: string[][] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const result = await rooms(
      backward ? { ...variables, last: size, before: cursor } : { ...variables, first: size, after: cursor },
    );
    const pageIds = result.edges.map((e) => e.node.roomId);
    seen.push(pageIds);
    expect(result.pageInfo.startCursor).toBe(result.edges[0]?.cursor ?? null);
    expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)?.cursor ?? null);
    const more = backward ? result.pageInfo.hasPreviousPage : result.pageInfo.hasNextPage;
    // The side we came from has more exactly when we came from somewhere.
    expect(backward ? result.pageInfo.hasNextPage : result.pageInfo.hasPreviousPage).toBe(cursor !== null);
    if (!more) break;
    expect(pageIds).toHaveLength(size);
    cursor = backward ? result.pageInfo.startCursor : result.pageInfo.endCursor;
    await between?.(page);
  }
  return backward ? seen.reverse().flat() : seen.flat();
}

beforeAll(async () => {
  h = await startInProcessApp();
  app = await createTestApp(h.db, ['eve', 'fred', 'gina', 'hank']);
  for (const spec of SPECS) {
    await createRoom(app.as('eve', hour(spec.createdHour)), {
      roomId: spec.id,
      name: spec.name,
      roomType: spec.direct ? 'direct' : 'group',
      memberIds: spec.direct ? [spec.direct] : ['fred', 'gina', 'hank'],
      createdAt: hour(spec.createdHour),
    });
    const sent = [];
    for (const [sender, m] of [...spec.messages].sort((a, b) => a[1] - b[1])) {
      sent.push(await sendMessage(app.as(sender, minute(m)), { roomId: spec.id, body: `${sender}@${m}` }));
    }
    if (spec.read) await markRoomRead(app.as('eve'), spec.id, sent[spec.read - 1]!.id);
    if (spec.pref) await updateRoomPref(app.as('eve'), spec.id, spec.pref);
  }
  // Rooms eve must never see: not hers, left, deleted.
  await createRoom(app.as('fred'), {
    roomId: 'x-other',
    name: 'alpha other',
    roomType: 'group',
    memberIds: ['gina'],
  });
  await createRoom(app.as('fred'), {
    roomId: 'x-left',
    name: 'alpha left',
    roomType: 'group',
    memberIds: ['eve'],
  });
  await removeMember(app.as('eve'), 'x-left', 'eve');
  await createRoom(app.as('eve'), {
    roomId: 'x-deleted',
    name: 'alpha deleted',
    roomType: 'group',
    memberIds: [],
  });
  await deleteRoom(app.as('eve'), 'x-deleted');
  token = await app.tokenFor('eve');
});
afterAll(() => h.close());

const FIELDS: Field[] = ['LAST_MESSAGE_TIME', 'CREATED_TIME', 'NAME', 'UNREAD_COUNT'];
const SINGLE_ORDERS: Order[] = FIELDS.flatMap((field) =>
  (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
);

describe('orders', () => {
  test('default: LAST_MESSAGE_TIME DESC (a room without messages by its creation time)', async () => {
    expect(await ids({})).toEqual(expected({}, []));
    expect((await ids({}))[0]).toBe('r09');
  });

  test.each(SINGLE_ORDERS)('$field $direction, room id breaking ties', async (order) => {
    expect(await ids({ orderBy: [order] })).toEqual(expected({}, [order]));
  });

  test.each(SINGLE_ORDERS)('unreadFirst, then $field $direction', async (order) => {
    const got = await ids({ orderBy: [order], unreadFirst: true });
    expect(got).toEqual(expected({}, [order], true));
    const firstRead = got.findIndex((id) => MODEL.find((r) => r.id === id)!.unread === 0);
    expect(got.slice(firstRead).every((id) => MODEL.find((r) => r.id === id)!.unread === 0)).toBe(true);
  });

  test('every pair of different keys, in every direction', async () => {
    for (const first of SINGLE_ORDERS) {
      for (const second of SINGLE_ORDERS.filter(
        (o) => o.field !== first.field && o.direction !== first.direction,
      )) {
        expect(
          await ids({ orderBy: [first, second] }),
          `${first.field} ${first.direction}, ${second.field}`,
        ).toEqual(expected({}, [first, second]));
      }
    }
  });

  test('three keys with unreadFirst', async () => {
    const orderBy: Order[] = [
      { field: 'UNREAD_COUNT', direction: 'ASC' },
      { field: 'NAME', direction: 'DESC' },
      { field: 'CREATED_TIME', direction: 'ASC' },
    ];
    expect(await ids({ orderBy, unreadFirst: true })).toEqual(expected({}, orderBy, true));
  });
});

const FILTERS: Filter[] = [
  { tags: ['work'] },
  { tags: ['home', 'urgent'] },
  { tags: [] },
  { tags: ['nobody-uses-this'] },
  { folder: 'inbox' },
  { folder: 'archive' },
  { hidden: true },
  { hidden: false },
  { sticky: true },
  { sticky: false },
  { muted: true },
  { muted: false },
  { roomType: 'DIRECT' },
  { roomType: 'GROUP' },
  { updatedAfter: minute(20).toISOString() },
  { updatedAfter: minute(20).getTime() }, // epoch milliseconds
  { updatedAfter: hour(30).toISOString() }, // only the room created after every message... and later messages
  { hasUnread: true },
  { hasUnread: false },
  { nameContains: 'ALP' },
  { nameContains: 'ta' },
  { tags: ['work'], hasUnread: true },
  { roomType: 'GROUP', muted: false, nameContains: 'a' },
  { hidden: false, sticky: true },
  { folder: 'inbox', updatedAfter: minute(40).toISOString() },
  { tags: ['work', 'home'], hidden: false, sticky: false, muted: false, hasUnread: true, roomType: 'GROUP' },
];

describe('filters', () => {
  test.each(FILTERS)('%j', async (filter) => {
    const want = expected(filter, []);
    const page = await rooms({ first: 100, filter });
    expect(page.edges.map((e) => e.node.roomId)).toEqual(want);
    expect(page.totalCount).toBe(want.length);
  });

  test('every RoomFilter field is exercised above', () => {
    const fields = new Set(FILTERS.flatMap((f) => Object.keys(f)));
    expect([...fields].sort()).toEqual(
      [
        'folder',
        'hasUnread',
        'hidden',
        'muted',
        'nameContains',
        'roomType',
        'sticky',
        'tags',
        'updatedAfter',
      ].sort(),
    );
  });

  test('filters combined with orders', async () => {
    const cases: [Filter, Order[], boolean][] = [
      [{ tags: ['work'] }, [{ field: 'NAME', direction: 'DESC' }], false],
      [
        { hasUnread: true },
        [
          { field: 'UNREAD_COUNT', direction: 'DESC' },
          { field: 'NAME', direction: 'ASC' },
        ],
        false,
      ],
      [{ roomType: 'GROUP', hidden: false }, [{ field: 'CREATED_TIME', direction: 'DESC' }], true],
      [{ updatedAfter: minute(10).toISOString() }, [{ field: 'LAST_MESSAGE_TIME', direction: 'ASC' }], true],
      [{ nameContains: 'e', muted: false }, [{ field: 'UNREAD_COUNT', direction: 'ASC' }], true],
    ];
    for (const [filter, orderBy, unreadFirst] of cases) {
      expect(await ids({ filter, orderBy, unreadFirst }), JSON.stringify([filter, orderBy])).toEqual(
        expected(filter, orderBy, unreadFirst),
      );
    }
  });

  test('nameContains matches % and _ literally', async () => {
    await createRoom(app.as('eve'), { roomId: 'r-pct', name: '100% done', roomType: 'group', memberIds: [] });
    await createRoom(app.as('eve'), {
      roomId: 'r-und',
      name: 'snake_case',
      roomType: 'group',
      memberIds: [],
    });
    try {
      expect(await ids({ filter: { nameContains: '0%' } })).toEqual(['r-pct']);
      expect(await ids({ filter: { nameContains: 'e_c' } })).toEqual(['r-und']);
      expect(await ids({ filter: { nameContains: '%' } })).toEqual(['r-pct']);
    } finally {
      await deleteRoom(app.as('eve'), 'r-pct');
      await deleteRoom(app.as('eve'), 'r-und');
    }
  });
});

describe('pagination', () => {
  const WALKS: [string, Record<string, unknown>][] = [
    ...SINGLE_ORDERS.map((o): [string, Record<string, unknown>] => [
      `${o.field} ${o.direction}`,
      { orderBy: [o] },
    ]),
    ['default order', {}],
    ['unreadFirst + NAME DESC', { unreadFirst: true, orderBy: [{ field: 'NAME', direction: 'DESC' }] }],
    [
      'UNREAD_COUNT DESC, CREATED_TIME ASC with a filter',
      {
        orderBy: [
          { field: 'UNREAD_COUNT', direction: 'DESC' },
          { field: 'CREATED_TIME', direction: 'ASC' },
        ],
        filter: { hidden: false },
      },
    ],
  ];

  test.each(WALKS)(
    '%s: forward and backward walks visit every room exactly once, in order',
    async (_name, variables) => {
      const all = await ids(variables);
      for (const size of [1, 3, 5]) {
        expect(await walk(variables, size, false)).toEqual(all);
        expect(await walk(variables, size, true)).toEqual(all);
      }
    },
  );

  test('last without before is the end of the list; first: 0 is an empty page', async () => {
    const all = await ids({});
    expect((await rooms({ last: 2 })).edges.map((e) => e.node.roomId)).toEqual(all.slice(-2));
    const empty = await rooms({ first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
    expect(empty.totalCount).toBe(all.length);
  });

  test('while messages arrive between pages: stable orders still visit every room exactly once', async () => {
    let n = 0;
    const arrive = async () => {
      const groups = SPECS.filter((spec) => !spec.direct);
      const room = groups[(n * 5) % groups.length]!;
      n++;
      await sendMessage(app.as('hank'), { roomId: room.id, body: `late ${n}` });
    };
    for (const orderBy of [
      [{ field: 'CREATED_TIME', direction: 'ASC' }],
      [{ field: 'NAME', direction: 'DESC' }],
    ]) {
      const before = await ids({ orderBy });
      expect(await walk({ orderBy }, 4, false, arrive)).toEqual(before);
      expect(await walk({ orderBy }, 4, true, arrive)).toEqual(before);
    }
  });

  test('while messages arrive in rooms already seen, a LAST_MESSAGE_TIME walk still sees every room once', async () => {
    const before = await ids({});
    const seen = new Set<string>();
    const all: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await rooms({ first: 3, after: cursor });
      for (const edge of page.edges) all.push(edge.node.roomId);
      page.edges.forEach((e) => seen.add(e.node.roomId));
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
      // A room already on screen gets a message: it moves to the top, before the cursor.
      await sendMessage(app.as('gina'), { roomId: all[0]!, body: 'bump' });
    }
    expect(all).toHaveLength(before.length);
    expect(new Set(all)).toEqual(new Set(before));
  });
});

describe('room fields', () => {
  test('a room carries its own fields and the viewer-specific ones', async () => {
    const res = await h.request<{ room: Record<string, unknown> }>(
      `{ room(id: "r04") {
          roomId name roomType visibility createdTime unread muted isSuperuser roomTags status readOnly archived
          pref { tags tagColors hidden sticky muted folder }
          lastMessage { message sender { userId } }
          viewerMembership { userId role badge lastRead { message } }
          members(first: 2) { totalCount pageInfo { hasNextPage } edges { node { userId role badge } } }
       } }`,
      { headers: bearer(token) },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.room).toEqual({
      roomId: 'r04',
      name: 'delta',
      roomType: 'GROUP',
      visibility: 'PRIVATE',
      createdTime: hour(4).toISOString(),
      unread: 2,
      muted: false,
      isSuperuser: false,
      roomTags: [],
      status: 1,
      readOnly: false,
      archived: false,
      pref: {
        tags: ['work', 'urgent'],
        tagColors: {},
        hidden: false,
        sticky: true,
        muted: false,
        folder: null,
      },
      lastMessage: { message: 'gina@3', sender: { userId: 'gina' } },
      viewerMembership: { userId: 'eve', role: 'OWNER', badge: 2, lastRead: { message: 'gina@1' } },
      members: {
        totalCount: 4,
        pageInfo: { hasNextPage: true },
        edges: [
          { node: { userId: 'eve', role: 'OWNER', badge: 2 } },
          { node: { userId: 'fred', role: 'MEMBER', badge: 1 } }, // his own message moved his read position
        ],
      },
    });
  });

  test('members pages forward and backward visit every member once', async () => {
    const query = `query($first: Int, $after: String, $last: Int, $before: String) { room(id: "r01") {
      members(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { userId } } } } }`;
    type Members = {
      room: { members: { pageInfo: RoomsPage['pageInfo']; edges: { node: { userId: string } }[] } };
    };
    const forward: string[] = [];
    let after: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof h.request<Members>>> = await h.request<Members>(query, {
        variables: { first: 1, after },
        headers: bearer(token),
      });
      const members = res.body.data!.room.members;
      forward.push(...members.edges.map((e) => e.node.userId));
      after = members.pageInfo.hasNextPage ? members.pageInfo.endCursor : null;
    } while (after);
    expect(forward).toEqual(['eve', 'fred', 'gina', 'hank']);
    const backward: string[] = [];
    let before: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof h.request<Members>>> = await h.request<Members>(query, {
        variables: { last: 3, before },
        headers: bearer(token),
      });
      const members = res.body.data!.room.members;
      backward.unshift(...members.edges.map((e) => e.node.userId));
      before = members.pageInfo.hasPreviousPage ? members.pageInfo.startCursor : null;
    } while (before);
    expect(backward).toEqual(forward);
  });
});
