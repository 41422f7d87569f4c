import { decodeGlobalID as decodePothosGlobalID } from '@pothos/plugin-relay';
import { InvalidInputError } from '../domain/errors.js';

/*
 * Global ids are opaque to clients: base64 of "<Type>:<key>". Keys are the ids of the
 * viewer's app (loaders are scoped to it), so an id minted in one app finds nothing in
 * another. Member keys join room and user id with a NUL, which no external id contains.
 */

const MEMBER_KEY_SEPARATOR = '\u0000';

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/** Decodes a global id, or throws BAD_USER_INPUT (not an internal error) for a malformed one. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  try {
    return decodePothosGlobalID(globalId);
  } catch {
    throw new InvalidInputError(`Invalid global id "${globalId}": not an id this API issued`, {
      field: 'id',
    });
  }
}

export function memberNodeKey(roomId: string, userId: string): string {
  return `${roomId}${MEMBER_KEY_SEPARATOR}${userId}`;
}

export function parseMemberNodeKey(key: string): { roomId: string; userId: string } {
  const index = key.indexOf(MEMBER_KEY_SEPARATOR);
  if (index <= 0 || index === key.length - 1) {
    throw new InvalidInputError('Invalid Member id: not an id this API issued', { field: 'id' });
  }
  return { roomId: key.slice(0, index), userId: key.slice(index + 1) };
}
