import { InvalidInputError } from './errors.js';

/*
 * How long, large or many each thing a client writes may be: one table, so a rule lives
 * once (the security documentation lists the same caps). The caps are far above what a real client
 * sends (a room name is a line, a description a few paragraphs) and far below what hurts:
 * a btree entry (~2.7 kB), a row read on every room list, a member list one request adds.
 * Strings count UTF-16 code units (JavaScript's length); JSON counts UTF-8 bytes. A value
 * over its cap is a BAD_USER_INPUT naming the field, in each transport's shape.
 */

type Unit = 'characters' | 'items' | 'bytes of JSON';

interface InputLimit {
  max: number;
  unit: Unit;
  /** Where it applies, in words a client's developer reads. */
  applies: string;
}

export const INPUT_LIMITS = {
  appId: { max: 64, unit: 'characters', applies: 'app id (letters, digits, . _ -)' },
  appName: { max: 200, unit: 'characters', applies: 'app name' },
  userId: { max: 128, unit: 'characters', applies: 'user id (letters, digits, . _ @ -)' },
  username: { max: 128, unit: 'characters', applies: 'username (also at least 1)' },
  password: { max: 512, unit: 'characters', applies: 'password (also at least 6)' },
  nickname: { max: 200, unit: 'characters', applies: 'user display name (nickname)' },
  avatarUrl: { max: 2048, unit: 'characters', applies: 'user avatar URL, room cover URL (http(s) or /path)' },
  userDescription: { max: 5000, unit: 'characters', applies: 'user description' },
  roomId: { max: 128, unit: 'characters', applies: 'room id (letters, digits, . _ : @ -)' },
  roomName: { max: 200, unit: 'characters', applies: 'room name' },
  roomDescription: { max: 5000, unit: 'characters', applies: 'room description' },
  roomTopic: { max: 5000, unit: 'characters', applies: 'room topic / announcement' },
  roomText: { max: 2048, unit: 'characters', applies: 'room webhook, bot state, parent id' },
  roomTags: { max: 50, unit: 'items', applies: 'room tags per room' },
  roomTag: { max: 64, unit: 'characters', applies: 'one room tag (also at least 1)' },
  customFields: { max: 16 * 1024, unit: 'bytes of JSON', applies: 'room customFields / metadata' },
  members: { max: 1000, unit: 'items', applies: 'member ids in one createRoom or addMembers' },
  prefTags: { max: 50, unit: 'items', applies: "a user's tags on one room" },
  prefTag: { max: 64, unit: 'characters', applies: 'one pref tag (also at least 1)' },
  tagColors: { max: 50, unit: 'items', applies: 'tag colors on one room' },
  folder: { max: 200, unit: 'characters', applies: 'pref folder' },
  messageBody: { max: 64 * 1024, unit: 'bytes of JSON', applies: 'message body (any JSON)' },
  messageText: { max: 16 * 1024, unit: 'characters', applies: 'message body that is a string (text)' },
  messageType: { max: 64, unit: 'characters', applies: 'messageType (letters, digits, . _ : -)' },
  clientMessageId: { max: 128, unit: 'characters', applies: 'client-chosen message id (also at least 1)' },
  reactionKey: { max: 64, unit: 'characters', applies: 'reaction key (no spaces)' },
} as const satisfies Record<string, InputLimit>;

export type InputLimitName = keyof typeof INPUT_LIMITS;

function tooLong(limit: InputLimitName, field: string, what: string): InvalidInputError {
  const { max, unit } = INPUT_LIMITS[limit];
  return new InvalidInputError(`${what} may be at most ${max} ${unit}`, { field });
}

/** Throws BAD_USER_INPUT when `value` is longer than the limit; null and undefined pass. */
export function checkLength(
  value: string | null | undefined,
  limit: InputLimitName,
  field: string = limit,
): void {
  if (value != null && value.length > INPUT_LIMITS[limit].max) throw tooLong(limit, field, field);
}

/** Throws BAD_USER_INPUT when a list (or an object's keys) has more items than the limit. */
export function checkCount(
  values: readonly unknown[] | Record<string, unknown> | null | undefined,
  limit: InputLimitName,
  field: string = limit,
): void {
  if (values == null) return;
  const count = Array.isArray(values) ? values.length : Object.keys(values).length;
  if (count > INPUT_LIMITS[limit].max) throw tooLong(limit, field, field);
}

/** Throws BAD_USER_INPUT when `value` as JSON is larger than the limit (UTF-8 bytes). */
export function checkJsonSize(value: unknown, limit: InputLimitName, field: string = limit): void {
  if (value === undefined) return;
  const json = JSON.stringify(value);
  // A string can only be smaller in UTF-8 bytes than 3x its length: skip the count when it fits.
  const max = INPUT_LIMITS[limit].max;
  if (json.length * 3 > max && Buffer.byteLength(json) > max) throw tooLong(limit, field, field);
}

/** Each item 1..max characters, and at most `countLimit` of them. */
export function checkTags(
  tags: readonly string[] | null | undefined,
  countLimit: InputLimitName,
  itemLimit: InputLimitName,
  field: string,
): void {
  if (tags == null) return;
  checkCount(tags, countLimit, field);
  const max = INPUT_LIMITS[itemLimit].max;
  if (tags.some((tag) => tag.length === 0 || tag.length > max)) {
    throw new InvalidInputError(`${field}: each must be 1 to ${max} characters long`, { field });
  }
}

/*
 * A link clients put in an <img src> or <a href>: an http(s) URL or a path on this server,
 * never javascript:, data: or vbscript: (stored XSS in every client that renders it).
 * Empty means none.
 */
const LINK = /^(https?:\/\/[^\s]+|\/(?!\/)[^\s]*)?$/i;

/** Throws BAD_USER_INPUT when `value` is over its cap or no http(s) URL or server path. */
export function checkLink(value: string | null | undefined, field: string): void {
  checkLength(value, 'avatarUrl', field);
  if (value != null && !LINK.test(value))
    throw new InvalidInputError(`${field} must be an http(s) URL or a path starting with /`, { field });
}

/** The free-text fields of a user (create and update). */
export function checkUserFields(input: {
  nickname?: string | undefined;
  avatarUrl?: string | undefined;
  description?: string | undefined;
}): void {
  checkLength(input.nickname, 'nickname');
  checkLink(input.avatarUrl, 'avatarUrl');
  checkLength(input.description, 'userDescription', 'description');
}

/** The free-text fields of a room (create and update settings). */
export function checkRoomFields(input: {
  name?: string | undefined;
  description?: string | undefined;
  cover?: string | undefined;
  topic?: string | undefined;
  webhook?: string | undefined;
  botState?: string | undefined;
  parentId?: string | undefined;
  roomTags?: readonly string[] | undefined;
  customFields?: Record<string, unknown> | undefined;
}): void {
  checkLength(input.name, 'roomName', 'name');
  checkLength(input.description, 'roomDescription', 'description');
  checkLink(input.cover, 'cover');
  checkLength(input.topic, 'roomTopic', 'topic');
  checkLength(input.webhook, 'roomText', 'webhook');
  checkLength(input.botState, 'roomText', 'botState');
  checkLength(input.parentId, 'roomText', 'parentId');
  checkTags(input.roomTags, 'roomTags', 'roomTag', 'roomTags');
  checkJsonSize(input.customFields, 'customFields', 'customFields');
}
