import { createHash, randomBytes } from 'node:crypto';

/** A random secret, URL-safe, with a prefix that says what it is when it turns up in a log. */
export function generateSecret(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * Secrets we generate (API keys, tokens) carry 192 bits of entropy, so a fast hash is
 * enough to store them; passwords, chosen by people, go through argon2 instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
