import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, importSPKI, type JWK } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthUnavailableError,
  createTokenVerifier,
  importKeySource,
  KeySourceError,
  REMOTE_JWKS_DEFAULTS,
  type RemoteJwksOptions,
  type TokenVerifier,
} from '../../src/index.js';
import { startJwksServer, type JwksServer, type JwksServerMode } from '../helpers/jwks-server.js';
import { generateTestKeyPair, mintToken, nowSeconds, type TestKeyPair } from '../helpers/keys.js';
import { createManualClock, type ManualClock } from '../helpers/manual-clock.js';
import { createWeakRsaToken } from '../helpers/weak-rsa.js';

const COOLDOWN = 30_000;
const CACHE_MAX_AGE = 600_000;
const MAX_STALE_AGE = 3_600_000;

let keyA: TestKeyPair;
let keyB: TestKeyPair;
let keyC: TestKeyPair;
let server: JwksServer;
let clock: ManualClock;

const jwk = (pair: TestKeyPair, kid: string): JWK => ({ ...pair.publicJwk, kid });
const token = (pair: TestKeyPair, kid: string) =>
  mintToken({ alg: pair.alg, key: pair.privateKey, header: { kid }, claims: { sub: kid } });

async function remoteVerifier(
  options: Partial<RemoteJwksOptions> = {},
  algorithms: readonly string[] = ['ES256'],
  verifierOptions: { readonly cache?: false } = {},
): Promise<TokenVerifier> {
  return createTokenVerifier({
    algorithms,
    ...verifierOptions,
    key: {
      jwksUrl: server.jwksUrl,
      timeoutDuration: 250,
      cooldownDuration: COOLDOWN,
      cacheMaxAge: CACHE_MAX_AGE,
      outageBackoff: 1_000,
      maxOutageBackoff: 4_000,
      now: () => clock.now(),
      ...options,
    },
  });
}

beforeAll(async () => {
  [keyA, keyB, keyC] = await Promise.all([
    generateTestKeyPair('ES256'),
    generateTestKeyPair('ES256'),
    generateTestKeyPair('ES256'),
  ]);
});

beforeEach(async () => {
  clock = createManualClock();
  server = await startJwksServer({ keys: [jwk(keyA, 'a')], slowMs: 2_000 });
});

afterEach(async () => {
  await server.close();
});

describe('remote JWKS key source', () => {
  it('shares one fetch among concurrent cold requests', async () => {
    const verifier = await remoteVerifier();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => token(keyA, 'a')));
    const principals = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(principals.map((p) => p.subject)).toEqual(Array(10).fill('a'));
    expect(server.fetchCount).toBe(1);
  });

  it('fetches through the injected fetch with the configured headers', async () => {
    const requested: string[] = [];
    const verifier = await remoteVerifier({
      headers: { 'x-api-key': 'k-123' },
      fetch: (url, init) => {
        requested.push(url);
        return fetch(url, init);
      },
    });
    await verifier.warmUp();
    expect(requested).toEqual([server.jwksUrl]);
    expect(server.lastHeaders).toMatchObject({ 'x-api-key': 'k-123' });
    expect(server.fetchCount).toBe(1);
  });

  it('is ready only after warmUp has loaded the keys, then verifies without fetching', async () => {
    const verifier = await remoteVerifier();
    expect(verifier.isReady()).toBe(false);
    expect(server.fetchCount).toBe(0);
    await verifier.warmUp();
    expect(verifier.isReady()).toBe(true);
    await verifier.verify(await token(keyA, 'a'));
    await verifier.warmUp();
    expect(server.fetchCount).toBe(1);
  });

  it('picks up a rotated key at once and refetches for unknown kids at most once per cooldown', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setKeys([jwk(keyA, 'a'), jwk(keyB, 'b')]);
    clock.advance(COOLDOWN);
    await expect(verifier.verify(await token(keyB, 'b'))).resolves.toMatchObject({ subject: 'b' });
    expect(server.fetchCount).toBe(2);

    // Within the cooldown an unknown kid does not fetch: it is simply not a key we trust.
    const unknown = await token(keyC, 'c');
    for (let i = 0; i < 5; i += 1) {
      await expect(verifier.verify(unknown)).rejects.toMatchObject({
        code: 'TOKEN_INVALID',
        reason: 'key',
      });
    }
    expect(server.fetchCount).toBe(2);

    clock.advance(COOLDOWN);
    await expect(verifier.verify(unknown)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(server.fetchCount).toBe(3);
  });

  it('drops a key the issuer has removed once the set is refetched', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setKeys([jwk(keyB, 'b')]);
    clock.advance(COOLDOWN);
    await verifier.verify(await token(keyB, 'b'));
    await expect(verifier.verify(await token(keyA, 'a'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    expect(server.fetchCount).toBe(2);
  });

  it('refreshes an expired cache in the background without holding up the request', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setKeys([jwk(keyA, 'a'), jwk(keyB, 'b')]);
    clock.advance(CACHE_MAX_AGE);
    await verifier.verify(await token(keyA, 'a'));
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    await expect(verifier.verify(await token(keyB, 'b'))).resolves.toMatchObject({ subject: 'b' });
    expect(server.fetchCount).toBe(2);
  });

  it('keeps verifying known kids with the last good keys while refreshes fail', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setMode('status-500');
    clock.advance(CACHE_MAX_AGE);
    const known = await token(keyA, 'a');
    await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    for (let i = 0; i < 10; i += 1) {
      await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    }
    expect(verifier.isReady()).toBe(true);
    expect(server.fetchCount).toBe(2);
  });

  it('answers AUTH_UNAVAILABLE for unknown kids while the endpoint is down and bounds the fetches', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setMode('reset');
    clock.advance(COOLDOWN);
    const unknown = await token(keyB, 'b');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => verifier.verify(unknown)),
    );
    for (const result of results) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { code: 'AUTH_UNAVAILABLE', reason: 'network' },
      });
    }
    expect(server.fetchCount).toBe(2);

    // Cached keys keep working, and more unknown kids during the backoff fetch nothing.
    await expect(verifier.verify(await token(keyA, 'a'))).resolves.toMatchObject({ subject: 'a' });
    await expect(verifier.verify(unknown)).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    expect(server.fetchCount).toBe(2);

    clock.advance(1_000);
    await expect(verifier.verify(unknown)).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    expect(server.fetchCount).toBe(3);
  });

  it('keeps verifying known kids while a slow refetch for an unknown kid times out', async () => {
    const verifier = await remoteVerifier();
    await verifier.warmUp();
    server.setMode('slow');
    clock.advance(COOLDOWN);
    const unknown = verifier.verify(await token(keyB, 'b')).catch((error: unknown) => error);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    await expect(verifier.verify(await token(keyA, 'a'))).resolves.toMatchObject({ subject: 'a' });
    expect(await unknown).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'timeout' });
    expect(server.fetchCount).toBe(2);
  });

  it('answers AUTH_UNAVAILABLE when the endpoint refuses connections', async () => {
    const verifier = await remoteVerifier();
    await server.stop();
    const error: unknown = await verifier.verify(await token(keyA, 'a')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'network' });
    // The cause, for the server's logs, names the endpoint and the system error.
    expect((error as AuthUnavailableError).cause).toMatchObject({
      message: `claimgate: ${server.jwksUrl}: request failed (ECONNREFUSED).`,
    });
    expect(verifier.isReady()).toBe(false);
  });

  it('answers AUTH_UNAVAILABLE when a slow endpoint exceeds the timeout', async () => {
    const verifier = await remoteVerifier();
    server.setMode('slow');
    const error: unknown = await verifier.verify(await token(keyA, 'a')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'timeout' });
    expect((error as AuthUnavailableError).cause).toMatchObject({
      message: `claimgate: ${server.jwksUrl}: no answer within 250 ms (\`timeoutDuration\`).`,
    });
    expect(server.fetchCount).toBe(1);
  });

  it.each<[JwksServerMode, string]>([
    ['status-500', 'http-status'],
    ['invalid-json', 'invalid-json'],
    ['malformed', 'invalid-jwks'],
    ['oversized', 'too-large'],
    ['oversized-chunked', 'too-large'],
  ])('answers AUTH_UNAVAILABLE when the endpoint answers %s', async (mode, reason) => {
    const verifier = await remoteVerifier({ maxResponseBytes: 64 * 1024 });
    server.setMode(mode);
    const error: unknown = await verifier.verify(await token(keyA, 'a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthUnavailableError);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason, retryAfter: 1 });
    expect((error as AuthUnavailableError).cause).toBeInstanceOf(Error);
    expect(server.fetchCount).toBe(1);
  });

  it('rejects warmUp with AUTH_UNAVAILABLE and stays unready while the endpoint fails', async () => {
    const verifier = await remoteVerifier();
    server.setMode('status-500');
    await expect(verifier.warmUp()).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    expect(verifier.isReady()).toBe(false);
  });

  it('recovers on the first request after the backoff once the endpoint answers again', async () => {
    const verifier = await remoteVerifier();
    server.setMode('status-500');
    const t = await token(keyA, 'a');
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    expect(server.fetchCount).toBe(1);
    server.setMode('ok');
    clock.advance(1_000);
    await expect(verifier.verify(t)).resolves.toMatchObject({ subject: 'a' });
    expect(server.fetchCount).toBe(2);
    expect(verifier.isReady()).toBe(true);
  });

  it('doubles the backoff on consecutive failures up to maxOutageBackoff', async () => {
    const verifier = await remoteVerifier();
    server.setMode('status-500');
    const t = await token(keyA, 'a');
    const retryAfters: unknown[] = [];
    for (const wait of [0, 1_000, 2_000, 4_000, 4_000]) {
      clock.advance(wait);
      const error: unknown = await verifier.verify(t).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE' });
      retryAfters.push((error as AuthUnavailableError).retryAfter);
    }
    expect(retryAfters).toEqual([1, 2, 4, 4, 4]);
    expect(server.fetchCount).toBe(5);
  });

  it('skips an RSA key under 2048 bits and refuses tokens signed with it', async () => {
    const strong = await generateTestKeyPair('RS256');
    const weak = createWeakRsaToken('weak', { sub: 'w', exp: nowSeconds() + 60 });
    server.setKeys([weak.publicJwk, jwk(strong, 'strong')]);
    const verifier = await remoteVerifier({}, ['RS256']);
    await expect(verifier.verify(await token(strong, 'strong'))).resolves.toMatchObject({
      subject: 'strong',
    });
    await expect(verifier.verify(weak.token)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
  });

  it('skips encryption keys (use "enc")', async () => {
    server.setKeys([{ ...jwk(keyA, 'a'), use: 'enc' }, jwk(keyB, 'b')]);
    const verifier = await remoteVerifier();
    await expect(verifier.verify(await token(keyA, 'a'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
    await expect(verifier.verify(await token(keyB, 'b'))).resolves.toMatchObject({ subject: 'b' });
  });

  it('answers AUTH_UNAVAILABLE, naming the cause, when no key fits the algorithms', async () => {
    const verifier = await remoteVerifier({}, ['RS256']);
    const error: unknown = await verifier.warmUp().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'invalid-jwks' });
    expect(String((error as Error).cause)).toMatch(/no usable signature key for RS256/);
    expect(verifier.isReady()).toBe(false);
  });

  it('uses a key only with the algorithm it names', async () => {
    // One RSA key pair, published for RS256 only, and a PS256 token signed with the same key.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const rsa: TestKeyPair = {
      alg: 'RS256',
      privateKey: await importPKCS8(pem, 'RS256'),
      publicKey: await importSPKI(
        pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        'RS256',
      ),
      publicKeyPem: '',
      publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' },
    };
    server.setKeys([jwk(rsa, 'r')]);
    const verifier = await remoteVerifier({}, ['RS256', 'PS256']);
    const ps256 = await mintToken({
      alg: 'PS256',
      key: await importPKCS8(pem, 'PS256'),
      header: { kid: 'r' },
    });
    await expect(verifier.verify(ps256)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
    await expect(verifier.verify(await token(rsa, 'r'))).resolves.toBeDefined();
  });

  it('refuses a token matched by several keys', async () => {
    // Two keys without kid, both fitting ES256: jose cannot tell which one signed.
    server.setKeys([keyA.publicJwk, keyB.publicJwk]);
    const verifier = await remoteVerifier();
    const t = await mintToken({ alg: 'ES256', key: keyA.privateKey });
    await expect(verifier.verify(t)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
  });

  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])(
    'verifies a %s token with a key from the JWKS',
    async (alg) => {
      const pair = await generateTestKeyPair(alg);
      server.setKeys([jwk(keyA, 'a'), jwk(pair, alg)]);
      const verifier = await remoteVerifier({}, [alg]);
      await expect(verifier.verify(await token(pair, alg))).resolves.toMatchObject({
        subject: alg,
      });
      expect(server.fetchCount).toBe(1);
    },
  );
});

describe('remote JWKS key source: maxStaleAge', () => {
  // No verified-token cache here: every verification must ask the key source.
  const staleVerifier = (options: Partial<RemoteJwksOptions> = {}) =>
    remoteVerifier({ maxStaleAge: MAX_STALE_AGE, refreshJitter: 0, ...options }, ['ES256'], {
      cache: false,
    });

  it('verifies with stale keys up to maxStaleAge, then answers AUTH_UNAVAILABLE (stale) until a fetch succeeds', async () => {
    const verifier = await staleVerifier();
    await verifier.warmUp();
    server.setMode('status-500');
    const known = await token(keyA, 'a');

    // Within the bound: stale-if-error, the failed background refresh only starts the backoff.
    clock.advance(MAX_STALE_AGE - 1);
    await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    expect(verifier.isReady()).toBe(true);

    // At the bound the cached keys are no longer used, for known and unknown kids alike.
    clock.advance(1);
    const error: unknown = await verifier.verify(known).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthUnavailableError);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'stale', retryAfter: 1 });
    // The cause, for the server's logs, names the bound; its own cause is the failed fetch.
    const cause = (error as AuthUnavailableError).cause;
    expect(cause).toBeInstanceOf(KeySourceError);
    expect(cause).toMatchObject({
      reason: 'stale',
      message: expect.stringContaining(
        `more than \`maxStaleAge\` (${MAX_STALE_AGE} ms), and the last refresh failed (http-status)`,
      ) as unknown,
      cause: { reason: 'http-status' },
    });
    await expect(verifier.verify(await token(keyB, 'b'))).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'stale',
    });
    expect(verifier.isReady()).toBe(false);
    expect(server.fetchCount).toBe(2);

    // After the backoff a request waits for the fetch, which fails again.
    clock.advance(1_000);
    await expect(verifier.verify(known)).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'stale',
      retryAfter: 2,
    });
    expect(server.fetchCount).toBe(3);

    // The endpoint answers again: the first request after the backoff restores everything.
    server.setMode('ok');
    clock.advance(2_000);
    await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    expect(server.fetchCount).toBe(4);
    expect(verifier.isReady()).toBe(true);
    await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    expect(server.fetchCount).toBe(4);
  });

  it('waits for a fetch instead of trusting keys past maxStaleAge, so a key withdrawn meanwhile is refused', async () => {
    const verifier = await staleVerifier();
    await verifier.warmUp();
    server.setKeys([jwk(keyB, 'b')]);
    clock.advance(MAX_STALE_AGE);
    await expect(verifier.verify(await token(keyA, 'a'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
    expect(server.fetchCount).toBe(2);
    await expect(verifier.verify(await token(keyB, 'b'))).resolves.toMatchObject({ subject: 'b' });
    expect(server.fetchCount).toBe(2);
  });

  it('turns unready past maxStaleAge and recovers through readiness probes alone', async () => {
    const verifier = await staleVerifier();
    await verifier.warmUp();
    server.setMode('status-500');
    clock.advance(MAX_STALE_AGE);
    await expect(verifier.warmUp()).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'stale',
    });
    expect(server.fetchCount).toBe(2);
    expect(verifier.isReady()).toBe(false);
    expect(server.fetchCount).toBe(2); // the backoff holds for probes too

    // No token traffic (say, the load balancer took the instance out): a probe starts the fetch.
    server.setMode('ok');
    clock.advance(1_000);
    expect(verifier.isReady()).toBe(false);
    await vi.waitFor(() => expect(verifier.isReady()).toBe(true));
    expect(server.fetchCount).toBe(3);
  });

  it('refreshes keys that are due when probed, so an idle instance does not reach maxStaleAge', async () => {
    const verifier = await staleVerifier();
    await verifier.warmUp();
    clock.advance(CACHE_MAX_AGE - 1);
    expect(verifier.isReady()).toBe(true);
    clock.advance(1);
    expect(verifier.isReady()).toBe(true);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    clock.advance(MAX_STALE_AGE - 1_000);
    expect(verifier.isReady()).toBe(true);
  });

  it('defaults to 24 hours', async () => {
    expect(REMOTE_JWKS_DEFAULTS.maxStaleAge).toBe(86_400_000);
    const verifier = await remoteVerifier({}, ['ES256'], { cache: false });
    await verifier.warmUp();
    server.setMode('status-500');
    const known = await token(keyA, 'a');
    clock.advance(86_400_000 - 1);
    await expect(verifier.verify(known)).resolves.toMatchObject({ subject: 'a' });
    clock.advance(1);
    await expect(verifier.verify(known)).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'stale',
    });
  });
});

describe('remote JWKS key source: keyGeneration', () => {
  async function remoteSource(options: Partial<RemoteJwksOptions> = {}) {
    const source = await importKeySource(
      {
        jwksUrl: server.jwksUrl,
        timeoutDuration: 250,
        cooldownDuration: COOLDOWN,
        cacheMaxAge: CACHE_MAX_AGE,
        refreshJitter: 0,
        maxStaleAge: MAX_STALE_AGE,
        outageBackoff: 1_000,
        maxOutageBackoff: 4_000,
        now: () => clock.now(),
        ...options,
      },
      ['ES256'],
    );
    const generation = (): number => {
      const value = source.keyGeneration?.();
      if (value === undefined) throw new Error('a remote source has keyGeneration');
      return value;
    };
    return { source, generation };
  }

  it('stays put over the first load and refetches of the same keys, in any order', async () => {
    server.setKeys([jwk(keyA, 'a'), jwk(keyB, 'b')]);
    const { source, generation } = await remoteSource();
    const initial = generation();
    await source.warmUp();
    expect(generation()).toBe(initial);

    server.setKeys([jwk(keyB, 'b'), jwk(keyA, 'a')]);
    clock.advance(CACHE_MAX_AGE);
    expect(generation()).toBe(initial); // starts the due refresh, answers at once
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    expect(generation()).toBe(initial);
  });

  it('moves on when a refetch brings another key set: a key withdrawn, added or replaced', async () => {
    const { source, generation } = await remoteSource();
    await source.warmUp();
    const seen = [generation()];
    const refetchWith = async (keys: JWK[]) => {
      server.setKeys(keys);
      const before = server.fetchCount;
      clock.advance(CACHE_MAX_AGE);
      generation();
      await vi.waitFor(() => expect(server.fetchCount).toBe(before + 1));
      seen.push(generation());
    };
    await refetchWith([jwk(keyA, 'a'), jwk(keyB, 'b')]); // added
    await refetchWith([jwk(keyB, 'b')]); // withdrawn
    await refetchWith([jwk(keyC, 'b')]); // replaced under the same kid
    await refetchWith([{ ...jwk(keyC, 'b'), alg: 'ES384' }, jwk(keyB, 'c')]); // any member
    expect(seen).toEqual([seen[0], seen[0]! + 1, seen[0]! + 2, seen[0]! + 3, seen[0]! + 4]);
  });

  it('moves on once when the keys pass maxStaleAge, and not again on recovery with the same keys', async () => {
    const { source, generation } = await remoteSource();
    await source.warmUp();
    const initial = generation();
    server.setMode('status-500');
    clock.advance(MAX_STALE_AGE - 1);
    expect(generation()).toBe(initial);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    expect(generation()).toBe(initial);

    clock.advance(1);
    expect(generation()).toBe(initial + 1);
    expect(generation()).toBe(initial + 1);
    await expect(source.warmUp()).rejects.toMatchObject({ reason: 'stale' });
    expect(generation()).toBe(initial + 1);

    server.setMode('ok');
    clock.advance(4_000);
    await source.warmUp();
    expect(generation()).toBe(initial + 1);
    expect(source.isReady()).toBe(true);
  });

  it('is absent from static key sources', async () => {
    const sources = await Promise.all([
      importKeySource({ jwks: { keys: [jwk(keyA, 'a')] } }, ['ES256']),
      importKeySource({ publicKey: keyA.publicKeyPem }, ['ES256']),
      importKeySource({ getKey: () => keyA.publicKey }, ['ES256']),
    ]);
    expect(sources.map((source) => 'keyGeneration' in source)).toEqual([false, false, false]);
  });
});

describe('remote JWKS key source: refreshJitter', () => {
  /** An uncached verifier whose fetches are counted on the client side, as they start. */
  async function jitteredVerifier(options: Partial<RemoteJwksOptions>) {
    const counter = { fetches: 0 };
    const verifier = await remoteVerifier(
      {
        ...options,
        fetch: (url, init) => {
          counter.fetches += 1;
          return fetch(url, init);
        },
      },
      ['ES256'],
      { cache: false },
    );
    return { verifier, counter };
  }

  it('refreshes at cacheMaxAge less the drawn share of refreshJitter, drawn anew after each fetch', async () => {
    const draws = [0.5, 0];
    const { verifier, counter } = await jitteredVerifier({
      refreshJitter: 0.2,
      random: () => draws.shift() ?? 0,
    });
    await verifier.warmUp();
    const known = await token(keyA, 'a');

    // 600000 × (1 − 0.2 × 0.5) = 540000
    clock.advance(539_999);
    await verifier.verify(known);
    expect(counter.fetches).toBe(1);
    clock.advance(1);
    await verifier.verify(known);
    expect(counter.fetches).toBe(2);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    await vi.waitFor(() => expect(draws).toEqual([]));

    // The second draw is 0: the next refresh is due a full cacheMaxAge after that fetch.
    clock.advance(CACHE_MAX_AGE - 1);
    await verifier.verify(known);
    expect(counter.fetches).toBe(2);
    clock.advance(1);
    await verifier.verify(known);
    expect(counter.fetches).toBe(3);
  });

  it('spreads the refreshes of instances started together within cacheMaxAge × refreshJitter', async () => {
    const instances = await Promise.all(
      [0, 0.5, 0.999].map((r) => jitteredVerifier({ refreshJitter: 0.1, random: () => r })),
    );
    const unjittered = await jitteredVerifier({ refreshJitter: 0, random: () => 0.999 });
    const all = [...instances, unjittered];
    await Promise.all(all.map(({ verifier }) => verifier.warmUp()));
    const known = await token(keyA, 'a');
    const fetches = () => all.map(({ counter }) => counter.fetches);

    clock.advance(540_059); // 600000 × (1 − 0.0999) = 540060
    await Promise.all(all.map(({ verifier }) => verifier.verify(known)));
    expect(fetches()).toEqual([1, 1, 1, 1]);
    clock.advance(1);
    await Promise.all(all.map(({ verifier }) => verifier.verify(known)));
    expect(fetches()).toEqual([1, 1, 2, 1]);
    clock.advance(570_000 - 540_060);
    await Promise.all(all.map(({ verifier }) => verifier.verify(known)));
    expect(fetches()).toEqual([1, 2, 2, 1]);
    clock.advance(CACHE_MAX_AGE - 570_000 - 1);
    await Promise.all(all.map(({ verifier }) => verifier.verify(known)));
    expect(fetches()).toEqual([1, 2, 2, 1]);
    clock.advance(1);
    await Promise.all(all.map(({ verifier }) => verifier.verify(known)));
    expect(fetches()).toEqual([2, 2, 2, 2]);
  });

  it('jitters by default, by at most a tenth of cacheMaxAge', async () => {
    expect(REMOTE_JWKS_DEFAULTS.refreshJitter).toBe(0.1);
    const early = await jitteredVerifier({ random: () => 0.999 });
    await early.verifier.warmUp();
    clock.advance(CACHE_MAX_AGE * 0.9 - 1);
    await early.verifier.verify(await token(keyA, 'a'));
    expect(early.counter.fetches).toBe(1);
    clock.advance(1_000);
    await early.verifier.verify(await token(keyA, 'a'));
    expect(early.counter.fetches).toBe(2);
  });
});
