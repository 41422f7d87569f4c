import type { FloorQuery } from './floor-query.js';
import { gqlMessagesFloor, gqlRoomFloor, gqlRoomsFloor } from './gql-floor.js';
import {
  imkitMessagesFloor,
  imkitRoomsFloor,
  imkitRoomsTagFloor,
  imkitRoomsUpdatedFloor,
  rocketRoomsGetFloor,
} from './rest-floor.js';
import { sendFloor } from './write-floor.js';

/** Every floor statement, by name (the floor server's routes). */
export const FLOOR_QUERIES: readonly FloorQuery[] = [
  gqlRoomsFloor,
  gqlMessagesFloor,
  gqlRoomFloor,
  imkitRoomsFloor,
  imkitRoomsUpdatedFloor,
  imkitRoomsTagFloor,
  imkitMessagesFloor,
  rocketRoomsGetFloor,
  sendFloor,
];
