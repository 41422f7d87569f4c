import { crc32 } from 'node:zlib';

/*
 * What an image is, told by its bytes alone (never by a declared type or a file name):
 * PNG, JPEG, GIF or WebP, walked from the signature to the format's end marker, with the
 * pixel size its header declares. Anything else — SVG, HTML, a signature on garbage, a
 * truncated file, bytes after the end (where polyglots keep their second meaning) — is
 * not one. Hand-written rather than `file-type` + `image-size`: those look at the first
 * bytes and the header only, so they would accept a PNG signature followed by a script.
 * The compressed pixel data is not decoded (PNG chunks' CRCs are checked, JPEG's entropy
 * data is scanned for markers).
 */

export type RasterType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

export interface RasterImage {
  type: RasterType;
  /** The largest extent the image declares (a GIF's frames count too), in pixels. */
  width: number;
  height: number;
}

/** The image these bytes are, or null when they are not exactly one well-formed PNG, JPEG, GIF or WebP. */
export function readRasterImage(bytes: Uint8Array): RasterImage | null {
  const b = new Bytes(bytes);
  const image = startsWith(bytes, PNG)
    ? readPng(b)
    : startsWith(bytes, [0xff, 0xd8, 0xff])
      ? readJpeg(b)
      : startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))
        ? readGif(b)
        : startsWith(bytes, ascii('RIFF')) && startsWith(bytes.subarray(8), ascii('WEBP'))
          ? readWebp(b)
          : null;
  return image && image.width > 0 && image.height > 0 ? image : null;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Chunks from IHDR to IEND, each with a good CRC; at least one IDAT; nothing after IEND. */
function readPng(b: Bytes): RasterImage | null {
  let at = PNG.length;
  let size: { width: number; height: number } | null = null;
  let hasData = false;
  while (b.has(at, 12)) {
    const length = b.u32be(at);
    const type = b.ascii(at + 4, 4);
    if (!/^[A-Za-z]{4}$/.test(type) || !b.has(at + 8, length + 4)) return null;
    if (crc32(b.bytes.subarray(at + 4, at + 8 + length)) !== b.u32be(at + 8 + length)) return null;
    if ((size === null) !== (type === 'IHDR')) return null; // IHDR first, and once
    if (type === 'IHDR') {
      if (length !== 13) return null;
      size = { width: b.u32be(at + 8), height: b.u32be(at + 12) };
    }
    if (type === 'IDAT') hasData = true;
    at += 12 + length;
    if (type === 'IEND') return at === b.length && hasData && size ? { type: 'image/png', ...size } : null;
  }
  return null;
}

/** Marker segments from SOI to EOI, a frame header (SOF) before the first scan; nothing after EOI. */
function readJpeg(b: Bytes): RasterImage | null {
  let at = 2;
  let size: { width: number; height: number } | null = null;
  while (b.has(at, 2)) {
    if (b.at(at) !== 0xff) return null;
    const marker = b.at(at + 1);
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return at + 2 === b.length && size ? { type: 'image/jpeg', ...size } : null;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0x00 || marker === 0xd8 || !b.has(at + 2, 2)) return null;
    const length = b.u16be(at + 2);
    if (length < 2 || !b.has(at + 2, length)) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8 || size) return null;
      size = { height: b.u16be(at + 5), width: b.u16be(at + 7) };
    }
    at += 2 + length;
    if (marker === 0xda) {
      if (!size) return null;
      // Entropy-coded data: runs until a marker that is not a stuffed 0xFF00 or a restart marker.
      while (at < b.length) {
        const next = b.at(at + 1);
        if (b.at(at) === 0xff && next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        at += b.at(at) === 0xff ? 2 : 1;
      }
    }
  }
  return null;
}

/** Header, color tables, image and extension blocks up to the trailer; nothing after it. */
function readGif(b: Bytes): RasterImage | null {
  if (!b.has(0, 13)) return null;
  let width = b.u16le(6);
  let height = b.u16le(8);
  let at = 13 + colorTableSize(b.at(10));
  let hasImage = false;
  const skipSubBlocks = (from: number): number | null => {
    let p = from;
    for (;;) {
      if (!b.has(p, 1)) return null;
      const size = b.at(p);
      p += 1 + size;
      if (size === 0) return p;
    }
  };
  while (b.has(at, 1)) {
    const block = b.at(at);
    if (block === 0x3b) return at + 1 === b.length && hasImage ? { type: 'image/gif', width, height } : null;
    let next: number | null;
    if (block === 0x21) {
      next = skipSubBlocks(at + 2);
    } else if (block === 0x2c) {
      if (!b.has(at, 11)) return null;
      width = Math.max(width, b.u16le(at + 1) + b.u16le(at + 5));
      height = Math.max(height, b.u16le(at + 3) + b.u16le(at + 7));
      hasImage = true;
      next = skipSubBlocks(at + 10 + colorTableSize(b.at(at + 9)) + 1);
    } else {
      return null;
    }
    if (next === null) return null;
    at = next;
  }
  return null;
}

function colorTableSize(flags: number): number {
  return flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0;
}

/** A RIFF container whose length is the file's, of whole chunks, starting with an image chunk. */
function readWebp(b: Bytes): RasterImage | null {
  const riffLength = b.u32le(4);
  if (riffLength + 8 + (riffLength & 1) !== b.length) return null;
  let size: { width: number; height: number } | null = null;
  let hasImage = false;
  let at = 12;
  while (at < b.length) {
    if (!b.has(at, 8)) return null;
    const type = b.ascii(at, 4);
    const length = b.u32le(at + 4);
    const data = at + 8;
    if (!b.has(data, length + (length & 1))) return null;
    if (size === null) {
      size = webpSize(b, type, data, length);
      if (size === null) return null;
    }
    if (type === 'VP8 ' || type === 'VP8L' || type === 'ANMF') hasImage = true;
    at = data + length + (length & 1);
  }
  return size && hasImage ? { type: 'image/webp', ...size } : null;
}

function webpSize(
  b: Bytes,
  type: string,
  data: number,
  length: number,
): { width: number; height: number } | null {
  if (type === 'VP8 ' && length >= 10 && b.u16le(data + 3) === 0x019d && b.at(data + 5) === 0x2a) {
    return { width: b.u16le(data + 6) & 0x3fff, height: b.u16le(data + 8) & 0x3fff };
  }
  if (type === 'VP8L' && length >= 5 && b.at(data) === 0x2f) {
    const bits = b.u32le(data + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (type === 'VP8X' && length >= 10) {
    return { width: b.u24le(data + 4) + 1, height: b.u24le(data + 7) + 1 };
  }
  return null;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/** Bounds-checked reads (out of range reads as 0; callers check `has` before they trust a field). */
class Bytes {
  readonly length: number;
  constructor(readonly bytes: Uint8Array) {
    this.length = bytes.length;
  }
  has(at: number, count: number): boolean {
    return at >= 0 && count >= 0 && at + count <= this.length;
  }
  at(i: number): number {
    return this.bytes[i] ?? 0;
  }
  u16be(i: number): number {
    return this.at(i) * 0x100 + this.at(i + 1);
  }
  u16le(i: number): number {
    return this.at(i) + this.at(i + 1) * 0x100;
  }
  u24le(i: number): number {
    return this.u16le(i) + this.at(i + 2) * 0x10000;
  }
  u32be(i: number): number {
    return this.u16be(i) * 0x10000 + this.u16be(i + 2);
  }
  u32le(i: number): number {
    return this.u16le(i) + this.u16le(i + 2) * 0x10000;
  }
  ascii(i: number, count: number): string {
    return String.fromCharCode(...this.bytes.subarray(i, i + count));
  }
}
