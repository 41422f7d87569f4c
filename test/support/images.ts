import { crc32, deflateSync } from 'node:zlib';
import { DEFAULT_AVATAR } from '../../src/rest/virola/default-avatar.js';

/*
 * Small real images of each accepted format, and the shapes attackers send instead, for
 * avatar tests. PNGs are encoded here (any size: a huge canvas compresses to little);
 * the others are well-known minimal files.
 */

/** Bytes a Blob or File takes as they are. */
export type Bytes = Uint8Array<ArrayBuffer>;

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A grey 8-bit PNG of the given size, with extra chunks (e.g. tEXt) before its pixels. */
export function png(width = 2, height = 2, extra: Buffer[] = []): Bytes {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no filter method, no interlace
  const rows = Buffer.alloc((width + 1) * height); // each row: filter byte 0, then zeros
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      ...extra,
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

/** A tEXt chunk: where a PNG polyglot hides its HTML. */
export function textChunk(keyword: string, text: string): Buffer {
  return chunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
}

/** A 64x64 baseline JPEG (the default avatar). */
export const jpeg: Bytes = new Uint8Array(DEFAULT_AVATAR.bytes);

/** The same JPEG declaring another size in its frame header (SOF0). */
export function jpegSized(width: number, height: number): Bytes {
  const bytes = new Uint8Array(jpeg);
  const view = Buffer.from(bytes.buffer);
  const sof = view.indexOf(Buffer.from([0xff, 0xc0]));
  view.writeUInt16BE(height, sof + 5);
  view.writeUInt16BE(width, sof + 7);
  return bytes;
}

/** The classic 1x1 transparent GIF89a. */
export const gif: Bytes = new Uint8Array(
  Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
);

/** A 1x1 lossless WebP (VP8L). */
export const webp: Bytes = new Uint8Array(
  Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
);

/** A 1x1 lossy WebP (VP8). */
export const webpLossy: Bytes = new Uint8Array(
  Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
);

export const svgWithScript: Bytes = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>',
);

export const html: Bytes = new TextEncoder().encode(
  '<!doctype html><html><script>alert(document.cookie)</script></html>',
);
