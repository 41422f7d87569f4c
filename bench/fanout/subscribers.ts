import { request, type ClientRequest } from 'node:http';
import WebSocket from 'ws';

/*
 * Subscribers as lean as a client can be, so that ten thousand of them fit in the bench
 * process beside the sender: SSE over a bare node:http request (one socket each, no
 * keep-alive pool) and graphql-ws over a bare `ws` socket (one socket per subscriber, as
 * one device each). Each keeps, per message id, when its event arrived.
 */

export type Transport = 'sse' | 'ws';

export interface Subscriber {
  transport: Transport;
  /** Message id → performance.now() at receipt (the first receipt of each). */
  receipts: Map<string, number>;
  /** The last error or unexpected end, if any. */
  failure(): string | undefined;
  close(): void;
}

export interface Subscription {
  query: string;
  variables: Record<string, unknown>;
}

/** The message id in a `next` payload of roomEvents or viewerEvents, if it carries one. */
function messageIdOf(payload: unknown): string | undefined {
  const data = (payload as { data?: Record<string, { message?: { messageId?: string } | null }> }).data;
  if (!data) return undefined;
  for (const field of Object.values(data)) {
    const id = field?.message?.messageId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** Records the receipt; returns the payload's first error message, if it carries errors. */
function record(receipts: Map<string, number>, payload: unknown): string | undefined {
  const id = messageIdOf(payload);
  if (id !== undefined && !receipts.has(id)) receipts.set(id, performance.now());
  const errors = (payload as { errors?: { message?: string }[] }).errors;
  return errors?.[0] ? String(errors[0].message).slice(0, 200) : undefined;
}

/** Resolves once the server answered the subscription with 200 and an event stream. */
export function openSse(
  baseUrl: string,
  token: string,
  subscription: Subscription,
  timeoutMs: number,
): Promise<Subscriber> {
  const receipts = new Map<string, number>();
  let failure: string | undefined;
  let req: ClientRequest | undefined;
  let closed = false;
  const body = JSON.stringify(subscription);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req?.destroy();
      reject(new Error(`SSE subscription not answered within ${timeoutMs} ms`));
    }, timeoutMs);
    req = request(
      `${baseUrl}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`SSE subscription answered ${res.statusCode}`));
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let split: number;
          while ((split = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, split);
            buffer = buffer.slice(split + 2);
            for (const line of block.split('\n')) {
              if (!line.startsWith('data:')) continue;
              try {
                failure = record(receipts, JSON.parse(line.slice(5))) ?? failure;
              } catch {
                // a keep-alive or a complete event carries no JSON payload
              }
            }
          }
        });
        res.on('end', () => {
          if (!closed) failure ??= 'stream ended';
        });
        res.on('error', (error) => {
          if (!closed) failure = error.message;
        });
        resolve({
          transport: 'sse',
          receipts,
          failure: () => failure,
          close: () => {
            closed = true;
            req?.destroy();
          },
        });
      },
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      if (!closed) failure = error.message;
      reject(error);
    });
    req.end(body);
  });
}

/** Resolves once the server acknowledged the connection and the subscribe message is sent. */
export function openWs(
  baseUrl: string,
  token: string,
  subscription: Subscription,
  timeoutMs: number,
): Promise<Subscriber> {
  const receipts = new Map<string, number>();
  let failure: string | undefined;
  let closed = false;
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`WebSocket not acknowledged within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
    });
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString('utf8')) as { type: string; payload?: unknown };
      if (message.type === 'next') failure = record(receipts, message.payload) ?? failure;
      else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'error') failure = JSON.stringify(message.payload).slice(0, 200);
      else if (message.type === 'complete') failure = 'completed';
      else if (message.type === 'connection_ack') {
        clearTimeout(timer);
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: subscription }));
        resolve({
          transport: 'ws',
          receipts,
          failure: () => failure,
          close: () => {
            closed = true;
            socket.terminate();
          },
        });
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (!closed) failure = error.message;
      reject(error);
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      if (!closed) failure ??= `closed ${code}`;
      reject(new Error(`WebSocket closed ${code} before connection_ack`));
    });
  });
}
