import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { importKeySource } from '../../src/index.js';
import { generateTestKeyPair, generateTestSecret } from '../helpers/keys.js';

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

  it('passes a getKey resolver through untouched', async () => {
    const getKey = () => new Uint8Array(32);
    expect(await importKeySource({ getKey }, ['HS256'])).toBe(getKey);
  });
});
