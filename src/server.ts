import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FetchHandler, UpgradeHandler } from './http/routes.js';
import { isClientDisconnect } from './http/client-disconnect.js';
import { setPeerAddress } from './limits/client-address.js';
import type { Logger } from './logger.js';
import { API_SECURITY_HEADERS } from './http/security-headers.js';

/*
 * node:http in front of the fetch handler: IncomingMessage -> Request, Response ->
 * ServerResponse, with streamed bodies (Server-Sent Events for subscriptions), and a
 * graceful shutdown: stop accepting, let in-flight requests finish, end open streams
 * (they never finish on their own), then drop whatever is left after a deadline.
 */

export interface HttpServerOptions {
  port: number;
  host: string;
  log: Logger;
  /** How long in-flight requests may take to finish once shutdown starts. */
  shutdownTimeoutMs: number;
  /** Takes over connections that ask to upgrade (GraphQL over WebSocket); without it they are refused. */
  upgrade?: UpgradeHandler;
}

export interface HttpServer {
  /** http://host:port, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, waits for in-flight requests, ends streams; resolves when every connection is closed. */
  close(): Promise<void>;
}

interface Exchange {
  res: ServerResponse;
  abort: AbortController;
  /** Set once the handler answered with a body that streams until cancelled (SSE, multipart). */
  cancelStream: (() => void) | undefined;
}

const STREAMING_TYPES = /^(text\/event-stream|multipart\/mixed)/i;

/**
 * How long a keep-alive connection with no request in progress is left open once shutdown
 * starts. A client may have sent a request that sits unread in the socket (the event loop
 * is busy): ending the connection at once cuts that request (ECONNRESET). Within the grace
 * such a request is read and answered (with `Connection: close`); then idle ones are ended.
 */
export const IDLE_GRACE_MS = 250;

export async function startHttpServer(
  handler: FetchHandler,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const { log } = options;
  const exchanges = new Set<Exchange>();
  let closing = false;

  // Requests in progress per connection: at shutdown, a connection with none is ended at
  // once (keep-alive connections, and ones a client opened ahead without a request yet,
  // which closeIdleConnections leaves alone), the others as soon as their last response is out.
  const connections = new Map<Socket, number>();
  const endIfIdle = (socket: Socket) => {
    if (closing && connections.get(socket) === 0) socket.end();
  };

  const server = createServer((req, res) => {
    const socket = req.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    const exchange: Exchange = { res, abort: new AbortController(), cancelStream: undefined };
    exchanges.add(exchange);
    res.once('close', () => {
      exchanges.delete(exchange);
      // The client went away (or we ended the response): stop work done on its behalf.
      if (!res.writableFinished) exchange.abort.abort();
      if (connections.has(socket)) connections.set(socket, Math.max(0, (connections.get(socket) ?? 1) - 1));
      // An answer that told the client to close ends its connection now. One that went out
      // keep-alive (a stream begun before shutdown) lets the client reuse the connection for a
      // request it may already have sent: that connection gets the idle grace first.
      if (res.getHeader('connection') === 'close') endIfIdle(socket);
      else if (closing) setTimeout(() => endIfIdle(socket), IDLE_GRACE_MS).unref();
    });
    serve(handler, req, res, exchange, () => closing, log).catch((error: unknown) => {
      // The client went away (mid-body, mid-answer): ordinary, not a failure of ours.
      if (isClientDisconnect(error, exchange.abort.signal.aborted))
        log.debug({ err: error }, 'the client went away before the response was written');
      else log.error({ err: error }, 'failed to write a response');
      res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  const upgrade = options.upgrade;
  if (upgrade)
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // From here on the socket is the upgrade handler's, and so is closing it.
      connections.delete(req.socket);
      upgrade.handleUpgrade(req, socket, head);
    });
  // A stuck client must not hold a socket forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // streams (SSE) are long requests by design

  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close() {
      closed ??= (async () => {
        closing = true;
        // Stop accepting. http.Server#close would also end every idle connection at once,
        // cutting requests already sent on them but not read yet: those get IDLE_GRACE_MS.
        const done = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
        const grace = setTimeout(() => {
          for (const socket of connections.keys()) endIfIdle(socket);
        }, IDLE_GRACE_MS);
        for (const exchange of exchanges) exchange.cancelStream?.();
        // Upgraded sockets are no longer the HTTP server's: their handler ends them.
        const upgradesClosed = options.upgrade?.close();
        const deadline = setTimeout(() => {
          if (exchanges.size > 0)
            log.warn({ inFlight: exchanges.size }, 'shutdown deadline passed: closing connections');
          for (const exchange of exchanges) exchange.abort.abort();
          server.closeAllConnections();
        }, options.shutdownTimeoutMs);
        try {
          await Promise.all([done, upgradesClosed]);
        } finally {
          clearTimeout(grace);
          clearTimeout(deadline);
        }
      })();
      return closed;
    },
  };
}

async function serve(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  isClosing: () => boolean,
  log: Logger,
): Promise<void> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : await readBody(req, MAX_REQUEST_BYTES);
  if (body === TOO_LARGE) {
    res.writeHead(413, {
      'content-type': 'application/json; charset=utf-8',
      connection: 'close',
      ...API_SECURITY_HEADERS,
    });
    res.end(JSON.stringify({ error: `The request body is larger than ${MAX_REQUEST_BYTES} bytes` }));
    return;
  }
  let request: Request;
  try {
    request = toRequest(req, body, exchange.abort.signal);
    // The TCP peer, for per-address limits: a Request carries none, and no header may claim it.
    setPeerAddress(request, req.socket.remoteAddress);
  } catch (error) {
    log.debug({ err: error }, 'unreadable request');
    res.writeHead(400, {
      'content-type': 'application/json; charset=utf-8',
      connection: 'close',
      ...API_SECURITY_HEADERS,
    });
    res.end(JSON.stringify({ error: 'Bad request' }));
    return;
  }
  const response = await handler(request);
  await writeResponse(response, req, res, exchange, isClosing);
}

/**
 * Request bodies are read here, whole, up to this size (the largest avatar upload,
 * AVATAR_MAX_BYTES at most 3 MiB, fits with its multipart framing): nothing downstream
 * buffers an unbounded body, and handing the fetch handler bytes instead of a stream
 * costs a fraction (yoga's own limit is off, yoga.ts).
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const TOO_LARGE = Symbol('too large');

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume(); // drain, so the 413 can be written
    return TOO_LARGE;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return TOO_LARGE;
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

function toRequest(req: IncomingMessage, body: Buffer | null, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1] as string);
  }
  const host = req.headers.host ?? `${req.socket.localAddress ?? 'localhost'}:${req.socket.localPort ?? ''}`;
  const url = new URL(req.url ?? '/', `http://${host}`);
  const init: RequestInit = { method: req.method ?? 'GET', headers, signal };
  if (body !== null) init.body = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
  return new Request(url, init);
}

async function writeResponse(
  response: Response,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  isClosing: () => boolean,
): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  // A connection that outlives shutdown would keep the server from closing.
  if (isClosing()) res.setHeader('connection', 'close');

  if (!response.body || req.method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }

  const streaming = STREAMING_TYPES.test(response.headers.get('content-type') ?? '');
  if (!streaming) {
    // A whole answer: one buffer, one write, no stream pumping.
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  const reader = response.body.getReader();
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    reader.cancel().catch(() => {});
  };
  exchange.abort.signal.addEventListener('abort', cancel, { once: true });
  if (streaming) {
    exchange.cancelStream = () => {
      cancel();
      res.end();
    };
    res.flushHeaders(); // the client learns the stream is open before the first event
    if (isClosing()) exchange.cancelStream();
  }

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || cancelled) break;
      if (!res.write(value)) await waitForDrain(res);
    }
  } catch (error) {
    if (!cancelled) throw error;
  }
  if (!res.writableEnded) res.end();
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
