/**
 * How long a client token lives when it is issued without a lifetime: 30 days. The
 * default of the server's TOKEN_TTL_SECONDS (src/config.ts) and of issueClientToken.
 */
export const DEFAULT_CLIENT_TOKEN_TTL_SECONDS = 60 * 60 * 24 * 30;
