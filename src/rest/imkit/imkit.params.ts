import { z } from 'zod';
import { isDomainError } from '../../domain/errors.js';
import { MESSAGE_ID_PATTERN } from '../../domain/messages/message-id.js';
import type { MessageOrderField } from '../../domain/messages/message.js';
import { checkUntrustedValue } from '../../domain/untrusted-input.js';
import type {
  OffsetPage,
  RoomFilter,
  RoomListQuery,
  RoomOrder,
  RoomOrderField,
} from '../../domain/rooms/room.js';
import { instantParam, integerParam, nonNegativeIntParam, parseQuery, refuse } from '../query-params.js';

/*
 * IMKit's query parameters, each declared once (parsing, the 400 naming it, and its
 * /openapi.json entry), and their translation into the domain's queries.
 */

/** IMKit sort field names and the domain order each one means. */
const IMKIT_SORT_FIELDS: Record<string, RoomOrderField> = {
  lastMessage: 'LAST_MESSAGE_TIME',
  createdTime: 'CREATED_TIME',
  name: 'NAME',
  unread: 'UNREAD_COUNT',
};

/** "-lastMessage -createdTime": space-separated fields, "-" for descending. */
const roomSort = z.string().transform((value, ctx) => {
  const orders: RoomOrder[] = [];
  for (const token of value.trim().split(/[\s,]+/)) {
    if (token === '') continue;
    const name = token.replace(/^[-+]/, '');
    const field = Object.hasOwn(IMKIT_SORT_FIELDS, name) ? IMKIT_SORT_FIELDS[name] : undefined;
    if (!field) {
      return refuse(
        ctx,
        `Invalid sort field "${name}": use ${Object.keys(IMKIT_SORT_FIELDS).join(', ')}, "-" prefixed for descending`,
      );
    }
    if (orders.some((order) => order.field === field)) {
      return refuse(ctx, `Invalid sort: field "${name}" is given twice`);
    }
    orders.push({ field, direction: token.startsWith('-') ? 'DESC' : 'ASC' });
  }
  return orders;
});

const prefFilterSchema = z.strictObject({
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  folder: z.string().optional(),
  hidden: z.boolean().optional(),
  sticky: z.boolean().optional(),
  muted: z.boolean().optional(),
});

/** pref={"tags":"some-tag"}: URL-encoded JSON, a filter on the viewer's own room settings. */
const prefFilter = z.string().transform((value, ctx): RoomFilter => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(value) as unknown;
    // The raw text met the input rule; what its escapes decode to must too.
    checkUntrustedValue(decoded, 'pref');
  } catch (error) {
    if (isDomainError(error)) return refuse(ctx, error.message, error.field);
    return refuse(ctx, 'Invalid pref: not valid JSON (remember to URL-encode it)');
  }
  const parsed = prefFilterSchema.safeParse(decoded);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    return refuse(
      ctx,
      `Invalid pref filter (${problems.join('; ')}): expected an object with tags (string or array of strings), folder, hidden, sticky, muted`,
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
});

/** GET /rooms. */
export const roomListQuery = z.object({
  sort: roomSort
    .optional()
    .describe(
      `Space-separated fields (${Object.keys(IMKIT_SORT_FIELDS).join(', ')}), "-" prefix for descending; default -lastMessage`,
    ),
  skip: nonNegativeIntParam().default(0).describe('Pagination offset'),
  limit: nonNegativeIntParam().default(0).describe('Maximum number of rooms to return; 0 = no limit'),
  updatedAfter: instantParam()
    .optional()
    .describe(
      'Rooms with a message or created after this time: ISO-8601 with its zone (2020-10-15T03:28:54Z) or epoch milliseconds',
    ),
  pref: prefFilter
    .optional()
    .describe(
      'URL-encoded JSON filter on the user\'s prefs: {"tags": "a" | ["a","b"], folder, hidden, sticky, muted}',
    ),
  sortUnreadFirst: integerParam().default(0).describe('Non-zero: rooms with unread messages first'),
});

export interface RoomListParams {
  query: RoomListQuery;
  page: OffsetPage;
}

export function parseRoomListParams(params: URLSearchParams): RoomListParams {
  const { sort, skip, limit, updatedAfter, pref, sortUnreadFirst } = parseQuery(params, roomListQuery);
  const filter: RoomFilter = { ...pref };
  if (updatedAfter !== undefined) filter.updatedAfter = updatedAfter;
  return {
    query: { filter, orderBy: sort ?? [], unreadFirst: sortUnreadFirst !== 0 },
    // Documented: a limit of 0 (the default) means no limit.
    page: { offset: skip, limit: limit === 0 ? null : limit },
  };
}

const MESSAGE_TIME_FIELDS = {
  updatedAt: 'UPDATED_AT',
  createdAt: 'CREATED_AT',
  messageTime: 'MESSAGE_TIME',
} as const satisfies Record<string, Exclude<MessageOrderField, 'SEQUENCE'>>;

type MessageTimeName = keyof typeof MESSAGE_TIME_FIELDS;
const MESSAGE_TIME_NAMES = Object.keys(MESSAGE_TIME_FIELDS) as [MessageTimeName, ...MessageTimeName[]];

export const DEFAULT_MESSAGE_LIMIT = 20;
export const MAX_MESSAGE_LIMIT = 1000;

const messageId = z.string().regex(MESSAGE_ID_PATTERN, 'a message id is 24 hex digits');

/** GET /rooms/{id}/messages/v3. */
export const messageListQuery = z
  .object({
    beforeMessage: messageId.optional().describe('Messages before this message ID'),
    afterMessage: messageId.optional().describe('Messages after this message ID'),
    limit: nonNegativeIntParam()
      .default(DEFAULT_MESSAGE_LIMIT)
      .describe(
        `Maximum messages; 0 means the default, more than ${MAX_MESSAGE_LIMIT} counts as ${MAX_MESSAGE_LIMIT}`,
      ),
    afterTime: instantParam()
      .optional()
      .describe(
        'Messages after this time (of timeRangeField): ISO-8601 with its zone (2020-10-15T03:28:54Z) or epoch milliseconds',
      ),
    timeRangeField: z
      .enum(MESSAGE_TIME_NAMES, { error: `use ${MESSAGE_TIME_NAMES.join(', ')}` })
      .default('updatedAt')
      .describe('The time afterTime filters and data is ordered by'),
  })
  .superRefine((params, ctx) => {
    if (params.beforeMessage !== undefined && params.afterMessage !== undefined) {
      refuse(ctx, 'Pass beforeMessage or afterMessage, not both', 'afterMessage');
    }
  });

export interface MessageListParams {
  beforeMessage: string | undefined;
  afterMessage: string | undefined;
  limit: number;
  afterTime: Date | undefined;
  timeRangeField: Exclude<MessageOrderField, 'SEQUENCE'>;
  /** The IMKit name of the time field, for the inspect block. */
  timeRangeName: string;
}

export function parseMessageListParams(params: URLSearchParams): MessageListParams {
  const { beforeMessage, afterMessage, limit, afterTime, timeRangeField } = parseQuery(
    params,
    messageListQuery,
  );
  return {
    beforeMessage,
    afterMessage,
    // 0: the documented default; above the maximum: clamped, not refused.
    limit: limit === 0 ? DEFAULT_MESSAGE_LIMIT : Math.min(limit, MAX_MESSAGE_LIMIT),
    afterTime,
    timeRangeField: MESSAGE_TIME_FIELDS[timeRangeField],
    timeRangeName: timeRangeField,
  };
}
