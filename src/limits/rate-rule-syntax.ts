/*
 * The one syntax rate limits are written in, in settings: `RATE/WINDOW[+BURST]`.
 * `60/60s+10` is 60 per minute, spread evenly, with 10 more for bursts (refilled every
 * minute); `300/60s` has no burst. WINDOW is seconds, minutes or hours: 30s, 1m, 1h.
 * A list names each limit: `sendMessage=60/60s+10,createRoom@app=1000/1m,markRoomRead=off`.
 * Pure parsing: no imports, so src/config.ts can validate with it.
 */

/** `points` per `durationSeconds`, and `burst` more per window when set. */
export interface RateSpec {
  points: number;
  durationSeconds: number;
  burst?: number;
}

const RULE = /^(\d+)\/(\d+)([smh])(?:\+(\d+))?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** Parses `60/60s+10`; throws an Error saying what is wrong. */
export function parseRateSpec(text: string): RateSpec {
  const match = RULE.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not RATE/WINDOW[+BURST] (like 60/60s+10)`);
  const [, points, count, unit, burst] = match as unknown as [
    string,
    string,
    string,
    's' | 'm' | 'h',
    string?,
  ];
  const spec: RateSpec = {
    points: Number(points),
    durationSeconds: Number(count) * UNIT_SECONDS[unit],
    ...(burst !== undefined && { burst: Number(burst) }),
  };
  if (spec.points < 1 || spec.durationSeconds < 1)
    throw new Error(`"${text}": the rate and window must be at least 1`);
  return spec;
}

/** One entry of a list: the limit's name and its spec, or null for `off`. */
export type RateSpecList = Map<string, RateSpec | null>;

const NAME = /^[A-Za-z][\w]*(@app)?$/;

/** Parses `name=spec,name@app=spec,name=off`; names are checked by `known` (an Error for an unknown one). */
export function parseRateSpecList(text: string, known: (name: string) => boolean): RateSpecList {
  const list: RateSpecList = new Map();
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const name = entry.slice(0, at).trim();
    if (at < 0 || !NAME.test(name)) throw new Error(`"${entry.trim()}" is not NAME=RATE/WINDOW[+BURST]`);
    if (!known(name.replace(/@app$/, ''))) throw new Error(`"${name}" names no limit`);
    const value = entry.slice(at + 1).trim();
    list.set(name, value === 'off' ? null : parseRateSpec(value));
  }
  return list;
}
