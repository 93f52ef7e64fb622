import { createPublicKey, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { exportJWK, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthUnavailableError,
  createTokenVerifier,
  importKeySource,
  TokenInvalidError,
  type TokenVerifier,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';
import { createWeakRsaToken } from '../helpers/weak-rsa.js';

/**
 * A custom `getKey` resolver is held to the key rules of every other key source (issue: the key it
 * returned went to jose unchecked). A key that does not fit the token's `alg` but fits another
 * allowed one is TOKEN_INVALID (`key`): the client picked the header. A key no allowed algorithm
 * can use is the operator's misconfiguration: AUTH_UNAVAILABLE (`resolver`). Never a 500.
 */

let rs256: TestKeyPair;
let es256: TestKeyPair;
let es384: TestKeyPair;
let ed25519: TestKeyPair;

beforeAll(async () => {
  [rs256, es256, es384, ed25519] = await Promise.all([
    generateTestKeyPair('RS256'),
    generateTestKeyPair('ES256'),
    generateTestKeyPair('ES384'),
    generateTestKeyPair('EdDSA'),
  ]);
});

const verifierWith = (algorithms: string[], getKey: JWTVerifyGetKey) =>
  createTokenVerifier({ algorithms, key: { getKey }, cache: false });

const signWith = (alg: string, key: TestKeyPair['privateKey'] | Uint8Array, sub = 'user-1') =>
  mintToken({ alg, key, claims: { sub } });

/** The error `verify` rejects with, failing the test if it resolves. */
async function refusal(verifier: TokenVerifier, token: string): Promise<unknown> {
  return verifier.verify(token).then(
    () => expect.fail('the token verified'),
    (error: unknown) => error,
  );
}

/** Asserts AUTH_UNAVAILABLE (`resolver`) whose logged cause explains `why` without key material. */
function expectMisconfigured(error: unknown, why: RegExp, ...secrets: string[]): void {
  expect(error).toBeInstanceOf(AuthUnavailableError);
  expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'resolver' });
  const cause = (error as AuthUnavailableError).cause;
  expect(cause).toMatchObject({ name: 'KeySourceError', reason: 'resolver' });
  const message = (cause as Error).message;
  expect(message).toMatch(why);
  for (const secret of secrets) expect(message).not.toContain(secret);
}

function expectKeyMismatch(error: unknown): void {
  expect(error).toBeInstanceOf(TokenInvalidError);
  expect(error).toMatchObject({ code: 'TOKEN_INVALID', reason: 'key' });
}

describe('a getKey resolver returning an HMAC secret', () => {
  it('refuses a secret shorter than the hash size as the operator’s fault (AUTH_UNAVAILABLE)', async () => {
    const short = new Uint8Array(randomBytes(16));
    const verifier = await verifierWith(['HS256'], () => short);
    const error = await refusal(verifier, await signWith('HS256', short));
    expectMisconfigured(
      error,
      /16 bytes; HS256 needs at least 32/,
      Buffer.from(short).toString('base64url'),
      Buffer.from(short).toString('hex'),
    );
  });

  it('refuses the audit’s 6-byte secret `secret` that jose alone accepted', async () => {
    const secret = new TextEncoder().encode('secret');
    const verifier = await verifierWith(['HS256'], () => secret);
    const token = await signWith('HS256', secret);
    expectMisconfigured(await refusal(verifier, token), /well-known example value/, token);
  });

  it('refuses a deny-listed secret even when it is long enough', async () => {
    const secret = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
    expect(secret.byteLength).toBeGreaterThanOrEqual(32);
    const verifier = await verifierWith(['HS256'], () => secret);
    const error = await refusal(verifier, await signWith('HS256', secret));
    expectMisconfigured(error, /well-known example value/, 'a-string-secret');
  });

  it('refuses PEM text as a secret and a repeated byte', async () => {
    const pem = new TextEncoder().encode(rs256.publicKeyPem);
    const pemVerifier = await verifierWith(['HS256'], () => pem);
    expectMisconfigured(await refusal(pemVerifier, await signWith('HS256', pem)), /PEM text/);
    const zeros = new Uint8Array(32);
    const zeroVerifier = await verifierWith(['HS256'], () => zeros);
    expectMisconfigured(
      await refusal(zeroVerifier, await signWith('HS256', zeros)),
      /one byte repeated/,
    );
  });

  it('is TOKEN_INVALID when the secret fits another allowed HMAC algorithm but not the token’s', async () => {
    const secret = new Uint8Array(randomBytes(40)); // enough for HS256, not for HS512
    const verifier = await verifierWith(['HS256', 'HS512'], () => secret);
    expectKeyMismatch(await refusal(verifier, await signWith('HS512', secret)));
    await expect(verifier.verify(await signWith('HS256', secret))).resolves.toMatchObject({
      subject: 'user-1',
    });
  });

  it('verifies with a fitting secret as bytes, a KeyObject, a CryptoKey and an oct JWK', async () => {
    const bytes = new Uint8Array(randomBytes(64));
    const token = await signWith('HS512', bytes);
    const cryptoKey = await crypto.subtle.importKey(
      'raw',
      bytes,
      { name: 'HMAC', hash: 'SHA-512' },
      false,
      ['verify'],
    );
    const jwk: JWK = { kty: 'oct', k: Buffer.from(bytes).toString('base64url') };
    for (const key of [bytes, createSecretKey(bytes), cryptoKey, jwk]) {
      const verifier = await verifierWith(['HS512'], () => key);
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-1' });
    }
  });

  it('checks the bytes of a non-extractable CryptoKey, a secret KeyObject and an oct JWK', async () => {
    const wellKnown = new TextEncoder().encode(
      'super-secret-jwt-token-with-at-least-32-characters-long',
    );
    const cryptoKey = await crypto.subtle.importKey(
      'raw',
      wellKnown,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const oct = (bytes: Uint8Array): JWK => ({
      kty: 'oct',
      k: Buffer.from(bytes).toString('base64url'),
    });
    const token = await signWith('HS256', wellKnown);
    for (const key of [cryptoKey, createSecretKey(wellKnown), oct(wellKnown)]) {
      const verifier = await verifierWith(['HS256'], () => key);
      expectMisconfigured(await refusal(verifier, token), /well-known example value/);
    }
    const short = new Uint8Array(randomBytes(20));
    const shortToken = await signWith('HS256', short);
    for (const key of [createSecretKey(short), oct(short)]) {
      const verifier = await verifierWith(['HS256'], () => key);
      expectMisconfigured(await refusal(verifier, shortToken), /20 bytes; HS256 needs at least 32/);
    }
  });

  it('checks a returned Uint8Array on every call, so a buffer changed in place is refused', async () => {
    const buffer = new Uint8Array(randomBytes(32));
    const verifier = await verifierWith(['HS256'], () => buffer);
    await expect(verifier.verify(await signWith('HS256', buffer))).resolves.toBeDefined();
    buffer.fill(7);
    const error = await refusal(verifier, await signWith('HS256', buffer));
    expectMisconfigured(error, /one byte repeated/);
  });
});

describe('a getKey resolver returning a public key', () => {
  it('is TOKEN_INVALID, not a 500, for an RSA key under an ES256 header with RS256 and ES256 allowed', async () => {
    const token = await signWith('ES256', es256.privateKey);
    const forms: unknown[] = [
      rs256.publicKey,
      KeyObject.from(rs256.publicKey),
      await exportJWK(rs256.publicKey),
    ];
    for (const key of forms) {
      const verifier = await verifierWith(['RS256', 'ES256'], () => key as never);
      expectKeyMismatch(await refusal(verifier, token));
    }
  });

  it('is TOKEN_INVALID for a key on the wrong curve when its own curve is allowed', async () => {
    const token = await signWith('ES256', es256.privateKey);
    const forms: unknown[] = [
      es384.publicKey,
      KeyObject.from(es384.publicKey),
      await exportJWK(es384.publicKey),
    ];
    for (const key of forms) {
      const verifier = await verifierWith(['ES256', 'ES384'], () => key as never);
      expectKeyMismatch(await refusal(verifier, token));
    }
  });

  it('is AUTH_UNAVAILABLE for a key on a curve no allowed algorithm uses', async () => {
    const verifier = await verifierWith(['ES256'], () => es384.publicKey);
    const error = await refusal(verifier, await signWith('ES256', es256.privateKey));
    expectMisconfigured(error, /ES256 needs an EC key on curve prime256v1/);
  });

  it('is TOKEN_INVALID for a CryptoKey imported for another allowed algorithm', async () => {
    // The same RSA key, imported for RS256 only; the token names RS384.
    const rs384 = await generateTestKeyPair('RS384');
    const forRs256 = await importJWK(await exportJWK(rs384.publicKey), 'RS256');
    const verifier = await verifierWith(['RS256', 'RS384'], () => forRs256);
    expectKeyMismatch(await refusal(verifier, await signWith('RS384', rs384.privateKey)));
    const jwkForRs256: JWK = { ...(await exportJWK(rs384.publicKey)), alg: 'RS256' };
    const jwkVerifier = await verifierWith(['RS256', 'RS384'], () => jwkForRs256);
    expectKeyMismatch(await refusal(jwkVerifier, await signWith('RS384', rs384.privateKey)));
  });

  it('refuses an RSA key under 2048 bits as the operator’s fault', async () => {
    const { publicJwk, token } = createWeakRsaToken('weak', { sub: 'user-1', exp: 4e9 });
    const withoutAlg: JWK = { ...publicJwk };
    delete withoutAlg.alg;
    for (const key of [publicJwk, withoutAlg, createPublicKey({ key: publicJwk, format: 'jwk' })]) {
      const verifier = await verifierWith(['RS256'], () => key);
      expectMisconfigured(await refusal(verifier, token), /RSA key has 1024 bits; at least 2048/);
    }
  });

  it('refuses a private key, a key without the verify usage and something that is not a key', async () => {
    const token = await signWith('ES256', es256.privateKey);
    const privateJwk = await exportJWK(es256.privateKey);
    const bareJwk: JWK = { ...es256.publicJwk };
    delete bareJwk.alg;
    delete bareJwk.use;
    const noUsages = await crypto.subtle.importKey(
      'jwk',
      bareJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      [],
    );
    const cases: [unknown, RegExp][] = [
      [es256.privateKey, /private key/],
      [privateJwk, /private key/],
      [{ ...es256.publicJwk, use: 'enc' }, /"use" is not "sig"/],
      [{ ...es256.publicJwk, key_ops: ['encrypt'] }, /"key_ops" does not allow "verify"/],
      [noUsages, /without the "verify" usage/],
      ['a PEM string', /is string/],
      [null, /is null/],
    ];
    for (const [key, why] of cases) {
      const verifier = await verifierWith(['ES256', 'RS256'], () => key as never);
      expectMisconfigured(await refusal(verifier, token), why);
    }
  });

  it('verifies with a fitting key as a CryptoKey, a KeyObject and a JWK', async () => {
    for (const pair of [rs256, es256, es384, ed25519]) {
      const token = await signWith(pair.alg, pair.privateKey);
      const forms: unknown[] = [pair.publicKey, KeyObject.from(pair.publicKey), pair.publicJwk];
      for (const key of forms) {
        const verifier = await verifierWith([pair.alg], () => key as never);
        await expect(verifier.verify(token), pair.alg).resolves.toMatchObject({
          subject: 'user-1',
        });
      }
    }
  });

  it('checks the key importKeySource returns directly, header by header', async () => {
    const source = await importKeySource({ getKey: () => rs256.publicKey }, ['RS256', 'ES256']);
    const jws = { payload: '', signature: '' };
    await expect(source({ alg: 'RS256' }, jws)).resolves.toBe(rs256.publicKey);
    await expect(source({ alg: 'ES256' }, jws)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
    await expect(source({ alg: 'HS256' }, jws)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'algorithm',
    });
  });
});

describe('a getKey resolver whose key does not fit, over HTTP', () => {
  const apis: TestApi[] = [];
  const typeDefs = /* GraphQL */ `
    type Query {
      secret: String @auth
    }
  `;
  const resolvers = { Query: { secret: () => 'classified' } };

  async function api(algorithms: string[], getKey: JWTVerifyGetKey): Promise<string> {
    const verifier = await createTokenVerifier({ algorithms, key: { getKey } });
    const started = await startTestApi({
      typeDefs,
      resolvers,
      context: { verifier, rejectInvalidTokens: true },
    });
    apis.push(started);
    return started.url;
  }

  afterAll(async () => {
    await Promise.all(apis.splice(0).map((started) => started.stop()));
  });

  it('answers 401 TOKEN_INVALID for an RSA key under an ES256 header, never 500', async () => {
    const url = await api(['RS256', 'ES256'], () => rs256.publicKey);
    const token = await signWith('ES256', es256.privateKey);
    const response = await postGraphQL(url, { query: '{ secret }', token });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['TOKEN_INVALID']);
    expect(response.body.data).toBeUndefined();
  });

  it('answers 503 AUTH_UNAVAILABLE for a short secret, without the secret in the body', async () => {
    const short = new Uint8Array(randomBytes(16));
    const url = await api(['HS256'], () => short);
    const response = await postGraphQL(url, {
      query: '{ secret }',
      token: await signWith('HS256', short),
    });
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(response.body)).not.toContain(Buffer.from(short).toString('base64url'));
  });
});
