import { errors, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JWKS_KEYS, KeySourceError } from '../../src/index.js';
import type { AsymmetricAlgorithm } from '../../src/keys/algorithms.js';
import { importJwks, type ImportJwksOptions } from '../../src/keys/import-jwks.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';
import { createWeakRsaToken } from '../helpers/weak-rsa.js';

const LABEL = 'https://issuer.test/jwks';
const strict: ImportJwksOptions = { strict: true, label: LABEL };
const lenient: ImportJwksOptions = { strict: false, label: LABEL };

let rsa: TestKeyPair;
let rsa2: TestKeyPair;
let es256: TestKeyPair;
let es384: TestKeyPair;
let privateJwk: JWK;

beforeAll(async () => {
  [rsa, rsa2, es256, es384] = await Promise.all([
    generateTestKeyPair('RS256'),
    generateTestKeyPair('RS256'),
    generateTestKeyPair('ES256'),
    generateTestKeyPair('ES384'),
  ]);
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'private', use: 'sig' };
});

// `extra` may set a member to undefined, to drop what generateTestKeyPair put there.
const jwk = (pair: TestKeyPair, extra: Record<string, unknown> = {}): JWK => ({
  ...pair.publicJwk,
  ...extra,
});
const kidsOf = (keys: readonly JWK[]) => keys.map((k) => k.kid);

/** The error `importJwks` rejects with (failing the test if it resolves). */
async function refusal(
  input: unknown,
  algorithms: readonly AsymmetricAlgorithm[],
  options: ImportJwksOptions,
): Promise<unknown> {
  return importJwks(input, algorithms, options).then(
    () => expect.fail('importJwks accepted the set'),
    (error: unknown) => error,
  );
}

/** Asserts strict is a TypeError and lenient a KeySourceError of `reason`, both with `message`. */
async function expectRefusedBoth(
  input: unknown,
  algorithms: readonly AsymmetricAlgorithm[],
  reason: 'invalid-jwks' | 'too-large',
  message: string | RegExp,
  maxKeys?: number,
): Promise<void> {
  const strictError = await refusal(input, algorithms, { ...strict, maxKeys });
  expect(strictError).toBeInstanceOf(TypeError);
  expect((strictError as Error).message).toMatch(message);
  const lenientError = await refusal(input, algorithms, { ...lenient, maxKeys });
  expect(lenientError).toBeInstanceOf(KeySourceError);
  expect(lenientError).toMatchObject({ reason });
  expect((lenientError as Error).message).toMatch(message);
}

describe('importJwks: the shape of the set', () => {
  it('refuses what is not a JWK Set, naming the label', async () => {
    for (const input of [null, [], 'keys', { keys: {} }, { keys: 'x' }, {}]) {
      await expectRefusedBoth(
        input,
        ['RS256'],
        'invalid-jwks',
        `claimgate: the JWKS ${LABEL} is not a JWK Set: expected an object with a "keys" array.`,
      );
    }
  });

  it('refuses a malformed key or a non-string kid, strict or not', async () => {
    for (const [entry, index] of [
      [null, 1],
      [{ n: 'x' }, 1],
      [{ kty: 7 }, 1],
    ] as const) {
      await expectRefusedBoth(
        { keys: [jwk(rsa, { kid: 'a' }), entry] },
        ['RS256'],
        'invalid-jwks',
        `has a malformed key at index ${index}: expected a JWK with "kty".`,
      );
    }
    await expectRefusedBoth(
      { keys: [{ ...jwk(rsa), kid: 42 }] },
      ['RS256'],
      'invalid-jwks',
      'has a non-string "kid" at index 0.',
    );
  });

  it('accepts maxKeys keys and refuses one more (too-large)', async () => {
    const keys = [jwk(rsa, { kid: 'a' }), jwk(rsa2, { kid: 'b' })];
    const imported = await importJwks({ keys }, ['RS256'], { ...lenient, maxKeys: 2 });
    expect(imported.keyCount).toBe(2);
    await expectRefusedBoth(
      { keys: [...keys, jwk(rsa, { kid: 'c' })] },
      ['RS256'],
      'too-large',
      'has 3 keys; at most 2 are accepted.',
      2,
    );
  });

  it('defaults maxKeys to DEFAULT_MAX_JWKS_KEYS (100), counting keys it would skip', async () => {
    expect(DEFAULT_MAX_JWKS_KEYS).toBe(100);
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ kty: 'oct', k: 'AAAA', kid: `oct-${i}` }));
    const ok = await importJwks({ keys: [jwk(rsa), ...filler(99)] }, ['RS256'], lenient);
    expect(ok.keyCount).toBe(1);
    await expectRefusedBoth(
      { keys: [jwk(rsa), ...filler(100)] },
      ['RS256'],
      'too-large',
      'has 101 keys; at most 100 are accepted.',
    );
  });

  it('refuses a set with no usable key either way, naming the algorithms', async () => {
    await expectRefusedBoth(
      { keys: [] },
      ['ES256', 'ES384'],
      'invalid-jwks',
      `claimgate: the JWKS ${LABEL} has no usable signature key for ES256, ES384; check \`algorithms\` against the issuer's keys.`,
    );
    // Keys exist but none fits: RSA keys for an ECDSA allow-list.
    await expectRefusedBoth({ keys: [jwk(rsa)] }, ['ES256'], 'invalid-jwks', /no usable/);
  });
});

describe('importJwks: which keys are usable', () => {
  it('skips encryption keys, symmetric keys and other families, keeping the rest as given', async () => {
    const keys: JWK[] = [
      jwk(rsa, { kid: 'enc', use: 'enc' }),
      { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', kid: 'oct' },
      jwk(es256, { kid: 'ec' }),
      jwk(es384, { kid: 'p384', alg: undefined }), // P-384 does not serve ES256
      jwk(rsa2, { kid: 'sig' }),
      jwk(rsa, { kid: 'no-use', use: undefined }),
    ];
    for (const options of [strict, lenient]) {
      const imported = await importJwks({ keys }, ['RS256', 'ES256'], options);
      expect(kidsOf(imported.keys)).toEqual(['ec', 'sig', 'no-use']);
      expect(imported.keyCount).toBe(3);
      expect(imported.keys[1]).toBe(keys[4]);
    }
  });

  it('skips a key whose own alg is outside the allow-list', async () => {
    const imported = await importJwks(
      { keys: [jwk(rsa, { kid: 'ps', alg: 'PS256' }), jwk(rsa2, { kid: 'rs' })] },
      ['RS256'],
      strict,
    );
    expect(kidsOf(imported.keys)).toEqual(['rs']);
  });

  it('strict: a private key is a start-up TypeError; lenient: it is skipped', async () => {
    const set = { keys: [privateJwk, jwk(es256, { kid: 'public' })] };
    const error = await refusal(set, ['ES256'], strict);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `claimgate: the JWKS ${LABEL} key "private" is a private key; publish only public keys.`,
    );
    expect((error as Error).message).not.toContain(privateJwk.d);
    const imported = await importJwks(set, ['ES256'], lenient);
    expect(kidsOf(imported.keys)).toEqual(['public']);
  });

  it('strict: an RSA key under 2048 bits is a TypeError; lenient: it is skipped', async () => {
    const weak = createWeakRsaToken('weak', {}).publicJwk;
    const set = { keys: [weak, jwk(rsa, { kid: 'strong' })] };
    const error = await refusal(set, ['RS256'], strict);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `claimgate: the JWKS ${LABEL} key "weak" has 1024 bits; RSA keys need at least 2048 (RFC 7518 §3.3).`,
    );
    expect(kidsOf((await importJwks(set, ['RS256'], lenient)).keys)).toEqual(['strong']);
    // 2048 bits exactly is enough.
    expect((await importJwks({ keys: [jwk(rsa)] }, ['RS256'], strict)).keyCount).toBe(1);
  });

  it('strict: a key that cannot be imported is a TypeError naming it by index; lenient: skipped', async () => {
    const broken = { ...jwk(es256), kid: undefined, x: 'AAAA' };
    const set = { keys: [broken, jwk(es256, { kid: 'good' })] };
    const error = await refusal(set, ['ES256'], strict);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `claimgate: the JWKS ${LABEL} key at index 0 cannot be imported for ES256.`,
    );
    expect(kidsOf((await importJwks(set, ['ES256'], lenient)).keys)).toEqual(['good']);
  });
});

describe('importJwks: getKey honours kid and alg', () => {
  it('verifies with the key the kid names and no other', async () => {
    const { getKey } = await importJwks(
      { keys: [jwk(rsa, { kid: 'one' }), jwk(rsa2, { kid: 'two' })] },
      ['RS256'],
      lenient,
    );
    const signed = (pair: TestKeyPair, kid: string) =>
      mintToken({ alg: 'RS256', key: pair.privateKey, header: { kid } });
    await expect(jwtVerify(await signed(rsa2, 'two'), getKey)).resolves.toBeDefined();
    await expect(jwtVerify(await signed(rsa, 'one'), getKey)).resolves.toBeDefined();
    // The right key under the other key's kid: that key is tried, and the signature fails.
    await expect(jwtVerify(await signed(rsa, 'two'), getKey)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(jwtVerify(await signed(rsa, 'three'), getKey)).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
  });

  it('uses a key only with its own alg', async () => {
    const { getKey } = await importJwks(
      { keys: [jwk(rsa, { kid: 'k', alg: 'RS384' })] },
      ['RS256', 'RS384'],
      strict,
    );
    await expect(
      getKey({ alg: 'RS384', kid: 'k' }, { payload: '', signature: '' }),
    ).resolves.toBeDefined();
    await expect(
      getKey({ alg: 'RS256', kid: 'k' }, { payload: '', signature: '' }),
    ).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });
});
