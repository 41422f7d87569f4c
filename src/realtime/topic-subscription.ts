import type { ChatEvent } from './events.js';

/*
 * One listener's view of the bus: the events of a set of topics that can grow and
 * shrink while it is open (viewerEvents follows rooms the viewer joins), queued until
 * the consumer pulls them. It is a hand-written async iterator rather than an async
 * generator because return() must end it at once, also while the consumer is waiting:
 * an async generator would finish that wait first, and keep its listeners until the
 * next event arrives.
 */

/** What a subscription needs from the bus's event target (in-memory or Redis). */
export interface TopicSource {
  listen(topic: string, listener: (event: ChatEvent) => void): void;
  unlisten(topic: string, listener: (event: ChatEvent) => void): void;
  /** Resolves once every listen() so far is in effect (Redis: the SUBSCRIBEs were acknowledged). */
  confirm(): Promise<void>;
}

/** Thrown from next() when the consumer fell so far behind that events had to be dropped. */
export class SubscriberOverflowError extends Error {
  override name = 'SubscriberOverflowError';
}

export class TopicSubscription implements AsyncIterableIterator<ChatEvent> {
  private readonly topicSet = new Set<string>();
  private queue: ChatEvent[] = [];
  private waiting: {
    resolve: (result: IteratorResult<ChatEvent>) => void;
    reject: (e: Error) => void;
  } | null = null;
  private closed = false;
  private failure: Error | null = null;
  private readonly listener = (event: ChatEvent): void => this.push(event);

  constructor(
    private readonly source: TopicSource,
    topics: Iterable<string>,
    private readonly maxQueued: number,
    private readonly onClose: (subscription: TopicSubscription) => void,
  ) {
    for (const topic of topics) this.listenTo(topic);
  }

  get topics(): ReadonlySet<string> {
    return this.topicSet;
  }

  /** Resolves once the topics subscribed so far deliver (events published after it are heard). */
  ready(): Promise<void> {
    return this.source.confirm();
  }

  /** Starts hearing more topics; resolves once they deliver. */
  async add(topics: readonly string[]): Promise<void> {
    const added = topics.filter((topic) => !this.topicSet.has(topic));
    if (this.closed || added.length === 0) return;
    for (const topic of added) this.listenTo(topic);
    await this.source.confirm();
  }

  remove(topic: string): void {
    if (!this.topicSet.delete(topic)) return;
    this.source.unlisten(topic, this.listener);
  }

  next(): Promise<IteratorResult<ChatEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ChatEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops listening; a pending next() ends (done) and queued events are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    for (const topic of this.topicSet) this.source.unlisten(topic, this.listener);
    this.topicSet.clear();
    this.settle({ value: undefined, done: true });
    this.onClose(this);
  }

  private listenTo(topic: string): void {
    this.topicSet.add(topic);
    this.source.listen(topic, this.listener);
  }

  private push(event: ChatEvent): void {
    if (this.closed) return;
    if (this.waiting) {
      this.settle({ value: event, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      // A consumer this far behind would show stale state anyway: end it, the client re-syncs.
      this.failure = new SubscriberOverflowError(
        `More than ${this.maxQueued} events waited for a slow subscriber`,
      );
      this.queue = [];
      this.closeListeners();
      return;
    }
    this.queue.push(event);
  }

  private closeListeners(): void {
    for (const topic of this.topicSet) this.source.unlisten(topic, this.listener);
    this.topicSet.clear();
  }

  private settle(result: IteratorResult<ChatEvent>): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(result);
  }
}
