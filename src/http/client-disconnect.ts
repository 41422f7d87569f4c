/*
 * A client that goes away mid-request (closes an SSE stream, aborts a fetch, drops the
 * connection) is ordinary traffic, not a fault of ours: it is logged at debug level, so
 * error-level lines stay the ones someone must look at.
 */

/** Node's codes for a peer that went away, on a socket or a stream tied to one. */
const DISCONNECT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/**
 * Whether `error` only says the client went away. `clientGone` tells whether the client's
 * connection is known to be closed: an AbortError then is the abort that caused (and only
 * then, since our own deadlines and cancellations abort too).
 */
export function isClientDisconnect(error: unknown, clientGone = false): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && DISCONNECT_CODES.has(code)) return true;
    if (clientGone && current.name === 'AbortError') return true;
    current = current.cause;
  }
  return false;
}
