#!/usr/bin/env node
// The chat-bff command. It runs the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// tsx's loader hooks cost about 2 ms per module they see; these libraries are hundreds
// of plain JS modules, so load them before the hooks are on (same URLs, same instances).
await Promise.all([
  import('kysely'),
  import('pg'),
  import('zod'),
  import('commander'),
  import('pino'),
  import('@electric-sql/pglite'),
]);

register();
await import('./main.ts');
