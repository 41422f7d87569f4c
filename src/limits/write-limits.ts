import { isWriteOperation, type WriteLimits, type WriteOperation } from '../domain/write-operations.js';
import { createRateLimiter, type RateLimiter, type RateLimitStore, type RateRule } from './rate-limiter.js';
import type { RateSpecList } from './rate-rule-syntax.js';

/*
 * How fast a caller may write. Every write service (src/domain/**\/*.service.ts) counts
 * itself here before doing anything, so GraphQL, the REST dialects and WebSocket
 * operations share one budget per user and one per app:
 * - a user: their own limit for the operation, then their app's (every user of the app together);
 * - the app's API key (a platform caller): only a per-app limit, counted apart from the
 *   users', so a busy server-side import and the users do not starve each other.
 * Each limit is a steady rate plus a burst (src/limits/rate-rule-syntax.ts); the defaults
 * are far above what a person's client does. RATE_LIMITS overrides them,
 * RATE_LIMITS_ENABLED=false turns every one off (benches).
 */

interface WriteRule {
  /** Per user; undefined for operations only the API key may do. */
  user?: RateRule;
  /** Per app: all its users together, and its API key on its own. */
  app?: RateRule;
}

const rule = (points: number, burst: number): RateRule => ({ points, durationSeconds: 60, burst });
/** The app's budget: a hundred users writing flat out at once. */
const perUserAndApp = (points: number, burst: number): WriteRule => ({
  user: rule(points, burst),
  app: rule(points * 100, burst * 100),
});

/** Per minute, with a burst: a person types far slower; a script looping on one token does not. */
export const DEFAULT_WRITE_RULES: Record<WriteOperation, WriteRule> = {
  sendMessage: perUserAndApp(60, 10),
  editMessage: perUserAndApp(30, 10),
  deleteMessage: perUserAndApp(30, 10),
  setReaction: perUserAndApp(60, 20),
  createRoom: perUserAndApp(10, 10),
  updateRoom: perUserAndApp(30, 10),
  deleteRoom: perUserAndApp(10, 10),
  addMembers: perUserAndApp(30, 10),
  removeMember: perUserAndApp(30, 10),
  setMemberRole: perUserAndApp(30, 10),
  // Clients mark a room read whenever a message arrives in the open room.
  markRoomRead: perUserAndApp(120, 30),
  updateRoomPref: perUserAndApp(60, 20),
  // The API key's own operations: its server signs users up and in.
  createAppUser: { app: rule(6000, 1000) },
  updateAppUser: { app: rule(6000, 1000) },
  issueClientToken: { app: rule(6000, 1000) },
  revokeClientToken: { app: rule(6000, 1000) },
  revokeUserTokens: { app: rule(6000, 1000) },
};

/** The limits in force: the defaults, with RATE_LIMITS' entries over them (`off` removes one). */
export function writeRules(overrides: RateSpecList = new Map()): Record<WriteOperation, WriteRule> {
  const rules = { ...DEFAULT_WRITE_RULES };
  for (const [name, spec] of overrides) {
    const scope = name.endsWith('@app') ? 'app' : 'user';
    const operation = name.replace(/@app$/, '');
    if (!isWriteOperation(operation)) continue; // config.ts refuses unknown names
    const { [scope]: _replaced, ...kept } = rules[operation];
    rules[operation] = { ...kept, ...(spec && { [scope]: spec }) };
  }
  return rules;
}

/** One process's write limits; with a Redis store, every instance counts against the same budgets. */
export function createWriteLimits(
  rules: Record<WriteOperation, WriteRule>,
  store: RateLimitStore,
): WriteLimits {
  const limiters = new Map<string, RateLimiter>();
  const limiter = (policy: string, rateRule: RateRule): RateLimiter => {
    let made = limiters.get(policy);
    if (!made) limiters.set(policy, (made = createRateLimiter(policy, rateRule, store)));
    return made;
  };
  return {
    async consume(viewer, operation) {
      const { user, app } = rules[operation];
      if (viewer.userId !== null && !viewer.superuser) {
        if (user) await limiter(operation, user).consume(`${viewer.appId}:${viewer.userId}`);
        if (app) await limiter(`${operation}@app`, app).consume(viewer.appId);
      } else if (app) {
        await limiter(`${operation}@app`, app).consume(`${viewer.appId}:api-key`);
      }
    },
  };
}
