import { describe, expect, it } from 'vitest';
import { createPubSub } from '../../src/server/create-pub-sub.js';

describe('createPubSub', () => {
  it('delivers each event to every subscriber, in order', async () => {
    const pubsub = createPubSub<number>();
    const a = pubsub.subscribe();
    const b = pubsub.subscribe();
    const next = a.next();
    pubsub.publish(1);
    pubsub.publish(2);
    expect(await next).toEqual({ value: 1, done: false });
    expect(await a.next()).toEqual({ value: 2, done: false });
    expect(await b.next()).toEqual({ value: 1, done: false });
    expect(await b.next()).toEqual({ value: 2, done: false });
  });

  it('delivers nothing published before the subscription', async () => {
    const pubsub = createPubSub<number>();
    pubsub.publish(1);
    const a = pubsub.subscribe();
    pubsub.publish(2);
    expect(await a.next()).toEqual({ value: 2, done: false });
  });

  it('keeps at most maxQueue undelivered events, dropping the oldest', async () => {
    const pubsub = createPubSub<number>({ maxQueue: 2 });
    const a = pubsub.subscribe();
    for (const n of [1, 2, 3]) pubsub.publish(n);
    expect(await a.next()).toEqual({ value: 2, done: false });
    expect(await a.next()).toEqual({ value: 3, done: false });
  });

  it('unsubscribes on return() and ends a pending next()', async () => {
    const pubsub = createPubSub<number>();
    const a = pubsub.subscribe();
    const pending = a.next();
    expect(pubsub.subscriberCount()).toBe(1);
    await expect(a.return?.()).resolves.toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(pubsub.subscriberCount()).toBe(0);
    pubsub.publish(1);
    expect(await a.next()).toEqual({ value: undefined, done: true });
  });

  it('throws a TypeError for a maxQueue that is not a positive integer', () => {
    expect(() => createPubSub({ maxQueue: 0 })).toThrow(TypeError);
    expect(() => createPubSub({ maxQueue: 1.5 })).toThrow(/maxQueue/);
  });
});
