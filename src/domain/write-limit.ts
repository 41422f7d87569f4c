import type { RequestContext } from './context.js';
import type { WriteOperation } from './write-operations.js';

/**
 * Counts one write by the viewer against its limits (RequestContext.writeLimits): the
 * first thing a write service does, so a refused write (RATE_LIMITED) reads and changes
 * nothing. Attempts count whether they then succeed or not. An anonymous caller is not
 * counted here: the service refuses it (per-address limits apply at the edge).
 */
export async function limitWrite(ctx: RequestContext, operation: WriteOperation): Promise<void> {
  if (ctx.viewer) await ctx.writeLimits.consume(ctx.viewer, operation);
}
