import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectOnce } from '../support/connection.js';
import type { FetchHandler } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { MAX_REQUEST_BYTES, startHttpServer, type HttpServer } from '../../src/server.js';

/*
 * The node:http adapter in front of the fetch handler: what crosses it (bodies, repeated
 * headers, cookies, streams, client aborts) and how it shuts down (in-flight requests
 * finish, streams end, idle connections close, a deadline ends the rest).
 */

const log = createLogger('silent');
let servers: HttpServer[] = [];

async function serve(handler: FetchHandler, shutdownTimeoutMs = 5000): Promise<HttpServer> {
  const server = await startHttpServer(handler, { port: 0, host: '127.0.0.1', log, shutdownTimeoutMs });
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const encoder = new TextEncoder();

/** A Server-Sent Events body that sends one event now and the rest when told. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(encoder.encode('data: first\n\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    send: (data: string) => controller.enqueue(encoder.encode(`data: ${data}\n\n`)),
    isCancelled: () => cancelled,
  };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | null> {
  const { done, value } = await reader.read();
  return done ? null : new TextDecoder().decode(value);
}

function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('request bodies', () => {
  it('reach the handler whole, up to MAX_REQUEST_BYTES; a larger one is a JSON 413 and the handler never runs', async () => {
    let calls = 0;
    const server = await serve(async (request) => {
      calls++;
      return new Response(String((await request.arrayBuffer()).byteLength));
    });
    const post = (body: Uint8Array<ArrayBuffer>, declared = true) =>
      fetch(`${server.url}/upload`, {
        method: 'POST',
        // Without a declared length the body arrives chunked and is counted as it comes.
        body: declared ? body : new Blob([body]).stream(),
        ...(!declared && { duplex: 'half' }),
      } as RequestInit);
    const fits = new Uint8Array(MAX_REQUEST_BYTES).fill(97);
    const ok = await post(fits);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(String(MAX_REQUEST_BYTES));
    for (const declared of [true, false]) {
      const tooBig = await post(new Uint8Array(MAX_REQUEST_BYTES + 1).fill(97), declared);
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toEqual({
        error: `The request body is larger than ${MAX_REQUEST_BYTES} bytes`,
      });
    }
    expect(calls).toBe(1);
    // The server goes on serving.
    expect((await post(encoder.encode('hello'))).status).toBe(200);
  });
});

describe('Request and Response across node:http', () => {
  it('passes method, URL, repeated headers and a streamed request body; returns status, headers and body', async () => {
    const server = await serve(async (request) => {
      const url = new URL(request.url);
      return Response.json(
        {
          method: request.method,
          path: url.pathname,
          query: url.searchParams.get('q'),
          host: url.host,
          multi: request.headers.get('x-multi'),
          body: await request.json(),
        },
        { status: 201, statusText: 'Made', headers: { 'x-answer': '42' } },
      );
    });
    const response = await new Promise<{
      status: number;
      message: string;
      headers: Record<string, unknown>;
      body: string;
    }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/things?q=a%20b`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-multi': ['one', 'two'] } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              message: res.statusMessage ?? '',
              headers: res.headers,
              body,
            }),
          );
        },
      );
      req.on('error', reject);
      req.write('{"hello":');
      setTimeout(() => req.end('"world"}'), 50); // the body arrives in two pieces
    });
    expect(response.status).toBe(201);
    expect(response.message).toBe('Made');
    expect(response.headers['x-answer']).toBe('42');
    expect(JSON.parse(response.body)).toEqual({
      method: 'POST',
      path: '/things',
      query: 'a b',
      host: `127.0.0.1:${server.port}`,
      multi: 'one, two',
      body: { hello: 'world' },
    });
  });

  it('keeps several Set-Cookie headers apart, and sends no body for HEAD', async () => {
    const server = await serve(async () => {
      const headers = new Headers();
      headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
      headers.append('set-cookie', 'b=2; Path=/');
      return new Response('body text', { headers });
    });
    const response = await fetch(server.url);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
    expect(await response.text()).toBe('body text');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('streams a response as it is produced (Server-Sent Events)', async () => {
    const stream = eventStream();
    const server = await serve(async () => stream.response);
    const response = await fetch(server.url);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: first\n\n'); // before the stream has ended
    stream.send('second');
    expect(await readChunk(reader)).toBe('data: second\n\n');
    await reader.cancel();
  });

  it('tells the handler when the client goes away: request.signal aborts and the stream is cancelled', async () => {
    const stream = eventStream();
    let signal: AbortSignal | undefined;
    const server = await serve(async (request) => {
      signal = request.signal;
      return stream.response;
    });
    const client = new AbortController();
    const response = await fetch(server.url, { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readChunk(reader);
    client.abort();
    await waitUntil(() => signal?.aborted === true && stream.isCancelled());
  });
});

/** Opens a new TCP connection: resolves once connected, rejects when refused. */

describe('graceful shutdown', () => {
  it('stops accepting, lets an in-flight request finish, ends open streams, then resolves', async () => {
    const slowStarted = deferred();
    const release = deferred();
    const stream = eventStream();
    const server = await serve(async (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/slow') {
        slowStarted.resolve();
        await release.promise;
        return new Response('finished');
      }
      if (path === '/events') return stream.response;
      return new Response('quick');
    });
    expect(await (await fetch(`${server.url}/quick`)).text()).toBe('quick'); // leaves an idle keep-alive connection

    const events = await fetch(`${server.url}/events`);
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    await readChunk(reader);
    const slow = fetch(`${server.url}/slow`);
    await slowStarted.promise;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // The open stream ends at once; new connections are refused.
    expect(await readChunk(reader)).toBeNull();
    expect(stream.isCancelled()).toBe(true);
    await expect(connectOnce(server.port)).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toBe(false); // the slow request is still running

    release.resolve();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('finished');
    await closing;
    expect(closed).toBe(true);
  });

  it('answers a request sent on an idle keep-alive connection just before shutdown began (it was not cut)', async () => {
    const server = await serve(async (request) => new Response(`answered ${new URL(request.url).pathname}`));
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (received += `ERROR ${error.code}`));
    const socketClosed = once(socket, 'close');
    socket.write('GET /first HTTP/1.1\r\nHost: test\r\n\r\n');
    await waitUntil(() => received.includes('answered /first'));
    received = '';
    // The second request is in the server's socket buffer, but the server reads it on a later
    // turn of its event loop: shutdown starts first, with the connection idle as far as it knows.
    socket.write('GET /second HTTP/1.1\r\nHost: test\r\n\r\n');
    const closing = server.close();
    await socketClosed;
    await closing;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).toMatch(/answered \/second$/);
  });

  it('answers a request sent on the connection of a stream that shutdown ended (it was kept alive)', async () => {
    const stream = eventStream();
    const server = await serve(async (request) => {
      const path = new URL(request.url).pathname;
      return path === '/events' ? stream.response : new Response(`answered ${path}`);
    });
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    let sentSecond = false;
    const socketClosed = once(socket, 'close');
    socket.on('error', (error: NodeJS.ErrnoException) => (received += `ERROR ${error.code}`));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      // A client reuses a keep-alive connection the moment the stream's last chunk is in.
      if (!sentSecond && received.includes('\r\n0\r\n\r\n')) {
        sentSecond = true;
        socket.write('GET /second HTTP/1.1\r\nHost: test\r\n\r\n');
      }
    });
    socket.write('GET /events HTTP/1.1\r\nHost: test\r\n\r\n');
    await waitUntil(() => received.includes('data: first'));
    expect(received).not.toMatch(/\r\nconnection: close\r\n/i);
    const closing = server.close();
    await socketClosed;
    await closing;
    expect(sentSecond).toBe(true);
    expect(received).toMatch(/answered \/second$/);
  });

  it('ends a keep-alive connection that stays idle once shutdown began', async () => {
    const server = await serve(async () => new Response('quick'));
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.resume();
    const socketClosed = once(socket, 'close');
    socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = Date.now();
    await server.close();
    await socketClosed;
    expect(Date.now() - before).toBeLessThan(2000);
  });

  it('after the deadline, drops requests that still have not finished', async () => {
    const started = deferred();
    let aborted = false;
    const server = await serve(async (request) => {
      started.resolve();
      request.signal.addEventListener('abort', () => (aborted = true));
      await new Promise(() => {}); // never answers
      return new Response('unreachable');
    }, 300);
    const hanging = fetch(server.url).then(
      () => 'answered',
      () => 'dropped',
    );
    await started.promise;
    const before = Date.now();
    await server.close();
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect(Date.now() - before).toBeLessThan(3000);
    expect(await hanging).toBe('dropped');
    expect(aborted).toBe(true);
  });
});
