/** A message. `body` is any JSON (IMKit's `message` is "any"). */
export interface Message {
  appId: string;
  id: string;
  numId: number;
  roomId: string;
  senderId: string;
  seq: number;
  body: unknown;
  messageType: string;
  messageTime: Date;
  createdAt: Date;
  updatedAt: Date;
  isDeleted: boolean;
  reactionCount: number;
  clientMessageId: string | null;
}

export interface ReactionSummary {
  key: string;
  count: number;
  /** User ids who reacted with this key, oldest first. */
  userIds: string[];
}

/** The field a message list is ordered and time-filtered by; seq is always the tie-breaker. */
export type MessageOrderField = 'SEQUENCE' | 'UPDATED_AT' | 'CREATED_AT' | 'MESSAGE_TIME';

export interface MessageFilter {
  afterTime?: Date;
  beforeTime?: Date;
  /** Which time the afterTime/beforeTime range applies to (default UPDATED_AT, as IMKit v3). */
  timeRangeField?: Exclude<MessageOrderField, 'SEQUENCE'>;
  messageTypes?: string[];
  /** Include messages deleted for everyone (default true: clients show a tombstone). */
  includeDeleted?: boolean;
}

export interface MessageListQuery {
  filter: MessageFilter;
  orderBy: MessageOrderField;
}
