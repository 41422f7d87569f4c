import { randomBytes } from 'node:crypto';

/*
 * Message ids look like the documented ones (24 hex, e.g. 5f890cf37d980e06f6aaf349):
 * 4 bytes of seconds since the epoch, then 5 random bytes fixed per process and a
 * 3-byte counter, as a MongoDB ObjectId. They sort by creation second, and two
 * processes never collide.
 */
const processUnique = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

export function generateMessageId(now: Date = new Date()): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + processUnique + counter.toString(16).padStart(6, '0');
}

/** 24 lowercase hex digits; REST declares its message-id parameters with it. */
export const MESSAGE_ID_PATTERN = /^[0-9a-f]{24}$/;

export function isMessageId(value: string): boolean {
  return MESSAGE_ID_PATTERN.test(value);
}
