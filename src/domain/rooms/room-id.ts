import { InvalidInputError } from '../errors.js';
import { INPUT_LIMITS } from '../input-limits.js';

/*
 * What a client-chosen room id may be: checked where a room is created and where a
 * transport takes one from a path, so both refuse the same ids with the same message.
 */

const ROOM_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,${INPUT_LIMITS.roomId.max - 1}}$`);

export function validateRoomId(roomId: string, field = 'roomId'): void {
  if (!ROOM_ID.test(roomId)) {
    throw new InvalidInputError(
      `Invalid room id "${roomId}": use 1-${INPUT_LIMITS.roomId.max} letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit`,
      { field },
    );
  }
}
