import type { RepeaterBuffer, Stop } from '@repeaterjs/repeater';
import type { ChatEvent } from './events.js';
import { StartedRepeater } from './started-repeater.js';

/*
 * One listener's view of the bus: the events of a set of topics that can grow and
 * shrink while it is open (a viewer's feed follows rooms the viewer joins), queued until
 * the consumer pulls them. The queue is a Repeater's: return() ends it at once, also
 * while the consumer waits for an event, and the listeners go with it. It starts
 * listening when it is created, before the first pull, so that ready() can promise that
 * what is published afterwards is heard.
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
  private readonly events: StartedRepeater<ChatEvent>;
  private readonly listener: (event: ChatEvent) => void;
  private released = false;

  constructor(
    private readonly source: TopicSource,
    topics: Iterable<string>,
    maxQueued: number,
    private readonly onClose: (subscription: TopicSubscription) => void,
  ) {
    let deliver: (event: ChatEvent) => void = () => {};
    let stopWith: Stop | undefined;
    // An event the starting pull holds waits for the consumer too: it counts against the bound, and goes with the rest.
    const buffer = new BoundedBuffer(
      () => maxQueued - (this.events.firstPullUnclaimed ? 1 : 0),
      () => {
        this.events.dropFirstPull();
        stopWith?.(new SubscriberOverflowError(`More than ${maxQueued} events waited for a slow subscriber`));
      },
    );
    // The executor runs here, synchronously: push and stop exist before the first listener is added.
    this.events = new StartedRepeater<ChatEvent>(async (push, stop) => {
      deliver = (event) => void push(event);
      stopWith = stop;
      await stop;
      this.release();
      return undefined;
    }, buffer);
    this.listener = (event) => deliver(event);
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
    if (this.released || added.length === 0) return;
    for (const topic of added) this.listenTo(topic);
    await this.source.confirm();
  }

  remove(topic: string): void {
    if (!this.topicSet.delete(topic)) return;
    this.source.unlisten(topic, this.listener);
  }

  next(): Promise<IteratorResult<ChatEvent>> {
    return this.events.next();
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
    this.release();
    // An overflow nobody pulled would reject this return(); the subscription is over either way.
    this.events.return().catch(() => undefined);
  }

  private listenTo(topic: string): void {
    this.topicSet.add(topic);
    this.source.listen(topic, this.listener);
  }

  /** Gives the listeners back, once: on close, and as soon as an overflow ends the queue. */
  private release(): void {
    if (this.released) return;
    this.released = true;
    for (const topic of this.topicSet) this.source.unlisten(topic, this.listener);
    this.topicSet.clear();
    this.onClose(this);
  }
}

/**
 * Holds up to `capacity()` events for a consumer that has not pulled them yet. It never
 * reports itself full (that would make the bus's listener wait): one event more drops the
 * queue and ends the subscription, because a consumer this far behind would show stale
 * state anyway; the client re-syncs when it subscribes again.
 */
class BoundedBuffer implements RepeaterBuffer {
  private queue: unknown[] = [];

  constructor(
    private readonly capacity: () => number,
    private readonly overflow: () => void,
  ) {}

  get empty(): boolean {
    return this.queue.length === 0;
  }

  get full(): boolean {
    return false;
  }

  add(value: unknown): void {
    if (this.queue.length < this.capacity()) {
      this.queue.push(value);
      return;
    }
    this.queue = [];
    this.overflow();
  }

  remove(): unknown {
    if (this.queue.length === 0) throw new Error('Buffer empty');
    return this.queue.shift();
  }
}
