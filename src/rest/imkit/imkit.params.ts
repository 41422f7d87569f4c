import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors.js';
import { isMessageId } from '../../domain/messages/message-id.js';
import type { MessageOrderField } from '../../domain/messages/message.js';
import type {
  RoomFilter,
  RoomListQuery,
  RoomOrder,
  RoomOrderField,
  OffsetPage,
} from '../../domain/rooms/room.js';
import {
  optionalParam,
  parseIntParam,
  parseJsonParam,
  parseNonNegativeIntParam,
  parseTimeParam,
} from '../params.js';

/*
 * IMKit's query parameters decoded into the domain's queries; every mistake is a 400
 * naming the parameter.
 */

/** IMKit sort field names and the domain order each one means. */
export const IMKIT_SORT_FIELDS: Record<string, RoomOrderField> = {
  lastMessage: 'LAST_MESSAGE_TIME',
  createdTime: 'CREATED_TIME',
  name: 'NAME',
  unread: 'UNREAD_COUNT',
};

/** "-lastMessage -createdTime": space-separated fields, "-" for descending. */
export function parseRoomSort(value: string): RoomOrder[] {
  const orders: RoomOrder[] = [];
  for (const token of value.trim().split(/[\s,]+/)) {
    if (token === '') continue;
    const descending = token.startsWith('-');
    const name = token.replace(/^[-+]/, '');
    const field = Object.hasOwn(IMKIT_SORT_FIELDS, name) ? IMKIT_SORT_FIELDS[name] : undefined;
    if (!field) {
      throw new InvalidInputError(
        `Invalid sort field "${name}": use ${Object.keys(IMKIT_SORT_FIELDS).join(', ')}, "-" prefixed for descending`,
        { field: 'sort' },
      );
    }
    if (orders.some((order) => order.field === field)) {
      throw new InvalidInputError(`Invalid sort: field "${name}" is given twice`, { field: 'sort' });
    }
    orders.push({ field, direction: descending ? 'DESC' : 'ASC' });
  }
  return orders;
}

const prefFilterSchema = z.strictObject({
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  folder: z.string().optional(),
  hidden: z.boolean().optional(),
  sticky: z.boolean().optional(),
  muted: z.boolean().optional(),
});

/** pref={"tags":"some-tag"}: a filter on the viewer's own room settings. */
export function parsePrefFilter(value: string): RoomFilter {
  const parsed = prefFilterSchema.safeParse(parseJsonParam(value, 'pref'));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    throw new InvalidInputError(
      `Invalid pref filter (${problems.join('; ')}): expected an object with tags (string or array of strings), folder, hidden, sticky, muted`,
      { field: 'pref' },
    );
  }
  const { tags, ...rest } = parsed.data;
  const filter: RoomFilter = {};
  if (tags !== undefined) filter.tags = typeof tags === 'string' ? [tags] : tags;
  if (rest.folder !== undefined) filter.folder = rest.folder;
  if (rest.hidden !== undefined) filter.hidden = rest.hidden;
  if (rest.sticky !== undefined) filter.sticky = rest.sticky;
  if (rest.muted !== undefined) filter.muted = rest.muted;
  return filter;
}

export interface RoomListParams {
  query: RoomListQuery;
  page: OffsetPage;
}

export function parseRoomListParams(params: URLSearchParams): RoomListParams {
  const sort = optionalParam(params, 'sort');
  const skip = optionalParam(params, 'skip');
  const limit = optionalParam(params, 'limit');
  const updatedAfter = optionalParam(params, 'updatedAfter');
  const pref = optionalParam(params, 'pref');
  const unreadFirst = optionalParam(params, 'sortUnreadFirst');
  const filter: RoomFilter = pref === undefined ? {} : parsePrefFilter(pref);
  if (updatedAfter !== undefined) filter.updatedAfter = parseTimeParam(updatedAfter, 'updatedAfter');
  const limitValue = limit === undefined ? 0 : parseNonNegativeIntParam(limit, 'limit');
  return {
    query: {
      filter,
      orderBy: sort === undefined ? [] : parseRoomSort(sort),
      unreadFirst: unreadFirst !== undefined && parseIntParam(unreadFirst, 'sortUnreadFirst') !== 0,
    },
    page: {
      offset: skip === undefined ? 0 : parseNonNegativeIntParam(skip, 'skip'),
      // Documented: 0 (the default) means no limit.
      limit: limitValue === 0 ? null : limitValue,
    },
  };
}

export const MESSAGE_TIME_FIELDS: Record<string, Exclude<MessageOrderField, 'SEQUENCE'>> = {
  updatedAt: 'UPDATED_AT',
  createdAt: 'CREATED_AT',
  messageTime: 'MESSAGE_TIME',
};

export const DEFAULT_MESSAGE_LIMIT = 20;
export const MAX_MESSAGE_LIMIT = 1000;

export interface MessageListParams {
  beforeMessage: string | undefined;
  afterMessage: string | undefined;
  limit: number;
  afterTime: Date | undefined;
  timeRangeField: Exclude<MessageOrderField, 'SEQUENCE'>;
  /** The IMKit name of the time field, for the inspect block. */
  timeRangeName: string;
}

function parseMessageIdParam(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isMessageId(value)) {
    throw new InvalidInputError(`Invalid ${field} "${value}": a message id is 24 hex digits`, { field });
  }
  return value;
}

export function parseMessageListParams(params: URLSearchParams): MessageListParams {
  const beforeMessage = parseMessageIdParam(optionalParam(params, 'beforeMessage'), 'beforeMessage');
  const afterMessage = parseMessageIdParam(optionalParam(params, 'afterMessage'), 'afterMessage');
  if (beforeMessage !== undefined && afterMessage !== undefined) {
    throw new InvalidInputError('Pass beforeMessage or afterMessage, not both', { field: 'afterMessage' });
  }
  const limit = optionalParam(params, 'limit');
  const limitValue = limit === undefined ? 0 : parseNonNegativeIntParam(limit, 'limit');
  const afterTime = optionalParam(params, 'afterTime');
  const timeRangeName = optionalParam(params, 'timeRangeField') ?? 'updatedAt';
  const timeRangeField = Object.hasOwn(MESSAGE_TIME_FIELDS, timeRangeName)
    ? MESSAGE_TIME_FIELDS[timeRangeName]
    : undefined;
  if (!timeRangeField) {
    throw new InvalidInputError(
      `Invalid timeRangeField "${timeRangeName}": use ${Object.keys(MESSAGE_TIME_FIELDS).join(', ')}`,
      { field: 'timeRangeField' },
    );
  }
  return {
    beforeMessage,
    afterMessage,
    // 0 or absent: the documented default; above the maximum: clamped.
    limit: limitValue === 0 ? DEFAULT_MESSAGE_LIMIT : Math.min(limitValue, MAX_MESSAGE_LIMIT),
    afterTime: afterTime === undefined ? undefined : parseTimeParam(afterTime, 'afterTime'),
    timeRangeField,
    timeRangeName,
  };
}
