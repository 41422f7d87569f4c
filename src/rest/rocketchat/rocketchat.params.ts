import { z } from 'zod';
import { instantParam } from '../query-params.js';

/*
 * Rocket.Chat's query parameters, each declared once: parsing, the 400 (in Rocket.Chat's
 * own words for that call) and the /openapi.json entry.
 */

const UPDATED_SINCE =
  'A date as an ISO string with its zone (2020-10-15T03:28:54.000Z); epoch milliseconds are accepted too';

/** GET /api/v1/rooms.get. */
export const roomsGetQuery = z.object({
  updatedSince: instantParam({ message: 'The "updatedSince" query parameter must be a valid date.' })
    .optional()
    .describe(UPDATED_SINCE),
});

/**
 * GET /api/v1/subscriptions.get. Rocket.Chat's own refusal here calls the parameter
 * "lastUpdate" and reports it as a roomId error; clients match on those words.
 */
export const subscriptionsGetQuery = z.object({
  updatedSince: instantParam({
    message: 'The "lastUpdate" query parameter must be a valid date.',
    field: 'roomId',
  })
    .optional()
    .describe(UPDATED_SINCE),
});
