import { InvalidInputError } from '../../domain/errors.js';
import type { AvatarUpload } from '../../domain/rooms/avatar.js';

/*
 * Decoding what GraphQL's types cannot say by themselves: a JSON input that must be an
 * object, an uploaded file into what a service takes. Failures are BAD_USER_INPUT naming the field.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decodeJsonObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InvalidInputError(`${field} must be a JSON object`, { field });
  return value;
}

/** `{ "<tag>": "<color>" }`; the colors themselves are checked by the pref service. */
export function decodeTagColors(value: unknown): Record<string, string> {
  const object = decodeJsonObject(value, 'tagColors');
  for (const [tag, color] of Object.entries(object)) {
    if (typeof color !== 'string') {
      throw new InvalidInputError(`tagColors.${tag} must be a string like "#ffa01a"`, { field: 'tagColors' });
    }
  }
  return object as Record<string, string>;
}

/**
 * An uploaded file (GraphQL multipart request) as the room settings service takes it:
 * unread, so its size is checked before its bytes are copied; its declared type is not
 * passed on (the domain goes by the bytes).
 */
export function toAvatarUpload(file: File): AvatarUpload {
  return { content: file, filename: file.name || 'avatar' };
}
