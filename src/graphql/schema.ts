import { builder } from './builder.js';
import './scalars.js';
import './types/connection.js';
import './types/user.js';
import './types/user-room-pref.js';
import './types/room.js';
import './types/member.js';
import './types/message.js';
import './types/node.js';

builder.queryType({});

export const schema = builder.toSchema();
