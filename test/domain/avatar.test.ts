import { describe, expect, test } from 'vitest';
import { readRasterImage } from '../../src/domain/images/raster-image.js';
import { readAvatarUpload } from '../../src/domain/rooms/avatar.js';
import * as images from '../support/images.js';

/*
 * The avatar rule's parts that HTTP cannot show: an upload over the cap is refused
 * before its bytes are copied, and what the byte-level reader makes of each format.
 */

describe('readAvatarUpload', () => {
  test('an upload over the cap is refused by its size, before its bytes are read', async () => {
    const content = new Blob([new Uint8Array(2048)]);
    content.arrayBuffer = () => Promise.reject(new Error('the bytes were read'));
    await expect(
      readAvatarUpload({ content, filename: 'a.png' }, { maxBytes: 1024, maxDimension: 64 }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'avatar' });
  });
});

describe('readRasterImage', () => {
  test('reads the type and pixel size of each format from its bytes', () => {
    expect(readRasterImage(images.png(3, 5))).toEqual({ type: 'image/png', width: 3, height: 5 });
    expect(readRasterImage(images.jpeg)).toEqual({ type: 'image/jpeg', width: 64, height: 64 });
    expect(readRasterImage(images.jpegSized(300, 200))).toEqual({
      type: 'image/jpeg',
      width: 300,
      height: 200,
    });
    expect(readRasterImage(images.gif)).toEqual({ type: 'image/gif', width: 1, height: 1 });
    expect(readRasterImage(images.webp)).toEqual({ type: 'image/webp', width: 1, height: 1 });
    expect(readRasterImage(images.webpLossy)).toEqual({ type: 'image/webp', width: 1, height: 1 });
  });

  test('is null for anything else, and for a cut or extended image', () => {
    const png = images.png();
    const corrupted = new Uint8Array(png);
    corrupted[corrupted.length - 20] = (corrupted[corrupted.length - 20] ?? 0) ^ 0xff; // inside IDAT: its CRC no longer matches
    for (const bytes of [
      images.svgWithScript,
      images.html,
      new Uint8Array(),
      png.slice(0, 8),
      png.slice(0, png.length - 1),
      new Uint8Array([...png, 0]),
      corrupted,
      images.jpeg.slice(0, images.jpeg.length - 2),
      new Uint8Array([...images.gif, 0x3b]),
      images.webp.slice(0, images.webp.length - 1),
    ]) {
      expect(readRasterImage(bytes)).toBeNull();
    }
  });
});
