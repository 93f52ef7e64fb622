import { beforeAll, describe, expect, it, vi } from 'vitest';
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import type * as Jose from 'jose';
import { createTokenVerifier, TokenInvalidError } from '../../src/index.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';

// jose, with `jwtVerify` replaceable per test: the key checks of every key source stop a key that
// does not fit before jose sees it, so the verifier's last line (a non-JOSE error after the key
// resolved) can only be reached by making jose throw one.
vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof Jose>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});

type VerifyArgs = [string, JWTVerifyGetKey, unknown];

/** Makes the next `jwtVerify` resolve the key (or not) and then throw `error`, as jose would. */
function nextVerifyThrows(error: unknown, resolveKeyFirst: boolean): void {
  vi.mocked(jwtVerify).mockImplementationOnce((async (...args: VerifyArgs) => {
    if (resolveKeyFirst) await args[1]({ alg: 'ES256' }, { payload: '', signature: '' });
    throw error;
  }) as never);
}

let pair: TestKeyPair;
let token: string;

beforeAll(async () => {
  pair = await generateTestKeyPair('ES256');
  token = await mintToken({ alg: 'ES256', key: pair.privateKey });
});

const verifier = () =>
  createTokenVerifier({
    algorithms: ['ES256'],
    key: { publicKey: pair.publicKeyPem },
    cache: false,
  });

describe('createTokenVerifier when jose throws something that is not a JOSEError', () => {
  it('makes a TypeError after the key resolved TOKEN_INVALID (key), never a 500', async () => {
    const v = await verifier();
    nextVerifyThrows(new TypeError('Key for the ES256 algorithm must be of type CryptoKey.'), true);
    const error = await v.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenInvalidError);
    expect(error).toMatchObject({ code: 'TOKEN_INVALID', reason: 'key' });
    expect((error as Error).cause).toBeUndefined();
  });

  it('makes a DOMException from importing the key TOKEN_INVALID (key) as well', async () => {
    const v = await verifier();
    nextVerifyThrows(new DOMException('Invalid key data', 'DataError'), true);
    await expect(v.verifyWithDetails(token)).resolves.toMatchObject({
      ok: false,
      error: { code: 'TOKEN_INVALID', reason: 'key' },
      algorithm: 'ES256',
    });
  });

  it('lets an error before the key resolved propagate: a bug, not a verdict', async () => {
    const v = await verifier();
    const bug = new TypeError('a bug');
    nextVerifyThrows(bug, false);
    await expect(v.verify(token)).rejects.toBe(bug);
  });

  it('still verifies through the real jose', async () => {
    const principal = await (await verifier()).verify(token);
    expect(typeof principal.claims.iat).toBe('number');
  });
});
