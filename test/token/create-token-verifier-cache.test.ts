import type { CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/index.js';
import {
  countingKeyResolver,
  generateTestSecret,
  mintToken,
  secretBytes,
} from '../helpers/keys.js';

const EXP = 1_900_000_000; // seconds since the epoch
const IAT = EXP - 3600;

let secret: string;
let key: CryptoKey;

beforeAll(async () => {
  secret = generateTestSecret();
  key = await crypto.subtle.importKey(
    'raw',
    secretBytes(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
});

/** A clock the test moves, in epoch milliseconds. */
function manualClock(startMs: number): { currentDate: () => Date; set(ms: number): void } {
  let now = startMs;
  return {
    currentDate: () => new Date(now),
    set: (ms) => {
      now = ms;
    },
  };
}

async function verifierWith(
  counter: ReturnType<typeof countingKeyResolver>,
  options: Partial<TokenVerifierOptions> = {},
) {
  return createTokenVerifier({
    algorithms: ['HS256'],
    key: { getKey: counter.getKey },
    ...options,
  });
}

const mint = (claims: Record<string, unknown> = {}, exp: number | null = EXP) =>
  mintToken({
    alg: 'HS256',
    key: secretBytes(secret),
    claims: { sub: 'user-1', iat: IAT, permissions: ['read'], ...claims },
    exp,
  });

describe('createTokenVerifier cache', () => {
  it('verifies a token once per cache lifetime', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, { currentDate: clock.currentDate });
    const token = await mint();
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(counter.calls).toBe(1);
    expect(second).toBe(first);
    await expect(verifier.verifyWithDetails?.(token)).resolves.toMatchObject({
      ok: true,
      cacheHit: true,
      algorithm: 'HS256',
    });
    expect(counter.calls).toBe(1);
  });

  it('shares one verification between concurrent requests with the same new token', async () => {
    const counter = countingKeyResolver(key);
    const verifier = await verifierWith(counter, { currentDate: () => new Date(IAT * 1000) });
    const token = await mint();
    const principals = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(token)));
    expect(counter.calls).toBe(1);
    expect(new Set(principals).size).toBe(1);
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    const refused = await Promise.allSettled([verifier.verify(forged), verifier.verify(forged)]);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(counter.calls).toBe(2);
  });

  it('verifies every time with cache: false', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, { currentDate: clock.currentDate, cache: false });
    const token = await mint();
    for (let i = 0; i < 3; i += 1) await verifier.verify(token);
    expect(counter.calls).toBe(3);
  });

  it('answers from the cache until the millisecond before exp, never at exp', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    // The default clock tolerance (10 s) lets jose accept the token past exp; the cache must not.
    const verifier = await verifierWith(counter, { currentDate: clock.currentDate });
    const token = await mint();
    await verifier.verify(token);
    clock.set(EXP * 1000 - 1);
    await verifier.verify(token);
    expect(counter.calls).toBe(1);
    clock.set(EXP * 1000);
    await verifier.verify(token);
    expect(counter.calls).toBe(2);
    clock.set(EXP * 1000 + 1);
    await verifier.verify(token);
    expect(counter.calls).toBe(3);
  });

  it('refuses an expired token after a cache hit once exp has passed', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, {
      currentDate: clock.currentDate,
      clockTolerance: 0,
    });
    const token = await mint();
    await verifier.verify(token);
    clock.set(EXP * 1000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('ends a cached entry at iat + maxTokenAge when that comes before exp', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, {
      currentDate: clock.currentDate,
      maxTokenAge: 60,
      clockTolerance: 0,
    });
    const token = await mint();
    await verifier.verify(token);
    clock.set((IAT + 60) * 1000 - 1);
    await verifier.verify(token);
    expect(counter.calls).toBe(1);
    clock.set((IAT + 61) * 1000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('caches only tokens that verified', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, { currentDate: clock.currentDate });
    const token = await mint();
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    for (let i = 0; i < 2; i += 1) {
      await expect(verifier.verify(forged)).rejects.toMatchObject({
        code: 'TOKEN_INVALID',
        reason: 'signature',
      });
    }
    expect(counter.calls).toBe(2);
  });

  it('does not cache a token without exp', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, {
      currentDate: clock.currentDate,
      requireExpiration: false,
    });
    const token = await mint({}, null);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(counter.calls).toBe(2);
  });

  it('treats another string form of a token as another entry', async () => {
    const counter = countingKeyResolver(key);
    const clock = manualClock(IAT * 1000);
    const verifier = await verifierWith(counter, { currentDate: clock.currentDate });
    const token = await mint();
    await verifier.verify(token);
    // The last base64url character of a 32-byte signature carries 2 unused bits: flipping them
    // gives a different string for the same signature bytes.
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? '';
    const variant = token.slice(0, -1) + sibling;
    expect(variant).not.toBe(token);
    // Not served from the cache: refused before any crypto as a non-canonical spelling (issue #4).
    await expect(verifier.verify(variant)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(counter.calls).toBe(1);
  });

  it('shares a deeply frozen principal between cache hits', async () => {
    const counter = countingKeyResolver(key);
    const verifier = await verifierWith(counter, { currentDate: () => new Date(IAT * 1000) });
    const principal = await verifier.verify(await mint({ profile: { team: { name: 'a' } } }));
    const profile = principal.claims['profile'] as { team: { name: string } };
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.team)).toBe(true);
  });

  it('shares permissions no request can change: the next hit sees the verified ones', async () => {
    const counter = countingKeyResolver(key);
    const verifier = await verifierWith(counter, { currentDate: () => new Date(IAT * 1000) });
    const token = await mint({ permissions: ['read'] });
    const first = await verifier.verify(token);
    const mutable = first.permissions as Set<string>; // what a careless resolver could do
    expect(() => mutable.add('admin')).toThrow(TypeError);
    expect(() => mutable.delete('read')).toThrow(TypeError);
    expect(() => mutable.clear()).toThrow(TypeError);
    const second = await verifier.verify(token);
    expect(counter.calls).toBe(1);
    expect([...second.permissions]).toEqual(['read']);
    expect(second.permissions.has('read')).toBe(true);
  });

  it('throws a TypeError for a cache option that is not false or an object', async () => {
    const counter = countingKeyResolver(key);
    const notAnOption: unknown = true; // what a JavaScript caller could pass
    await expect(verifierWith(counter, { cache: notAnOption as false })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(verifierWith(counter, { cache: { maxEntries: -1 } })).rejects.toThrow(
      /cache\.maxEntries/,
    );
  });
});
