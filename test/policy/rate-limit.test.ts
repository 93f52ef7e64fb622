import { describe, expect, it } from 'vitest';
import {
  decideRateLimit,
  failureKindOf,
  normalizeRateLimit,
  parseRateLimit,
} from '../../src/index.js';

const policy = { failures: 3, windowSeconds: 60 };

describe('decideRateLimit', () => {
  it('allows a client with fewer failures than the limit', () => {
    expect(decideRateLimit([1000, 2000], policy, 3000)).toEqual({ limited: false });
  });

  it('limits a client whose limit-th newest failure is inside the window', () => {
    expect(decideRateLimit([10_000, 5_000, 1_000], policy, 20_000)).toEqual({
      limited: true,
      retryAfterSeconds: 41,
    });
  });

  it('lifts the limit once the limit-th newest failure leaves the window', () => {
    expect(decideRateLimit([10_000, 5_000, 1_000], policy, 61_000)).toEqual({ limited: false });
  });

  it('reads unordered timestamps and ignores failures beyond the newest limit', () => {
    expect(decideRateLimit([1, 30_000, 20_000, 10_000], policy, 40_000)).toEqual({
      limited: true,
      retryAfterSeconds: 30,
    });
  });

  it('answers at least one second of Retry-After', () => {
    expect(decideRateLimit([59_999, 59_999, 59_999], policy, 119_998.5)).toEqual({
      limited: true,
      retryAfterSeconds: 1,
    });
  });
});

describe('parseRateLimit', () => {
  it('parses <failures>/<seconds> and off', () => {
    expect(parseRateLimit('5/300')).toEqual({ failures: 5, windowSeconds: 300 });
    expect(parseRateLimit(' 10 / 60 ')).toEqual({ failures: 10, windowSeconds: 60 });
    expect(parseRateLimit('OFF')).toBe(false);
  });

  it.each(['', '5', '5/', '/300', '0/300', '5/0', '-1/300', '5/300s', '1.5/60', '5/999999'])(
    'rejects %j with a TypeError naming the form',
    (text) => {
      expect(() => parseRateLimit(text)).toThrow(TypeError);
      expect(() => parseRateLimit(text)).toThrow(/claimgate: /);
    },
  );
});

describe('normalizeRateLimit', () => {
  it('rejects a non-integer window', () => {
    expect(() => normalizeRateLimit({ failures: 5, windowSeconds: 0.5 })).toThrow(/windowSeconds/);
  });
});

describe('failureKindOf', () => {
  it('maps token failure reasons to report kinds', () => {
    expect(failureKindOf('expired')).toBe('expired');
    expect(failureKindOf('signature')).toBe('invalid-signature');
    expect(failureKindOf('malformed')).toBe('malformed');
    expect(failureKindOf('algorithm')).toBe('other');
    expect(failureKindOf('claim')).toBe('other');
    expect(failureKindOf(undefined)).toBe('other');
  });
});
