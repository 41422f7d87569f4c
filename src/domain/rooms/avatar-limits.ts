/*
 * How large an uploaded avatar may be. Apart from avatar.ts because every request context
 * carries these limits (context.ts), and avatar.ts reads the request context.
 */

export interface AvatarLimits {
  /** Largest upload, in bytes (AVATAR_MAX_BYTES). */
  maxBytes: number;
  /** Largest width and height, in pixels (AVATAR_MAX_DIMENSION): a small file may declare a huge canvas. */
  maxDimension: number;
}

export const DEFAULT_AVATAR_LIMITS: AvatarLimits = { maxBytes: 1024 * 1024, maxDimension: 4096 };
