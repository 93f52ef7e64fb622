import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createTokenVerifier, type TokenVerifier } from '../../src/index.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';

describe('authenticate', () => {
  let verifier: TokenVerifier;
  let secret: string;
  beforeAll(async () => {
    secret = generateTestSecret();
    verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
  });

  it('is anonymous without credentials or with another scheme', async () => {
    expect(await authenticate(undefined, verifier)).toEqual({
      status: 'anonymous',
      principal: null,
    });
    expect(await authenticate('Basic dXNlcjpwYXNz', verifier)).toMatchObject({
      status: 'anonymous',
    });
  });

  it('is authenticated with a valid token', async () => {
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { sub: 'u' } });
    expect(await authenticate(`Bearer ${token}`, verifier)).toMatchObject({
      status: 'authenticated',
      principal: { subject: 'u' },
    });
  });

  it('is failed with a typed error for a refused or empty token, never throwing', async () => {
    const expired = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      exp: nowSeconds() - 60,
    });
    expect(await authenticate(`Bearer ${expired}`, verifier)).toMatchObject({
      status: 'failed',
      error: { code: 'TOKEN_EXPIRED' },
    });
    expect(await authenticate('Bearer not-a-jwt', verifier)).toMatchObject({
      status: 'failed',
      error: { code: 'TOKEN_INVALID', reason: 'malformed' },
    });
    expect(await authenticate('Bearer ', verifier)).toMatchObject({
      status: 'failed',
      error: { code: 'BAD_REQUEST', reason: 'missing-credentials' },
    });
  });

  it('turns a failing key store into a failed state with AUTH_UNAVAILABLE (issue #3)', async () => {
    const broken = await createTokenVerifier({
      algorithms: ['HS256'],
      key: {
        getKey: () => {
          throw new Error('key store offline');
        },
      },
    });
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    expect(await authenticate(`Bearer ${token}`, broken)).toMatchObject({
      status: 'failed',
      principal: null,
      error: { code: 'AUTH_UNAVAILABLE', reason: 'resolver' },
    });
  });

  it('rethrows an untyped error from the verifier (a bug, not a verdict)', async () => {
    const buggy = {
      verify: () => Promise.reject(new Error('bug')),
      isReady: () => true,
      warmUp: () => Promise.resolve(),
    };
    await expect(authenticate('Bearer a.b.c', buggy)).rejects.toThrow('bug');
  });
});
