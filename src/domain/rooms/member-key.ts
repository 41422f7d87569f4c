/*
 * One user in one room as one string: the key of the membership and pref loaders, and of
 * a Member's global id. Room and user id are joined with a NUL, which the input rule
 * keeps out of every id a client sends, so the split is never ambiguous.
 */

export const MEMBER_KEY_SEPARATOR = '\u0000';

export function memberKey(roomId: string, userId: string): string {
  return `${roomId}${MEMBER_KEY_SEPARATOR}${userId}`;
}

/** The two ids of a member key, or null when `key` is not one (no separator, or an empty side). */
export function parseMemberKey(key: string): { roomId: string; userId: string } | null {
  const index = key.indexOf(MEMBER_KEY_SEPARATOR);
  if (index <= 0 || index === key.length - 1) return null;
  return { roomId: key.slice(0, index), userId: key.slice(index + 1) };
}
