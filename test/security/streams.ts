import http from 'node:http';
import WebSocket from 'ws';
import type { GraphQLBody } from './http.js';

/*
 * Long-lived connections as an attacker holds them: GraphQL subscriptions over SSE (one
 * HTTP request each), and graphql-ws sockets spoken frame by frame (raw `ws`, so the
 * audit sees the upgrade's status, whether connection_init was acknowledged, each
 * operation's answer and the close code, which a reconnecting client library hides).
 */

export interface SseStream {
  status: number;
  /** The first `next` payload's error code, if the stream answered with an error. */
  errorCode(): string | undefined;
  /** Whether the server ended the stream (or the connection broke). */
  ended(): boolean;
  close(): void;
}

/** Opens a subscription over SSE; resolves once its status line arrived (or it failed: status 0). */
export function openSse(
  baseUrl: string,
  query: string,
  headers: Record<string, string>,
  from = '127.0.0.1',
  agent?: http.Agent,
): Promise<SseStream> {
  const url = new URL('/graphql', baseUrl);
  const body = JSON.stringify({ query });
  return new Promise((resolve) => {
    let code: string | undefined;
    let ended = false;
    let buffer = '';
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      localAddress: from,
      ...(agent && { agent }),
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
      timeout: 15_000,
    });
    const stream = (status: number): SseStream => ({
      status,
      errorCode: () => code,
      ended: () => ended,
      close: () => request.destroy(),
    });
    request.on('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (data === '' || code !== undefined) continue;
          try {
            const payload = JSON.parse(data) as GraphQLBody;
            const first = payload.errors?.[0];
            if (first) code = first.extensions?.code ?? 'NO_CODE';
          } catch {
            // not JSON: ignore
          }
        }
      });
      response.on('end', () => (ended = true));
      response.on('error', () => (ended = true));
      response.on('close', () => (ended = true));
      if ((response.statusCode ?? 0) !== 200) {
        // A refusal in the status line: read its body for the code, then it ends.
        let text = '';
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            code ??= (JSON.parse(text) as GraphQLBody).errors?.[0]?.extensions?.code;
          } catch {
            // not JSON
          }
        });
      }
      resolve(stream(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => {
      ended = true;
      resolve(stream(0));
    });
    request.end(body);
  });
}

export interface OperationAnswer {
  data?: unknown;
  /** Error codes (from `error` frames or a `next` payload's errors). */
  errors: string[];
  /** Set when the socket closed before an answer. */
  closed?: number;
  timedOut?: boolean;
}

export interface Socket {
  /** The upgrade's HTTP status when it was refused (101 when it was accepted). */
  upgradeStatus: number;
  acknowledged: boolean;
  /** The close code, once closed. */
  closeCode(): number | undefined;
  /** Runs a query or mutation: its first answer. */
  request(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<OperationAnswer>;
  /** Starts a subscription under `id`; returns nothing (see `failed`). */
  subscribe(id: string, query: string): void;
  /** Ids whose subscription got an error or completed, with the code. */
  failed(): Map<string, string>;
  close(): Promise<void>;
}

/**
 * Opens a graphql-ws socket at /graphql with these upgrade headers, sends connection_init
 * with `payload`, and resolves once acknowledged, closed or refused (at most `timeoutMs`).
 */
export function openSocket(
  baseUrl: string,
  options: { headers?: Record<string, string>; from?: string; payload?: Record<string, unknown> },
  timeoutMs = 5000,
): Promise<Socket> {
  const url = new URL('/graphql', baseUrl.replace(/^http/, 'ws'));
  const ws = new WebSocket(url, 'graphql-transport-ws', {
    headers: options.headers ?? {},
    localAddress: options.from ?? '127.0.0.1',
    handshakeTimeout: timeoutMs,
  });
  let closeCode: number | undefined;
  let acknowledged = false;
  let upgradeStatus = 101;
  let nextId = 1;
  const pending = new Map<string, (answer: OperationAnswer) => void>();
  const failed = new Map<string, string>();
  const closed = new Promise<void>((resolve) => {
    ws.on('close', (code) => {
      closeCode = code;
      for (const [, settle] of pending) settle({ errors: [], closed: code });
      pending.clear();
      resolve();
    });
  });
  ws.on('error', () => {
    // the close (or unexpected-response) handler reports it
  });
  ws.on('message', (raw) => {
    let message: { type?: string; id?: string; payload?: unknown };
    try {
      message = JSON.parse(String(raw)) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'connection_ack') acknowledged = true;
    if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    const id = message.id;
    if (id === undefined) return;
    const settle = pending.get(id);
    if (message.type === 'next') {
      const body = message.payload as GraphQLBody;
      const errors = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
      if (settle) {
        pending.delete(id);
        settle({ data: body.data, errors });
      } else if (errors.length > 0 && !failed.has(id)) failed.set(id, errors[0] ?? 'NO_CODE');
    } else if (message.type === 'error') {
      const errors = (message.payload as { extensions?: { code?: string } }[] | undefined)?.map(
        (e) => e.extensions?.code ?? 'NO_CODE',
      ) ?? ['NO_CODE'];
      if (settle) {
        pending.delete(id);
        settle({ errors });
      } else failed.set(id, errors[0] ?? 'NO_CODE');
    } else if (message.type === 'complete') {
      if (settle) {
        pending.delete(id);
        settle({ errors: ['COMPLETE'] });
      } else if (!failed.has(id)) failed.set(id, 'COMPLETE');
    }
  });

  const socket: Socket = {
    get upgradeStatus() {
      return upgradeStatus;
    },
    get acknowledged() {
      return acknowledged;
    },
    closeCode: () => closeCode,
    request(query, variables = {}, requestTimeoutMs = 5000) {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve({ errors: [], closed: closeCode ?? 0 });
      const id = `q${nextId++}`;
      return new Promise<OperationAnswer>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ errors: [], timedOut: true });
        }, requestTimeoutMs);
        pending.set(id, (answer) => {
          clearTimeout(timer);
          resolve(answer);
        });
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      });
    },
    subscribe(id, query) {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    },
    failed: () => failed,
    async close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    },
  };

  return new Promise<Socket>((resolve) => {
    const timer = setTimeout(() => resolve(socket), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    ws.on('unexpected-response', (_request, response) => {
      upgradeStatus = response.statusCode ?? 0;
      response.resume();
      ws.terminate();
      done();
    });
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'connection_init', payload: options.payload ?? {} }));
    });
    ws.on('message', () => {
      if (acknowledged) done();
    });
    void closed.then(done);
  });
}
