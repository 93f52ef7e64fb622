// The verified-token cache against a key source whose keys change: a cached verdict holds only as
// long as the keys it was reached with (issue: withdrawn keys kept working from the cache until exp).
import type { JWK } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createMultiIssuerVerifier,
  createTokenVerifier,
  type RemoteJwksOptions,
  type TokenVerification,
} from '../../src/index.js';
import type { DetailedTokenVerifier } from '../../src/token/create-token-verifier.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  nowSeconds,
  secretBytes,
  type TestKeyPair,
} from '../helpers/keys.js';
import { createManualClock, type ManualClock } from '../helpers/manual-clock.js';

const COOLDOWN = 30_000;
const CACHE_MAX_AGE = 600_000;
const MAX_STALE_AGE = 3_600_000;
const OUTAGE_BACKOFF = 1_000;

let k1: TestKeyPair;
let k2: TestKeyPair;
let server: JwksServer;
let clock: ManualClock;

const jwk = (pair: TestKeyPair, kid: string): JWK => ({ ...pair.publicJwk, kid });
/** A token valid for longer than the clock moves in any test here (MAX_STALE_AGE and then some). */
const token = (pair: TestKeyPair, kid: string, claims: Record<string, unknown> = {}) =>
  mintToken({
    alg: pair.alg,
    key: pair.privateKey,
    header: { kid },
    claims: { sub: kid, ...claims },
    exp: nowSeconds() + 4 * 3600,
  });

/** The remote JWKS options of every test: the key source and the verifier share one clock. */
const remoteKey = (options: Partial<RemoteJwksOptions> = {}) => ({
  jwksUrl: server.jwksUrl,
  timeoutDuration: 1_000,
  cooldownDuration: COOLDOWN,
  cacheMaxAge: CACHE_MAX_AGE,
  refreshJitter: 0,
  maxStaleAge: MAX_STALE_AGE,
  outageBackoff: OUTAGE_BACKOFF,
  maxOutageBackoff: 4 * OUTAGE_BACKOFF,
  now: () => clock.now(),
  ...options,
});

async function remoteVerifier(): Promise<DetailedTokenVerifier> {
  const verifier = await createTokenVerifier({
    algorithms: ['ES256'],
    key: remoteKey(),
    currentDate: () => new Date(clock.now()),
  });
  await verifier.warmUp();
  return verifier;
}

/** Verifies `t` and expects it accepted, from the cache or not as `cacheHit` says. */
async function expectAccepted(
  verifier: DetailedTokenVerifier,
  t: string,
  cacheHit: boolean,
): Promise<void> {
  await expect(verifier.verifyWithDetails(t)).resolves.toMatchObject({ ok: true, cacheHit });
}

/** The error fields of a refused verification, for `toMatchObject`. */
const refused = (code: string, reason: string): Partial<TokenVerification> =>
  ({ ok: false, cacheHit: false, error: { code, reason } }) as unknown as TokenVerification;

beforeAll(async () => {
  [k1, k2] = await Promise.all([generateTestKeyPair('ES256'), generateTestKeyPair('ES256')]);
});

beforeEach(async () => {
  clock = createManualClock();
  server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
});

afterEach(async () => {
  await server.close();
});

describe('verified-token cache: a key withdrawn from a remote JWKS', () => {
  it('refuses a cached token once a background refresh shows its key withdrawn', async () => {
    const verifier = await remoteVerifier();
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);

    server.setKeys([jwk(k2, 'k2')]);
    clock.advance(CACHE_MAX_AGE);
    // The refresh is due: this request starts it in the background and is answered with the keys
    // in use until it completes, as an uncached verification would be (stale-while-revalidate).
    await expectAccepted(verifier, t1, true);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));

    await expect(verifier.verifyWithDetails(t1)).resolves.toMatchObject(
      refused('TOKEN_INVALID', 'key'),
    );
    // Refused every time from now on, without another fetch (the cooldown holds).
    await expect(verifier.verify(t1)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
    expect(server.fetchCount).toBe(2);
  });

  it('refuses a cached token once a token of the new key made the source refetch', async () => {
    const verifier = await remoteVerifier();
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);

    server.setKeys([jwk(k2, 'k2')]);
    clock.advance(COOLDOWN);
    await expectAccepted(verifier, await token(k2, 'k2'), false);
    expect(server.fetchCount).toBe(2);

    await expect(verifier.verifyWithDetails(t1)).resolves.toMatchObject(
      refused('TOKEN_INVALID', 'key'),
    );
    expect(server.fetchCount).toBe(2);
  });

  it('refuses a cached token whose kid now names another key', async () => {
    const verifier = await remoteVerifier();
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);

    // Replaced under the same kid: the set differs although no kid disappeared.
    server.setKeys([jwk(k2, 'k1')]);
    clock.advance(CACHE_MAX_AGE);
    await expectAccepted(verifier, t1, true); // starts the background refresh
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));

    await expect(verifier.verifyWithDetails(t1)).resolves.toMatchObject(
      refused('TOKEN_INVALID', 'signature'),
    );
    await expectAccepted(verifier, await token(k2, 'k1'), false);
  });

  it('keeps accepting a cached token when rotation only adds a key: verified once more, then cached', async () => {
    const verifier = await remoteVerifier();
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);

    server.setKeys([jwk(k1, 'k1'), jwk(k2, 'k2')]);
    clock.advance(COOLDOWN);
    await expectAccepted(verifier, await token(k2, 'k2'), false);
    expect(server.fetchCount).toBe(2);

    // The set changed, so the entry is verified again once (an added key can change a verdict:
    // see the kid-less test below), with the same result, and cached under the new set.
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);

    // A refresh that brings the same keys (in another order) changes nothing: still cached.
    server.setKeys([jwk(k2, 'k2'), jwk(k1, 'k1')]);
    clock.advance(CACHE_MAX_AGE);
    await expectAccepted(verifier, t1, true);
    await vi.waitFor(() => expect(server.fetchCount).toBe(3));
    await expectAccepted(verifier, t1, true);
  });

  it('answers a cached token without kid as an uncached verification would once an added key makes it ambiguous', async () => {
    server.setKeys([k1.publicJwk]);
    const verifier = await remoteVerifier();
    const t = await mintToken({
      alg: 'ES256',
      key: k1.privateKey,
      exp: nowSeconds() + 3600,
    });
    await expectAccepted(verifier, t, false);
    await expectAccepted(verifier, t, true);

    server.setKeys([k1.publicJwk, k2.publicJwk]);
    clock.advance(CACHE_MAX_AGE);
    await verifier.verify(t);
    await vi.waitFor(() => expect(server.fetchCount).toBe(2));
    // Two keys fit a token without kid: jose cannot tell which one signed.
    await expect(verifier.verifyWithDetails(t)).resolves.toMatchObject(
      refused('TOKEN_INVALID', 'key'),
    );
  });
});

describe('verified-token cache: a remote key set past maxStaleAge', () => {
  it('refuses a cached token with AUTH_UNAVAILABLE (stale) while the JWKS fails, and accepts it again after recovery', async () => {
    const verifier = await remoteVerifier();
    // For comparison: a verifier without cache, on the same endpoint and clock.
    const uncached = await createTokenVerifier({
      algorithms: ['ES256'],
      key: remoteKey(),
      currentDate: () => new Date(clock.now()),
      cache: false,
    });
    await uncached.warmUp();
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);

    server.setMode('status-500');
    // Within the bound: stale-if-error, the failed background refresh changes nothing.
    clock.advance(MAX_STALE_AGE - 1);
    await expectAccepted(verifier, t1, true);
    await vi.waitFor(() => expect(server.fetchCount).toBe(3));
    await expectAccepted(verifier, t1, true);

    // At the bound the keys are no longer trusted, and neither is what they verified: the same
    // answer as without cache.
    clock.advance(1);
    await expect(verifier.verifyWithDetails(t1)).resolves.toMatchObject(
      refused('AUTH_UNAVAILABLE', 'stale'),
    );
    await expect(uncached.verifyWithDetails(t1)).resolves.toMatchObject(
      refused('AUTH_UNAVAILABLE', 'stale'),
    );
    await expect(verifier.verify(t1)).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'stale',
    });

    // The endpoint answers again: after the backoff a fresh verification accepts the token.
    server.setMode('ok');
    clock.advance(OUTAGE_BACKOFF);
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);
    expect(verifier.isReady()).toBe(true);
  });
});

describe('verified-token cache: static keys', () => {
  it('answers from the cache as before: the key set never changes', async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { jwks: { keys: [jwk(k1, 'k1')] } },
      currentDate: () => new Date(clock.now()),
    });
    const t1 = await token(k1, 'k1');
    await expectAccepted(verifier, t1, false);
    await expectAccepted(verifier, t1, true);
    clock.advance(MAX_STALE_AGE + CACHE_MAX_AGE);
    await expectAccepted(verifier, t1, true);
  });

  it('answers from the cache for a PEM public key and an HMAC secret', async () => {
    const pem = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { publicKey: k1.publicKeyPem },
    });
    const t1 = await token(k1, 'k1');
    await expectAccepted(pem, t1, false);
    await expectAccepted(pem, t1, true);

    const secret = generateTestSecret();
    const hmac = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
    const t = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    await expectAccepted(hmac, t, false);
    await expectAccepted(hmac, t, true);
  });
});

describe('verified-token cache: several issuers', () => {
  it('applies each issuer its own key source: a withdrawn key refuses only that issuer’s tokens', async () => {
    const secret = generateTestSecret();
    const remoteIssuer = 'https://remote.example.com/';
    const localIssuer = 'https://local.example.com/';
    const verifier = await createMultiIssuerVerifier({
      issuers: [
        {
          issuer: remoteIssuer,
          algorithms: ['ES256'],
          key: remoteKey(),
          currentDate: () => new Date(clock.now()),
        },
        {
          issuer: localIssuer,
          algorithms: ['HS256'],
          key: { secret },
          currentDate: () => new Date(clock.now()),
        },
      ],
    });
    await verifier.warmUp();
    const remote1 = await token(k1, 'k1', { iss: remoteIssuer });
    const local = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: { iss: localIssuer },
      exp: nowSeconds() + 4 * 3600,
    });
    await expectAccepted(verifier, remote1, false);
    await expectAccepted(verifier, remote1, true);
    await expectAccepted(verifier, local, false);
    await expectAccepted(verifier, local, true);

    server.setKeys([jwk(k2, 'k2')]);
    clock.advance(COOLDOWN);
    await expectAccepted(verifier, await token(k2, 'k2', { iss: remoteIssuer }), false);

    await expect(verifier.verifyWithDetails(remote1)).resolves.toMatchObject(
      refused('TOKEN_INVALID', 'key'),
    );
    await expectAccepted(verifier, local, true);
  });
});
