/** A JSON response; the body is serialized as is (the dialects' wire shapes are built by presenters). */
export { jsonResponse } from '../http/json-response.js';

/** Epoch milliseconds of a date, as the dialects' *MS / *Utc fields carry them. */
export function toMillis(date: Date | null | undefined): number {
  return date ? date.getTime() : 0;
}
