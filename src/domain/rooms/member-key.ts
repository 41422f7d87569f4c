/*
 * Two ids as one string: a user in a room (the key of the membership and pref loaders,
 * and of a Member's global id), and the other pairs the domain keys maps and loaders by
 * (a user and a message, an app and a room). The ids are joined with a NUL, which the
 * input rule keeps out of every id a client sends, so the split is never ambiguous.
 */

export const MEMBER_KEY_SEPARATOR = '\u0000';

export function pairKey(first: string, second: string): string {
  return `${first}${MEMBER_KEY_SEPARATOR}${second}`;
}

/** The two ids of a pair key, or null when `key` is not one (no separator, or an empty side). */
export function parsePairKey(key: string): [string, string] | null {
  const index = key.indexOf(MEMBER_KEY_SEPARATOR);
  if (index <= 0 || index === key.length - 1) return null;
  return [key.slice(0, index), key.slice(index + 1)];
}

export function memberKey(roomId: string, userId: string): string {
  return pairKey(roomId, userId);
}

/** The two ids of a member key, or null when `key` is not one. */
export function parseMemberKey(key: string): { roomId: string; userId: string } | null {
  const pair = parsePairKey(key);
  return pair && { roomId: pair[0], userId: pair[1] };
}
