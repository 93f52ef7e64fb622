import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, errors, exportJWK, type CryptoKey, type JWK } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, importKeySource } from '../../src/index.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  type TestKeyPair,
} from '../helpers/keys.js';
import { createWeakRsaToken } from '../helpers/weak-rsa.js';

const header = (alg: string) => ({ alg });
const token = { payload: '', signature: '' };

describe('importKeySource', () => {
  it('imports an HMAC secret once per algorithm as a non-extractable CryptoKey', async () => {
    const source = await importKeySource({ secret: generateTestSecret(64) }, ['HS256', 'HS512']);
    const key = await source(header('HS512'), token);
    expect(key).toMatchObject({ type: 'secret', extractable: false });
    expect((key as CryptoKey).algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-512' } });
    expect(await source(header('HS256'), token)).not.toBe(key);
    expect(await source(header('HS256'), token)).toBe(await source(header('HS256'), token));
  });

  it('refuses an HMAC secret shorter than the hash size', async () => {
    await expect(importKeySource({ secret: 'x'.repeat(31) }, ['HS256'])).rejects.toThrow(
      /31 bytes; HS256 needs at least 32 bytes/,
    );
    await expect(importKeySource({ secret: 'x'.repeat(32) }, ['HS384'])).rejects.toThrow(
      /HS384 needs at least 48 bytes/,
    );
    await expect(importKeySource({ secret: randomBytes(32) }, ['HS256'])).resolves.toBeTypeOf(
      'function',
    );
  });

  it('refuses a secret with public-key algorithms and a public key with HMAC ones', async () => {
    const { publicKeyPem } = await generateTestKeyPair('RS256');
    await expect(importKeySource({ secret: generateTestSecret() }, ['RS256'])).rejects.toThrow(
      /HMAC secret was configured with public-key algorithms/,
    );
    await expect(importKeySource({ publicKey: publicKeyPem }, ['HS256'])).rejects.toThrow(
      /never be used as an HMAC secret/,
    );
  });

  it('imports a PEM public key for each algorithm of its type', async () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
      const { publicKeyPem } = await generateTestKeyPair(alg);
      const source = await importKeySource({ publicKey: publicKeyPem }, [alg]);
      expect(await source(header(alg), token)).toMatchObject({ type: 'public' });
    }
  });

  it('refuses a key whose type or curve does not fit the algorithm', async () => {
    const ec = await generateTestKeyPair('ES256');
    await expect(importKeySource({ publicKey: ec.publicKeyPem }, ['RS256'])).rejects.toThrow(
      /RS256 needs an RSA key/,
    );
    await expect(importKeySource({ publicKey: ec.publicKeyPem }, ['ES384'])).rejects.toThrow(
      /ES384 needs an EC key on curve secp384r1/,
    );
    await expect(importKeySource({ publicKey: ec.publicKeyPem }, ['EdDSA'])).rejects.toThrow(
      /EdDSA needs an Ed25519 key/,
    );
  });

  it('refuses an RSA key under 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(importKeySource({ publicKey: pem }, ['RS256'])).rejects.toThrow(
      /1024 bits; at least 2048/,
    );
  });

  it('refuses a private key, garbage and an empty key config', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(importKeySource({ publicKey: pem }, ['ES256'])).rejects.toThrow(
      /holds a private key/,
    );
    await expect(
      importKeySource({ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }, [
        'ES256',
      ]),
    ).rejects.toThrow(/not a valid PEM/);
    await expect(importKeySource({} as never, ['ES256'])).rejects.toThrow(/needs one of/);
  });

  it('answers no key for an algorithm it did not import', async () => {
    expect.assertions(1);
    const source = await importKeySource({ secret: generateTestSecret() }, ['HS256']);
    try {
      await source(header('HS384'), token);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    }
  });

  it('passes the keys of a getKey resolver through and is ready at once', async () => {
    const key = new Uint8Array(randomBytes(32));
    const source = await importKeySource({ getKey: () => key }, ['HS256']);
    expect(await source(header('HS256'), token)).toBe(key);
    expect(source.isReady()).toBe(true);
  });
});

let es256: TestKeyPair;
let rs256: TestKeyPair;
let dir: string;

const withKid = (pair: TestKeyPair, kid: string): JWK => ({ ...pair.publicJwk, kid });
const mint = (pair: TestKeyPair, kid?: string) =>
  mintToken({
    alg: pair.alg,
    key: pair.privateKey,
    claims: { sub: kid ?? 'none' },
    header: kid === undefined ? {} : { kid },
  });

beforeAll(async () => {
  [es256, rs256] = await Promise.all([generateTestKeyPair('ES256'), generateTestKeyPair('RS256')]);
  dir = await mkdtemp(join(tmpdir(), 'claimgate-jwks-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('importKeySource with local JWKs', () => {
  it('verifies with a JWK Set held in memory, choosing the key by kid', async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['ES256', 'RS256'],
      key: { jwks: { keys: [withKid(es256, 'e'), withKid(rs256, 'r')] } },
    });
    expect(verifier.isReady()).toBe(true);
    await expect(verifier.verify(await mint(es256, 'e'))).resolves.toMatchObject({ subject: 'e' });
    await expect(verifier.verify(await mint(rs256, 'r'))).resolves.toMatchObject({ subject: 'r' });
    await expect(verifier.verify(await mint(es256, 'r'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
  });

  it('verifies with a JWK Set read from a file', async () => {
    const path = join(dir, 'jwks.json');
    await writeFile(path, JSON.stringify({ keys: [withKid(es256, 'e')] }));
    const verifier = await createTokenVerifier({ algorithms: ['ES256'], key: { jwksFile: path } });
    await expect(verifier.verify(await mint(es256, 'e'))).resolves.toMatchObject({ subject: 'e' });
  });

  it('verifies with a single JWK, with or without kid in the token', async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { jwk: es256.publicJwk },
    });
    await expect(verifier.verify(await mint(es256))).resolves.toMatchObject({ subject: 'none' });
  });

  it('refuses an RSA key under 2048 bits at start-up', async () => {
    const { publicJwk } = createWeakRsaToken('weak', {});
    await expect(importKeySource({ jwk: publicJwk }, ['RS256'])).rejects.toThrow(
      /claimgate: .*1024 bits; RSA keys need at least 2048/,
    );
  });

  it('refuses a private key at start-up', async () => {
    const privateJwk = await exportJWK(es256.privateKey);
    await expect(importKeySource({ jwks: { keys: [privateJwk] } }, ['ES256'])).rejects.toThrow(
      /is a private key/,
    );
  });

  it.each([
    ['not a set', { nope: true }, /not a JWK Set/],
    ['a non-object key', { keys: ['x'] }, /malformed key at index 0/],
    ['a numeric kid', { keys: [{ kty: 'EC', kid: 7 }] }, /non-string "kid"/],
    [
      'no usable key',
      { keys: [{ ...{ kty: 'EC', crv: 'P-256' }, use: 'enc' }] },
      /no usable signature key/,
    ],
  ])('refuses a JWK Set with %s', async (_name, jwks, message) => {
    const error: unknown = await importKeySource({ jwks: jwks as never }, ['ES256']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(message);
  });

  it('answers any JSON value with a usable source or a claimgate TypeError, nothing else', async () => {
    const jwkLike = fc.record(
      {
        kty: fc.oneof(fc.constantFrom('RSA', 'EC', 'OKP', 'oct'), fc.jsonValue()),
        crv: fc.oneof(fc.constantFrom('P-256', 'P-384', 'Ed25519'), fc.jsonValue()),
        alg: fc.oneof(fc.constantFrom('ES256', 'RS256', 'EdDSA'), fc.jsonValue()),
        use: fc.oneof(fc.constantFrom('sig', 'enc'), fc.jsonValue()),
        kid: fc.oneof(fc.string(), fc.jsonValue()),
        n: fc.base64String(),
        e: fc.constantFrom('AQAB', ''),
        x: fc.base64String(),
        y: fc.base64String(),
      },
      { requiredKeys: [] },
    );
    const jwks = fc.oneof(
      fc.jsonValue(),
      fc.record({ keys: fc.array(fc.oneof(jwkLike, fc.jsonValue()), { maxLength: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(jwks, async (value) => {
        const outcome: unknown = await importKeySource({ jwks: value as never }, [
          'ES256',
          'RS256',
          'EdDSA',
        ]).catch((e: unknown) => e);
        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(TypeError);
          expect(outcome.message).toMatch(/^claimgate: /);
        } else {
          expect(outcome).toBeTypeOf('function');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses more keys than maxKeys allows', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => withKid(es256, `k${i}`));
    await expect(importKeySource({ jwks: { keys } }, ['ES256'])).rejects.toThrow(
      /101 keys; at most 100/,
    );
  });

  it('refuses a JWKS file that is missing or not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{');
    await expect(importKeySource({ jwksFile: path }, ['ES256'])).rejects.toThrow(/not valid JSON/);
    await expect(importKeySource({ jwksFile: join(dir, 'nope.json') }, ['ES256'])).rejects.toThrow(
      /cannot read the JWKS file/,
    );
  });

  it('refuses JWK sources with HMAC algorithms', async () => {
    await expect(importKeySource({ jwk: es256.publicJwk }, ['HS256'])).rejects.toThrow(
      /`key.jwk` holds public keys .*RFC 8725 §2.1/,
    );
    await expect(importKeySource({} as never, ['HS256'])).rejects.toThrow(/`key` needs one of/);
  });

  it('refuses a plain-http JWKS URL to a non-loopback host unless allowed', async () => {
    await expect(
      importKeySource({ jwksUrl: 'http://id.example.com/jwks' }, ['RS256']),
    ).rejects.toThrow(/must be an https: URL/);
    await expect(
      importKeySource({ jwksUrl: 'http://id.example.com/jwks', allowInsecureHttp: true }, [
        'RS256',
      ]),
    ).resolves.toBeTypeOf('function');
    await expect(importKeySource({ jwksUrl: 'not a url' }, ['RS256'])).rejects.toThrow(
      /not a valid URL/,
    );
  });

  it('refuses invalid remote options at start-up', async () => {
    await expect(
      importKeySource({ jwksUrl: 'https://id.example.com/jwks', timeoutDuration: -1 }, ['RS256']),
    ).rejects.toThrow(/`timeoutDuration` must be an integer/);
    await expect(
      importKeySource(
        { jwksUrl: 'https://id.example.com/jwks', outageBackoff: 5000, maxOutageBackoff: 10 },
        ['RS256'],
      ),
    ).rejects.toThrow(/`maxOutageBackoff` must be at least `outageBackoff`/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a fractional maxStaleAge',
      { maxStaleAge: 1.5 },
      /`maxStaleAge` must be an integer of at least 1/,
    ],
    ['an infinite maxStaleAge', { maxStaleAge: Infinity }, /`maxStaleAge` must be an integer/],
    ['a zero maxStaleAge', { maxStaleAge: 0 }, /`maxStaleAge` must be an integer of at least 1/],
    ['a string maxStaleAge', { maxStaleAge: '24h' }, /`maxStaleAge` must be an integer/],
    [
      'a maxStaleAge under cacheMaxAge',
      { maxStaleAge: 60_000, cacheMaxAge: 120_000 },
      /`maxStaleAge` \(60000 ms\) must be at least `cacheMaxAge` \(120000 ms\)/,
    ],
    [
      'a cacheMaxAge over the default maxStaleAge',
      { cacheMaxAge: 2 * 86_400_000 },
      /`maxStaleAge` \(86400000 ms, the default\) must be at least `cacheMaxAge`/,
    ],
    [
      'a negative refreshJitter',
      { refreshJitter: -0.1 },
      /`refreshJitter` must be a number from 0/,
    ],
    ['a refreshJitter of 1', { refreshJitter: 1 }, /`refreshJitter` must be a number from 0/],
    ['a NaN refreshJitter', { refreshJitter: Number.NaN }, /`refreshJitter` must be a number/],
    ['a string refreshJitter', { refreshJitter: '10%' }, /`refreshJitter` must be a number/],
    ['a random that is not a function', { random: 0.5 }, /`random` must be a function/],
  ])('refuses %s at start-up with a TypeError naming it', async (_name, options, message) => {
    const key = { jwksUrl: 'https://id.example.com/jwks', ...options };
    await expect(importKeySource(key, ['RS256'])).rejects.toBeInstanceOf(TypeError);
    await expect(importKeySource(key, ['RS256'])).rejects.toThrow(message);
  });

  it('accepts a maxStaleAge equal to cacheMaxAge and a refreshJitter of 0', async () => {
    await expect(
      importKeySource(
        {
          jwksUrl: 'https://id.example.com/jwks',
          cacheMaxAge: 60_000,
          maxStaleAge: 60_000,
          refreshJitter: 0,
        },
        ['RS256'],
      ),
    ).resolves.toBeTypeOf('function');
  });
});

describe('importKeySource with a custom resolver', () => {
  it('turns a resolver failure that is not a verdict into AUTH_UNAVAILABLE', async () => {
    // A jose remote set pointed at a closed port: a real connection failure.
    const getKey = createRemoteJWKSet(new URL('http://127.0.0.1:1/jwks'), { timeoutDuration: 500 });
    const verifier = await createTokenVerifier({ algorithms: ['ES256'], key: { getKey } });
    await expect(verifier.verify(await mint(es256, 'e'))).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'resolver',
    });
  });

  it('keeps a resolver verdict (no matching key) as TOKEN_INVALID', async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: {
        getKey: () => {
          throw new errors.JWKSNoMatchingKey();
        },
      },
    });
    await expect(verifier.verify(await mint(es256, 'e'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
  });
});
