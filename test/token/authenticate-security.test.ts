import { beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  extractBearerToken,
  createMemorySecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type TokenVerifier,
} from '../../src/index.js';
import { authenticateWithDetails } from '../../src/token/authenticate.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

describe('authenticate with security', () => {
  let secret: string;
  let verifier: TokenVerifier;
  beforeAll(async () => {
    secret = generateTestSecret();
    verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
  });
  const monitor = () =>
    createSecurityMonitor({
      store: createMemorySecurityStore(),
      rateLimit: { failures: 2, windowSeconds: 60 },
    });

  it('leaves a request without credentials anonymous and unrecorded', async () => {
    const security = monitor();
    expect(await authenticate(undefined, verifier, { security, clientKey: '192.0.2.1' })).toEqual({
      status: 'anonymous',
      principal: null,
    });
    expect((await security.report()).topOffenders).toEqual([]);
  });

  it('counts a malformed header and limits the client after the limit', async () => {
    const security = monitor();
    const options = { security, clientKey: '192.0.2.2' };
    await authenticate('Bearer ', verifier, options);
    await authenticate('Bearer a.b.c', verifier, options);
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    const state = await authenticate(`Bearer ${token}`, verifier, options);
    expect(state).toMatchObject({ status: 'failed', error: { code: 'RATE_LIMITED' } });
    expect((await security.report()).failuresByKind.malformed).toBe(2);
  });

  it('refuses a revoked token even when its verification is cached', async () => {
    const security = createSecurityMonitor({ store: createMemorySecurityStore() });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      exp,
      claims: { sub: 'u-cached', jti: 'jti-cached' },
    });
    const options = { security, clientKey: '192.0.2.9' };
    const first = await authenticateWithDetails(
      extractBearerToken(`Bearer ${token}`),
      verifier,
      options,
    );
    expect(first.state.status).toBe('authenticated');
    const second = await authenticateWithDetails(
      extractBearerToken(`Bearer ${token}`),
      verifier,
      options,
    );
    expect(second.cacheHit).toBe(true);
    await security.revokeToken({ jti: 'jti-cached', exp });
    const third = await authenticateWithDetails(
      extractBearerToken(`Bearer ${token}`),
      verifier,
      options,
    );
    expect(third.cacheHit).toBe(true);
    expect(third.state).toMatchObject({ status: 'failed', error: { code: 'TOKEN_REVOKED' } });
  });

  it('does not rate limit a request whose client is unknown', async () => {
    const security = monitor();
    for (let i = 0; i < 3; i += 1) await authenticate('Bearer x', verifier, { security });
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    expect(await authenticate(`Bearer ${token}`, verifier, { security })).toMatchObject({
      status: 'authenticated',
    });
  });

  it('reports a key-store failure as AUTH_UNAVAILABLE without counting it against the client', async () => {
    const security = monitor();
    const broken = await createTokenVerifier({
      algorithms: ['HS256'],
      key: {
        getKey: () => {
          throw new Error('key store offline');
        },
      },
    });
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    const state = await authenticate(`Bearer ${token}`, broken, {
      security,
      clientKey: '192.0.2.3',
    });
    expect(state.status === 'failed' ? state.error.code : state.status).toBe('AUTH_UNAVAILABLE');
    expect((await security.report()).topOffenders).toEqual([]);
  });
});
