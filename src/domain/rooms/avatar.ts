import { InvalidInputError } from '../errors.js';
import { readRasterImage, type RasterImage, type RasterType } from '../images/raster-image.js';
import type { AvatarLimits } from './avatar-limits.js';

/*
 * A room avatar is a raster image (PNG, JPEG, GIF, WebP) recognised by its bytes: its
 * content type is the one the bytes say, whatever the upload declared. Nothing that a
 * browser could run (SVG, HTML, an image carrying markup) is stored, and nothing stored
 * before this rule that breaks it is served: transports serve getRoomAvatarImage
 * (room.service.ts).
 */

/** An uploaded file as the transport received it: its bytes not read yet, so the size is checked first. */
export interface AvatarUpload {
  content: Blob;
  filename: string;
}

export interface AvatarImage {
  bytes: Uint8Array;
  mime: RasterType;
  filename: string;
}

/** Markup a browser would act on if it ever took the bytes for a document: a polyglot's second half. */
const MARKUP = /<(?:script|html|head|body|svg|iframe|object|embed|!doctype)[\s/>]/i;

/** The raster image these bytes are, unless they also carry markup. */
function recognise(bytes: Uint8Array): RasterImage | null {
  const image = readRasterImage(bytes);
  return image &&
    !MARKUP.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'))
    ? image
    : null;
}

/** Reads an upload into an avatar, or refuses it with BAD_USER_INPUT (field avatar). */
export async function readAvatarUpload(upload: AvatarUpload, limits: AvatarLimits): Promise<AvatarImage> {
  const tooLarge = () =>
    new InvalidInputError(`An avatar may be at most ${limits.maxBytes} bytes`, { field: 'avatar' });
  if (upload.content.size > limits.maxBytes) throw tooLarge();
  const bytes = new Uint8Array(await upload.content.arrayBuffer());
  if (bytes.byteLength > limits.maxBytes) throw tooLarge();
  const image = recognise(bytes);
  if (!image) {
    throw new InvalidInputError('An avatar must be a PNG, JPEG, GIF or WebP image, and nothing else', {
      field: 'avatar',
    });
  }
  if (image.width > limits.maxDimension || image.height > limits.maxDimension) {
    throw new InvalidInputError(
      `An avatar may be at most ${limits.maxDimension}×${limits.maxDimension} pixels, not ${image.width}×${image.height}`,
      { field: 'avatar' },
    );
  }
  return { bytes, mime: image.type, filename: upload.filename };
}

/**
 * A stored avatar as it may be served: with the type its bytes say, or null when what is
 * stored is not a raster image (an SVG or HTML from before the rule).
 */
export function recogniseStoredAvatar(stored: { bytes: Uint8Array; filename: string }): AvatarImage | null {
  const image = recognise(stored.bytes);
  return image && { bytes: stored.bytes, mime: image.type, filename: stored.filename };
}
