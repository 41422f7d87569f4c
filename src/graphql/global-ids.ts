import { decodeGlobalID as decodePothosGlobalID } from '@pothos/plugin-relay';
import { InvalidInputError } from '../domain/errors.js';
import { MEMBER_KEY_SEPARATOR, memberKey, parseMemberKey } from '../domain/rooms/member-key.js';
import { stringProblem } from '../domain/untrusted-input.js';

/*
 * Global ids are opaque to clients: base64 of "<Type>:<key>". Keys are the ids of the
 * viewer's app (loaders are scoped to it), so an id minted in one app finds nothing in
 * another. Member keys join room and user id with a NUL, which no external id contains.
 */

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

const TYPENAME = /^[A-Z][A-Za-z]{0,63}$/;

function notIssued(globalId: string): InvalidInputError {
  const shown = stringProblem(globalId) ? '' : ` "${globalId.slice(0, 200)}"`;
  return new InvalidInputError(`Invalid global id${shown}: not an id this API issued`, { field: 'id' });
}

/**
 * Decodes a global id into a type name and a key the database can hold, or throws
 * BAD_USER_INPUT (not an internal error) for a malformed one. Base64 hides what the
 * input rule sees in a plain string, so the decoded key is checked here: no NUL, except
 * the one that joins a Member's two keys.
 */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodePothosGlobalID(globalId);
  } catch {
    throw notIssued(globalId);
  }
  const key = decoded.typename === 'Member' ? decoded.id.replace(MEMBER_KEY_SEPARATOR, '') : decoded.id;
  if (!TYPENAME.test(decoded.typename) || decoded.id === '' || stringProblem(key)) throw notIssued(globalId);
  return decoded;
}

/** A Member's node key is the domain's member key (src/domain/rooms/member-key.ts). */
export const memberNodeKey = memberKey;

export function parseMemberNodeKey(key: string): { roomId: string; userId: string } {
  const ids = parseMemberKey(key);
  if (!ids) throw new InvalidInputError('Invalid Member id: not an id this API issued', { field: 'id' });
  return ids;
}
