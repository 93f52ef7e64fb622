import { describe, expect, it } from 'vitest';
import { createVerifiedTokenCache } from '../../src/token/create-verified-token-cache.js';

const T0 = 1_800_000_000_000; // an arbitrary instant, in epoch milliseconds

describe('createVerifiedTokenCache', () => {
  it('answers until the millisecond before expiresAt and misses from expiresAt on', () => {
    const cache = createVerifiedTokenCache<string>();
    const key = cache.keyOf('token-a');
    cache.set(key, 'a', T0 + 1000, 100, T0);
    expect(cache.get(key, T0 + 999)).toBe('a');
    expect(cache.get(key, T0 + 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('stores nothing that has already expired', () => {
    const cache = createVerifiedTokenCache<string>();
    cache.set(cache.keyOf('late'), 'late', T0, 100, T0);
    expect(cache.size).toBe(0);
  });

  it('keys each exact string: another string form is another entry', () => {
    const cache = createVerifiedTokenCache<string>();
    cache.set(cache.keyOf('abc'), 'abc', T0 + 1000, 10, T0);
    expect(cache.get(cache.keyOf('abc '), T0)).toBeUndefined();
    expect(cache.get(cache.keyOf('ABC'), T0)).toBeUndefined();
    expect(cache.get(cache.keyOf('abc'), T0)).toBe('abc');
  });

  it('never holds the token itself: keys are 44-character SHA-256 digests', () => {
    const cache = createVerifiedTokenCache<string>();
    const token = 'x'.repeat(5000);
    expect(cache.keyOf(token)).toHaveLength(44);
    expect(cache.keyOf(token)).not.toContain('xxxx');
  });

  it('stays within maxEntries over a million distinct tokens, evicting the least recent', () => {
    const maxEntries = 1000;
    const cache = createVerifiedTokenCache<number>({ maxEntries, maxBytes: 1_000_000_000 });
    let largest = 0;
    const total = 1_000_000;
    for (let i = 0; i < total; i += 1) {
      cache.set(cache.keyOf(`token-${i}`), i, T0 + 60_000, 600, T0);
      if (cache.size > largest) largest = cache.size;
    }
    expect(largest).toBe(maxEntries);
    expect(cache.size).toBe(maxEntries);
    expect(cache.bytes).toBe(maxEntries * 600);
    expect(cache.get(cache.keyOf(`token-${total - 1}`), T0)).toBe(total - 1);
    expect(cache.get(cache.keyOf(`token-${total - maxEntries}`), T0)).toBe(total - maxEntries);
    expect(cache.get(cache.keyOf(`token-${total - maxEntries - 1}`), T0)).toBeUndefined();
    expect(cache.get(cache.keyOf('token-0'), T0)).toBeUndefined();
  });

  it('stays within maxBytes and refuses an entry larger than the whole budget', () => {
    const cache = createVerifiedTokenCache<number>({ maxEntries: 1_000_000, maxBytes: 10_000 });
    for (let i = 0; i < 10_000; i += 1) {
      cache.set(cache.keyOf(`token-${i}`), i, T0 + 60_000, 300, T0);
      expect(cache.bytes).toBeLessThanOrEqual(10_000);
    }
    expect(cache.size).toBe(33);
    cache.set(cache.keyOf('huge'), -1, T0 + 60_000, 10_001, T0);
    expect(cache.get(cache.keyOf('huge'), T0)).toBeUndefined();
    expect(cache.size).toBe(33);
  });

  it('keeps a recently read entry over older unread ones', () => {
    const cache = createVerifiedTokenCache<string>({ maxEntries: 2 });
    cache.set(cache.keyOf('a'), 'a', T0 + 1000, 1, T0);
    cache.set(cache.keyOf('b'), 'b', T0 + 1000, 1, T0);
    expect(cache.get(cache.keyOf('a'), T0)).toBe('a');
    cache.set(cache.keyOf('c'), 'c', T0 + 1000, 1, T0);
    expect(cache.get(cache.keyOf('a'), T0)).toBe('a');
    expect(cache.get(cache.keyOf('b'), T0)).toBeUndefined();
    expect(cache.get(cache.keyOf('c'), T0)).toBe('c');
  });

  it('replaces an entry stored again under the same key without counting it twice', () => {
    const cache = createVerifiedTokenCache<string>();
    cache.set(cache.keyOf('a'), 'first', T0 + 1000, 100, T0);
    cache.set(cache.keyOf('a'), 'second', T0 + 1000, 150, T0);
    expect(cache.get(cache.keyOf('a'), T0)).toBe('second');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(150);
  });

  it('deletes one entry and its bytes, and ignores a key it does not hold', () => {
    const cache = createVerifiedTokenCache<string>();
    cache.set(cache.keyOf('a'), 'a', T0 + 1000, 100, T0);
    cache.set(cache.keyOf('b'), 'b', T0 + 1000, 30, T0);
    cache.delete(cache.keyOf('a'));
    cache.delete(cache.keyOf('never stored'));
    expect(cache.get(cache.keyOf('a'), T0)).toBeUndefined();
    expect(cache.get(cache.keyOf('b'), T0)).toBe('b');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(30);
  });

  it('throws a TypeError for a bound that is not a positive integer', () => {
    expect(() => createVerifiedTokenCache({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => createVerifiedTokenCache({ maxBytes: 1.5 })).toThrow(/cache\.maxBytes/);
    expect(() => createVerifiedTokenCache({ maxEntries: Number.NaN })).toThrow(/cache: false/);
  });
});
