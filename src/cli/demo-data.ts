import type { Config } from '../config.js';
import { createRequestContext, type RequestContext } from '../domain/context.js';
import type { Db } from '../db/create-database.js';
import { findAppById, listAppIds } from '../domain/apps/app.repository.js';
import { createApp, rotateApiKey } from '../domain/apps/app.service.js';
import { deleteMessage, setReaction } from '../domain/messages/message-edit.service.js';
import { sendMessage } from '../domain/messages/message.service.js';
import type { Message } from '../domain/messages/message.js';
import { createRoom, type CreateRoomInput } from '../domain/rooms/room.service.js';
import { markRoomRead } from '../domain/rooms/read-state.service.js';
import { updateRoomPref } from '../domain/rooms/pref.service.js';
import { issueToken } from '../domain/tokens/token.service.js';
import { findUsersByIds } from '../domain/users/user.repository.js';
import { createUser } from '../domain/users/user.service.js';
import type { UserInput } from '../domain/users/user.js';
import { platformViewer, userViewer } from '../domain/viewer.js';
import { createLogger } from '../logger.js';

/*
 * The documented example data (the IMKit documents in ../shared/seeds): app SampleApp,
 * users sss/Elsa, user-a/Alice, user-b/Bob, the rooms demo-room and project-room-001 and
 * a direct room, with messages, a reaction, a message deleted "for me", prefs and unread
 * counts. Everything goes through the domain services, as a client's writes would.
 * Idempotent: what exists is left alone (messages carry client message ids, so a
 * re-run never duplicates them), and every run issues fresh tokens.
 */

export const DEMO_APP_ID = 'SampleApp';
export const DEMO_PASSWORD = 'demo-password';

interface DemoUser {
  userId: string;
  input: UserInput;
}

const USERS: DemoUser[] = [
  {
    userId: 'sss',
    input: {
      nickname: 'Elsa',
      avatarUrl: 'https://lumiere-a.akamaihd.net/v1/images/f_frozen2_header_mobile_18432_d258f93f.jpeg',
      description: 'description la la #1583637224106',
    },
  },
  {
    userId: 'user-a',
    input: { nickname: 'Alice', avatarUrl: 'https://example.com/alice.jpg', description: 'Project lead' },
  },
  {
    userId: 'user-b',
    input: { nickname: 'Bob', avatarUrl: 'https://example.com/bob.jpg', description: 'Backend developer' },
  },
];

interface DemoMessage {
  from: string;
  text: string;
}

interface DemoRoom {
  ownerId: string;
  room: Omit<CreateRoomInput, 'ownerId'>;
  messages: DemoMessage[];
  /** After the messages: who has read up to which message (by index); senders have read their own. */
  reads?: { userId: string; upTo: number }[];
  reactions?: { userId: string; message: number; key: string }[];
  deletedForMe?: { userId: string; message: number }[];
  prefs?: {
    userId: string;
    tags?: string[];
    tagColors?: Record<string, string>;
    folder?: string;
    sticky?: boolean;
  }[];
}

const ROOMS: DemoRoom[] = [
  {
    ownerId: 'sss',
    room: {
      roomId: 'demo-room',
      roomType: 'group',
      visibility: 'public',
      name: 'Demo Demo',
      cover: 'http://loremflickr.com/240/240/style?demo',
      description: 'public demo room',
      webhook: 'meet-taipei-intro',
      botState: 'CONTACT',
      roomTags: ['demo', 'foo', 'bar'],
      memberIds: ['user-a', 'user-b'],
    },
    messages: [
      { from: 'sss', text: 'Welcome to the demo room!' },
      { from: 'user-a', text: 'Hi Elsa 👋' },
      { from: 'user-b', text: 'Hello from Bob' },
      { from: 'sss', text: 'Helloこんにちは SIKTMLNP 11:01:07' },
      { from: 'user-a', text: 'The GraphQL API is at /graphql, with GraphiQL' },
      { from: 'sss', text: 'Hello SIKTMLNP 11:01:07' },
    ],
    // Elsa is up to date (she wrote the last message), Alice has 1 unread, Bob 3.
    reactions: [
      { userId: 'user-a', message: 0, key: '👍' },
      { userId: 'user-b', message: 0, key: '❤️' },
    ],
    deletedForMe: [{ userId: 'sss', message: 3 }],
    prefs: [
      {
        userId: 'sss',
        tags: ['demo', 'sample'],
        tagColors: { demo: '#f2d700', sample: '#ffa01a' },
        folder: 'Some-Folder',
      },
    ],
  },
  {
    ownerId: 'user-a',
    room: {
      roomId: 'project-room-001',
      roomType: 'group',
      visibility: 'private',
      name: 'Project 001',
      description: '專案討論群',
      memberIds: ['user-b'],
    },
    messages: [
      { from: 'user-a', text: '大家好，這是專案討論群' },
      { from: 'user-b', text: '收到！' },
      { from: 'user-a', text: '會議改到週四下午兩點' },
      { from: 'user-a', text: '請大家更新進度' },
      { from: 'user-a', text: '設計稿已上傳' },
      { from: 'user-a', text: 'API 文件在 wiki' },
      { from: 'user-a', text: '最新的訊息內容' },
    ],
    // Bob read up to his own message: 5 unread, as in the documented room detail.
    prefs: [{ userId: 'user-b', sticky: true }],
  },
  {
    ownerId: 'user-a',
    room: { roomType: 'direct', memberIds: ['sss'] },
    messages: [
      { from: 'user-a', text: 'Hey Elsa, do you have a minute?' },
      { from: 'sss', text: 'Sure, what is up?' },
      { from: 'user-a', text: 'Could you review the demo room description?' },
    ],
    reads: [{ userId: 'sss', upTo: 1 }],
  },
];

export interface DemoCredentials {
  appId: string;
  clientKey: string;
  /** Null when the app already existed and its key was kept (only its hash is stored). */
  apiKey: string | null;
  /** True when this run created the app; false when it was there. */
  created: boolean;
  users: { userId: string; nickname: string; token: string; password: string; expiresAt: string | null }[];
}

export interface SeedDemoOptions {
  /** For an existing app: replace its API key so it can be shown (the old one stops working). */
  rotateApiKey: boolean;
  /** For an existing app: also create whatever demo rooms are missing. */
  completeExisting: boolean;
}

/** Whether the database holds no app at all: the case `serve --demo` seeds. */
export async function isEmptyDatabase(db: Db): Promise<boolean> {
  return (await listAppIds(db, 1)).length === 0;
}

export async function seedDemo(db: Db, config: Config, options: SeedDemoOptions): Promise<DemoCredentials> {
  const existing = await findAppById(db, DEMO_APP_ID);
  let clientKey: string;
  let apiKey: string | null = null;
  if (existing) {
    clientKey = existing.clientKey;
    if (options.rotateApiKey) apiKey = await rotateApiKey(db, DEMO_APP_ID);
  } else {
    const created = await createApp(db, { appId: DEMO_APP_ID, name: 'Sample App' });
    clientKey = created.clientKey;
    apiKey = created.apiKey;
  }
  if (!existing || options.completeExisting) {
    await ensureUsers(db);
    for (const room of ROOMS) await ensureRoom(db, room);
  }

  const users: DemoCredentials['users'] = [];
  for (const { userId, input } of USERS) {
    const issued = await issueToken(db, {
      appId: DEMO_APP_ID,
      userId,
      kind: 'client',
      ttlSeconds: config.TOKEN_TTL_SECONDS,
    });
    users.push({
      userId,
      nickname: input.nickname ?? userId,
      token: issued.token,
      password: DEMO_PASSWORD,
      expiresAt: issued.expiresAt?.toISOString() ?? null,
    });
  }
  return { appId: DEMO_APP_ID, clientKey, apiKey, created: !existing, users };
}

async function ensureUsers(db: Db): Promise<void> {
  const present = new Set(
    (
      await findUsersByIds(
        db,
        DEMO_APP_ID,
        USERS.map((u) => u.userId),
      )
    ).map((u) => u.id),
  );
  for (const { userId, input } of USERS) {
    if (!present.has(userId))
      await createUser(db, DEMO_APP_ID, userId, { ...input, password: DEMO_PASSWORD });
  }
}

const silent = createLogger('silent');

function contextAs(db: Db, userId: string | null, now: Date): RequestContext {
  return createRequestContext({
    db,
    viewer: userId === null ? platformViewer(DEMO_APP_ID) : userViewer(DEMO_APP_ID, userId),
    requestId: 'seed-demo',
    log: silent,
    now,
  });
}

async function ensureRoom(db: Db, demo: DemoRoom): Promise<void> {
  const roomId = demo.room.roomId;
  if (roomId && (await contextAs(db, null, new Date()).loaders.room.load(roomId))) return;

  // A conversation of the last hour: the room a day old, a message every few minutes.
  const end = Date.now();
  const at = (minutesAgo: number) => new Date(end - minutesAgo * 60_000);
  const room = await createRoom(contextAs(db, null, at(24 * 60)), {
    ...demo.room,
    ownerId: demo.ownerId,
    createdAt: at(24 * 60),
  });
  const sent: Message[] = [];
  for (const [index, message] of demo.messages.entries()) {
    const minutesAgo = (demo.messages.length - index) * 7;
    sent.push(
      await sendMessage(contextAs(db, message.from, at(minutesAgo)), {
        roomId: room.id,
        body: message.text,
        messageType: 'text',
        clientMessageId: `demo:${demo.room.roomId ?? 'direct'}:${index}`,
      }),
    );
  }
  const messageAt = (index: number): Message => {
    const message = sent[index];
    if (!message) throw new Error(`demo data: no message ${index} in ${room.id}`);
    return message;
  };
  const now = new Date(end);
  for (const read of demo.reads ?? []) {
    await markRoomRead(contextAs(db, read.userId, now), room.id, messageAt(read.upTo).id);
  }
  for (const reaction of demo.reactions ?? []) {
    await setReaction(
      contextAs(db, reaction.userId, now),
      messageAt(reaction.message).id,
      reaction.key,
      true,
    );
  }
  for (const deletion of demo.deletedForMe ?? []) {
    await deleteMessage(contextAs(db, deletion.userId, now), messageAt(deletion.message).id, 'FOR_ME');
  }
  for (const { userId, ...patch } of demo.prefs ?? []) {
    await updateRoomPref(contextAs(db, userId, now), room.id, patch);
  }
}
