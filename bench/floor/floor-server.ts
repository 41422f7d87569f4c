import { createServer, type IncomingMessage } from 'node:http';
import pg from 'pg';
import { FLOOR_QUERIES } from './floor-queries.js';
import { hashToken, runFloorQuery, type FloorInput } from './floor-query.js';

/*
 * Floor (b): the hand-written statements behind the least an HTTP server can be - node:http,
 * one route per case, the statement's JSON written as is. It reads what a real server must
 * read: the credentials header, the query string or the JSON body. Started by the bench as
 * `node --import tsx bench/floor/floor-server.ts` with FLOOR_DATABASE_URL, PORT, POOL_MAX.
 */

const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, Number);

const pool = new pg.Pool({
  connectionString: process.env.FLOOR_DATABASE_URL,
  max: Number(process.env.POOL_MAX ?? 10),
  application_name: 'chat-bff-bench-floor',
});
const byPath = new Map(FLOOR_QUERIES.map((q) => [`/floor/${q.name}`, q]));

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function bearer(value: string | undefined): string | undefined {
  return value?.startsWith('Bearer ') ? value.slice(7) : value;
}

const server = createServer(async (request, response) => {
  try {
    const url = new URL(request.url ?? '/', 'http://floor');
    if (url.pathname === '/readyz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    const query = byPath.get(url.pathname);
    if (!query) {
      response.writeHead(404).end();
      return;
    }
    const headers = request.headers;
    const token =
      bearer(headers.authorization) ??
      (headers['im-authorization'] as string | undefined) ??
      (headers['x-auth-token'] as string | undefined);
    if (!token) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthenticated"}');
      return;
    }
    const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (request.method === 'POST') {
      const body = JSON.parse(await readBody(request)) as { variables?: Record<string, unknown> };
      Object.assign(args, body.variables);
    }
    const input: FloorInput = {
      tokenHash: hashToken(token),
      args,
      ...(headers['im-client-key'] !== undefined && { clientKey: headers['im-client-key'] as string }),
      ...(headers['x-user-id'] !== undefined && { userIdHeader: headers['x-user-id'] as string }),
    };
    const body = await runFloorQuery(pool, query, input);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  } catch (error) {
    response
      .writeHead(500, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  }
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
