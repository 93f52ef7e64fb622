/** An in-process event channel for the example server's subscriptions. */
export interface PubSub<T> {
  /** Delivers `event` to every current subscriber. */
  publish(event: T): void;
  /**
   * A new subscriber: an async iterator of the events published from now on. `return()` (called
   * by graphql-js and graphql-ws when a subscription ends) unsubscribes at once.
   */
  subscribe(): AsyncIterableIterator<T>;
  /** How many subscribers are listening, for tests and metrics. */
  subscriberCount(): number;
}

/** Options of {@link createPubSub}. */
export interface PubSubOptions {
  /**
   * Events buffered per subscriber that has not yet asked for them; beyond it the oldest are
   * dropped, so a slow client cannot grow the server's memory without bound.
   * @default 100
   */
  readonly maxQueue?: number;
}

interface Subscriber<T> {
  push(event: T): void;
}

/**
 * Creates a {@link PubSub}: one process, no persistence. Several server instances need a shared
 * broker (Redis pub/sub, ...) instead.
 * @throws TypeError when `maxQueue` is not a positive integer.
 */
export function createPubSub<T>(options: PubSubOptions = {}): PubSub<T> {
  const maxQueue = options.maxQueue ?? 100;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new TypeError('claimgate: `maxQueue` must be a positive integer.');
  }
  const subscribers = new Set<Subscriber<T>>();

  return {
    publish(event) {
      for (const subscriber of subscribers) subscriber.push(event);
    },
    subscriberCount: () => subscribers.size,
    subscribe() {
      const queue: T[] = [];
      let waiting: ((result: IteratorResult<T, undefined>) => void) | undefined;
      let done = false;
      const subscriber: Subscriber<T> = {
        push(event) {
          if (waiting !== undefined) {
            const resolve = waiting;
            waiting = undefined;
            resolve({ value: event, done: false });
            return;
          }
          if (queue.length >= maxQueue) queue.shift();
          queue.push(event);
        },
      };
      subscribers.add(subscriber);
      const finish = (): IteratorResult<T, undefined> => {
        done = true;
        subscribers.delete(subscriber);
        queue.length = 0;
        const result = { value: undefined, done: true } as const;
        if (waiting !== undefined) {
          const resolve = waiting;
          waiting = undefined;
          resolve(result);
        }
        return result;
      };
      const iterator: AsyncIterableIterator<T, undefined> = {
        next() {
          if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => {
            waiting = resolve;
          });
        },
        return: () => Promise.resolve(finish()),
        throw: (error: unknown) => {
          finish();
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
}
