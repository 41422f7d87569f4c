import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** Structured JSON logs on stdout; secrets that may ride in headers are redacted. */
export function createLogger(level: Config['LOG_LEVEL'], destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chat-bff' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["im-authorization"]',
          'req.headers["im-api-key"]',
          'req.headers["x-auth-token"]',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
