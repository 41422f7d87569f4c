import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { updateRoomRow } from '../../../src/domain/rooms/room.repository.js';
import { loadConfig } from '../../../src/config.js';
import { MAX_REQUEST_BYTES } from '../../../src/server.js';
import { createRoom, getRoomAvatar } from '../../../src/domain/rooms/room.service.js';
import { DEFAULT_AVATAR } from '../../../src/rest/virola/default-avatar.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
import * as images from '../../support/images.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, silentLog, type InProcessApp } from '../../support/in-process-app.js';
import { createMemoryEventBus } from '../../../src/realtime/event-bus.js';

/*
 * Room avatars over HTTP: uploaded with updateRoom (a GraphQL multipart request), served
 * by Virola's GET /api/v1/rooms/{roomId}/avatar.jpg. Only PNG, JPEG, GIF and WebP are
 * taken, told by their bytes (never the declared type or the name), within a size and a
 * pixel cap; what is served has the type its bytes say.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

interface Room {
  /** Uploads a file as the room's avatar; the mutation's result (payload or error). */
  upload(
    bytes: images.Bytes,
    filename: string,
    type: string,
    app?: InProcessApp,
  ): Promise<{ __typename: string; code?: string; field?: string; message?: string }>;
  /** GET the avatar through Virola. */
  served(): Promise<{ status: number; type: string | null; bytes: Uint8Array; headers: Headers }>;
  /** What the database holds. */
  stored(): Promise<{ bytes: Uint8Array; mime: string; filename: string } | null>;
  appId: string;
  id: string;
}

async function room(): Promise<Room> {
  const app = await createTestApp(database.db, ['owner']);
  const created = await createRoom(app.as('owner'), { name: 'Pics', roomType: 'group', memberIds: [] });
  const auth = bearer(await app.tokenFor('owner'));
  return {
    appId: app.appId,
    id: created.id,
    async upload(bytes, filename, type, on = h) {
      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query:
            'mutation($input: UpdateRoomInput!) { updateRoom(input: $input) { __typename ... on Error { code field message } } }',
          variables: { input: { roomId: created.id, avatar: null } },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.input.avatar'] }));
      form.set('0', new File([bytes], filename, { type }));
      const response = await on.fetch(
        new Request('http://chat-bff.test/graphql', { method: 'POST', headers: auth, body: form }),
      );
      const body = (await response.json()) as {
        data?: { updateRoom: { __typename: string; code?: string; field?: string; message?: string } };
        errors?: unknown;
      };
      if (!body.data) throw new Error(`updateRoom failed: ${JSON.stringify(body.errors)}`);
      return body.data.updateRoom;
    },
    async served() {
      const response = await h.fetch(
        new Request(`http://chat-bff.test/api/v1/rooms/${created.numId}/avatar.jpg`, { headers: auth }),
      );
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        bytes: new Uint8Array(await response.arrayBuffer()),
        headers: response.headers,
      };
    },
    stored: () => getRoomAvatar(app.as('owner'), created.id),
  };
}

const refused = { __typename: 'InvalidInputError', code: 'BAD_USER_INPUT', field: 'avatar' };
const defaultAvatar = new Uint8Array(DEFAULT_AVATAR.bytes);

describe('room avatars are raster images, told by their bytes', () => {
  test('an SVG with a script is refused, however it is declared, and nothing is stored', async () => {
    const r = await room();
    for (const [name, type] of [
      ['evil.svg', 'image/svg+xml'],
      ['evil.png', 'image/png'],
      ['evil', ''],
    ] as const) {
      expect(await r.upload(images.svgWithScript, name, type)).toMatchObject(refused);
    }
    expect(await r.stored()).toBeNull();
    const served = await r.served();
    expect(served.type).toBe('image/jpeg');
    expect(served.bytes).toEqual(defaultAvatar);
  });

  test('HTML renamed .png and declared image/png is refused', async () => {
    const r = await room();
    const answer = await r.upload(images.html, 'cat.png', 'image/png');
    expect(answer).toMatchObject(refused);
    expect(answer.message).toMatch(/PNG, JPEG, GIF or WebP/);
    expect(await r.stored()).toBeNull();
  });

  test('a PNG signature on garbage, a truncated image, bytes after the end and an image carrying markup are refused', async () => {
    const r = await room();
    const png = images.png();
    const attempts: images.Bytes[] = [
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
      png.slice(0, png.length - 4),
      new Uint8Array([...png, ...new TextEncoder().encode('<script>alert(1)</script>')]),
      new Uint8Array([...images.gif, ...new TextEncoder().encode('<html>')]),
      new Uint8Array([...images.jpeg, 0]),
      images.png(2, 2, [images.textChunk('Comment', '<html><script>alert(1)</script></html>')]),
      new Uint8Array(), // empty
    ];
    for (const bytes of attempts) {
      expect(await r.upload(bytes, 'a.png', 'image/png')).toMatchObject(refused);
    }
    expect(await r.stored()).toBeNull();
  });

  test('PNG, JPEG, GIF and WebP are accepted and served back with the type their bytes say', async () => {
    const r = await room();
    const cases: [images.Bytes, string][] = [
      [images.png(3, 2, [images.textChunk('Title', 'a harmless caption')]), 'image/png'],
      [images.jpeg, 'image/jpeg'],
      [images.gif, 'image/gif'],
      [images.webp, 'image/webp'],
      [images.webpLossy, 'image/webp'],
    ];
    for (const [bytes, type] of cases) {
      // Declared as nothing in particular: the bytes decide.
      expect(await r.upload(bytes, 'upload.bin', 'application/octet-stream')).toEqual({
        __typename: 'UpdateRoomPayload',
      });
      expect(await r.stored()).toMatchObject({ mime: type, filename: 'upload.bin' });
      const served = await r.served();
      expect(served.status).toBe(200);
      expect(served.type).toBe(type);
      expect(served.bytes).toEqual(bytes);
    }
  });

  test('a declared type that lies does not count: PNG bytes sent as image/svg+xml are stored and served as image/png', async () => {
    const r = await room();
    const png = images.png();
    expect((await r.upload(png, 'avatar.svg', 'image/svg+xml')).__typename).toBe('UpdateRoomPayload');
    expect(await r.stored()).toMatchObject({ mime: 'image/png' });
    const served = await r.served();
    expect(served.type).toBe('image/png');
    expect(served.bytes).toEqual(png);
  });
});

describe('avatar size and pixel caps', () => {
  test('over AVATAR_MAX_BYTES (default 1 MiB) is refused; so is a small file declaring a huge canvas', async () => {
    const r = await room();
    const big = images.png(2, 2, [images.textChunk('Pad', 'x'.repeat(1024 * 1024))]);
    const tooBig = await r.upload(big, 'big.png', 'image/png');
    expect(tooBig).toMatchObject(refused);
    expect(tooBig.message).toContain(String(1024 * 1024));
    for (const bomb of [images.png(4097, 1), images.png(1, 20000), images.jpegSized(5000, 10)]) {
      expect(bomb.byteLength).toBeLessThan(64 * 1024);
      const answer = await r.upload(bomb, 'bomb.png', 'image/png');
      expect(answer).toMatchObject(refused);
      expect(answer.message).toContain('4096×4096 pixels');
    }
    expect(await r.stored()).toBeNull();
    expect((await r.upload(images.png(4096, 1), 'wide.png', 'image/png')).__typename).toBe(
      'UpdateRoomPayload',
    );
  });

  test('AVATAR_MAX_BYTES and AVATAR_MAX_DIMENSION are settings', async () => {
    const r = await room();
    const small = createInProcessApp(database.db, {
      events: createMemoryEventBus({ log: silentLog }),
      env: {
        AVATAR_MAX_BYTES: '2048',
        AVATAR_MAX_DIMENSION: '64',
      },
    });
    const padded = images.png(2, 2, [images.textChunk('Pad', 'x'.repeat(2048))]);
    expect(await r.upload(padded, 'a.png', 'image/png', small)).toMatchObject(refused);
    expect(await r.upload(images.png(65, 1), 'a.png', 'image/png', small)).toMatchObject(refused);
    expect((await r.upload(images.png(64, 64), 'a.png', 'image/png', small)).__typename).toBe(
      'UpdateRoomPayload',
    );
  });
});

test('AVATAR_MAX_BYTES stays within what the HTTP server reads (MAX_REQUEST_BYTES), framing included', () => {
  const largest = loadConfig({ DATA_DIR: ':memory:', AVATAR_MAX_BYTES: String(3 * 1024 * 1024) });
  expect(largest.AVATAR_MAX_BYTES + 64 * 1024).toBeLessThan(MAX_REQUEST_BYTES);
  expect(() => loadConfig({ DATA_DIR: ':memory:', AVATAR_MAX_BYTES: String(MAX_REQUEST_BYTES) })).toThrow(
    /AVATAR_MAX_BYTES/,
  );
});

describe('avatars stored before the rule', () => {
  test('a stored SVG is not served: the default avatar is', async () => {
    const r = await room();
    await updateRoomRow(
      database.db,
      r.appId,
      r.id,
      { avatar: { bytes: images.svgWithScript, mime: 'image/svg+xml', filename: 'evil.svg' } },
      new Date(),
    );
    const served = await r.served();
    expect(served.status).toBe(200);
    expect(served.type).toBe('image/jpeg');
    expect(served.bytes).toEqual(defaultAvatar);
  });

  test('a stored image labelled with a wrong type is served with the type its bytes say', async () => {
    const r = await room();
    const gif = images.gif;
    await updateRoomRow(
      database.db,
      r.appId,
      r.id,
      { avatar: { bytes: gif, mime: 'text/html', filename: 'a.html' } },
      new Date(),
    );
    const served = await r.served();
    expect(served.type).toBe('image/gif');
    expect(served.bytes).toEqual(gif);
  });
});
