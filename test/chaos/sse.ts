/*
 * A GraphQL subscription over Server-Sent Events, read as a client does: every `next`
 * event with its arrival time, whether the server sent `complete`, and how the stream
 * ended (cleanly, or with an error such as a reset connection).
 */

export interface SseEvent {
  at: number;
  data: unknown;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** 'open' while streaming; 'clean' = the body ended normally; 'error' = it broke off. */
  state(): 'open' | 'clean' | 'error';
  endedAt(): number | undefined;
  completeSeen(): boolean;
  error(): string;
  ended: Promise<void>;
  close(): void;
}

export async function openSse(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  let state: 'open' | 'clean' | 'error' = 'open';
  let endedAt: number | undefined;
  let complete = false;
  let error = '';
  let closedByUs = false;
  const ended = (async () => {
    if (!response.body) {
      state = 'clean';
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const kind = /^event: ?(.*)$/m.exec(block)?.[1]?.trim();
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (kind === 'complete') complete = true;
          else if (data !== '') events.push({ at: performance.now(), data: JSON.parse(data) as unknown });
        }
      }
      state = 'clean';
    } catch (caught) {
      state = closedByUs ? 'clean' : 'error';
      const cause = (caught as { cause?: { code?: string } }).cause;
      error = cause?.code ?? (caught instanceof Error ? caught.message : String(caught));
    } finally {
      endedAt = performance.now();
    }
  })();
  return {
    status: response.status,
    events,
    state: () => state,
    endedAt: () => endedAt,
    completeSeen: () => complete,
    error: () => error,
    ended,
    close: () => {
      closedByUs = true;
      abort.abort();
    },
  };
}
