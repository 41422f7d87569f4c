import { builder } from './builder.js';
import './scalars.js';
import './types/connection.js';
import './types/user.js';
import './types/user-room-pref.js';
import './types/room.js';
import './types/member.js';
import './types/message.js';
import './types/node.js';

import './mutations/upload.js';
import './mutations/rooms.js';
import './mutations/members.js';
import './mutations/messages.js';
import './mutations/read-state.js';
import './mutations/platform.js';
import './subscriptions/room-events.js';
import './subscriptions/viewer-events.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema();
