import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/index.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  nowSeconds,
  secretBytes,
  type TestKeyPair,
} from '../helpers/keys.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'api://test';

describe('createTokenVerifier', () => {
  let rsa: TestKeyPair;
  let secret: string;
  beforeAll(async () => {
    rsa = await generateTestKeyPair('RS256');
    secret = generateTestSecret();
  });

  const rsaVerifier = (extra: Partial<TokenVerifierOptions> = {}) =>
    createTokenVerifier({
      algorithms: ['RS256'],
      key: { publicKey: rsa.publicKeyPem },
      issuer: ISSUER,
      audience: AUDIENCE,
      ...extra,
    });
  const rsaToken = (claims: Record<string, unknown> = {}, exp?: number | null) =>
    mintToken({
      alg: 'RS256',
      key: rsa.privateKey,
      claims: { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', ...claims },
      ...(exp === undefined ? {} : { exp }),
    });

  it('verifies a valid token into a principal', async () => {
    const verifier = await rsaVerifier();
    const principal = await verifier.verify(
      await rsaToken({ permissions: ['read'], scope: 'write' }),
    );
    expect(principal.subject).toBe('user-1');
    expect(principal.issuer).toBe(ISSUER);
    expect([...principal.permissions].sort()).toEqual(['read', 'write']);
    expect(principal.claims['aud']).toBe(AUDIENCE);
  });

  it('verifies every supported public-key algorithm and HMAC', async () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
      const pair = await generateTestKeyPair(alg);
      const verifier = await createTokenVerifier({
        algorithms: [alg],
        key: { publicKey: pair.publicKeyPem },
      });
      const token = await mintToken({ alg, key: pair.privateKey, claims: { sub: alg } });
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: alg });
    }
    const hmac = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { sub: 'h' } });
    await expect(hmac.verify(token)).resolves.toMatchObject({ subject: 'h' });
  });

  it('answers TOKEN_EXPIRED for an expired token beyond the clock tolerance', async () => {
    const verifier = await rsaVerifier();
    await expect(verifier.verify(await rsaToken({}, nowSeconds() - 11))).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
      reason: 'expired',
    });
    // Within the default 10 s tolerance the token still verifies.
    await expect(verifier.verify(await rsaToken({}, nowSeconds() - 5))).resolves.toBeDefined();
  });

  it('answers TOKEN_INVALID for a token not yet valid', async () => {
    const verifier = await rsaVerifier();
    await expect(verifier.verify(await rsaToken({ nbf: nowSeconds() + 60 }))).rejects.toMatchObject(
      {
        code: 'TOKEN_INVALID',
        reason: 'not-yet-valid',
      },
    );
  });

  it('answers TOKEN_INVALID for a wrong signature, issuer, audience or algorithm', async () => {
    const verifier = await rsaVerifier();
    const other = await generateTestKeyPair('RS256');
    const forged = await mintToken({
      alg: 'RS256',
      key: other.privateKey,
      claims: { iss: ISSUER, aud: AUDIENCE },
    });
    await expect(verifier.verify(forged)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'signature',
    });
    await expect(
      verifier.verify(await rsaToken({ iss: 'https://evil.test/' })),
    ).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'claim',
      claim: 'iss',
    });
    await expect(verifier.verify(await rsaToken({ aud: 'api://other' }))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      claim: 'aud',
    });
    const hs = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: { iss: ISSUER, aud: AUDIENCE },
    });
    await expect(verifier.verify(hs)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'algorithm',
    });
  });

  it('prefers TOKEN_INVALID over TOKEN_EXPIRED when another claim fails too', async () => {
    const verifier = await rsaVerifier();
    const token = await rsaToken({ aud: 'api://other' }, nowSeconds() - 3600);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('answers TOKEN_INVALID for malformed tokens', async () => {
    const verifier = await rsaVerifier();
    for (const token of ['', 'abc', 'a.b', 'a.b.c', '!!!.@@@.###', 'e30.e30.']) {
      await expect(verifier.verify(token), token).rejects.toMatchObject({
        code: 'TOKEN_INVALID',
        reason: 'malformed',
      });
    }
  });

  it('checks the signature before it reads the payload', async () => {
    const verifier = await rsaVerifier();
    await expect(verifier.verify('eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln')).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'signature',
    });
  });

  it('requires exp by default, and not when told', async () => {
    const token = await rsaToken({}, null);
    await expect((await rsaVerifier()).verify(token)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      claim: 'exp',
    });
    await expect(
      (await rsaVerifier({ requireExpiration: false })).verify(token),
    ).resolves.toBeDefined();
  });

  it('honours an injected clock and the clock tolerance', async () => {
    const exp = nowSeconds() + 100;
    const token = await rsaToken({}, exp);
    const at = (seconds: number) => () => new Date(seconds * 1000);
    await expect(
      (await rsaVerifier({ currentDate: at(exp + 9) })).verify(token),
    ).resolves.toBeDefined();
    await expect(
      (await rsaVerifier({ currentDate: at(exp + 10) })).verify(token),
    ).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    await expect(
      (await rsaVerifier({ currentDate: at(exp), clockTolerance: 0 })).verify(token),
    ).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('treats a token older than maxTokenAge as expired', async () => {
    const verifier = await rsaVerifier({ maxTokenAge: 60 });
    await expect(
      verifier.verify(await rsaToken({ iat: nowSeconds() - 120 })),
    ).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    await expect(
      verifier.verify(await rsaToken({ iat: nowSeconds() - 30 })),
    ).resolves.toBeDefined();
  });

  it('reads permissions from configured claim paths and refuses wrong types', async () => {
    const verifier = await rsaVerifier({ permissionClaims: ['realm_access.roles'] });
    const principal = await verifier.verify(
      await rsaToken({ realm_access: { roles: ['admin'] }, permissions: ['x'] }),
    );
    expect([...principal.permissions]).toEqual(['admin']);
    await expect(
      verifier.verify(await rsaToken({ realm_access: { roles: 5 } })),
    ).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'permissions-claim',
    });
  });

  it('refuses misconfiguration at start-up with a message saying what to fix', async () => {
    const key = { publicKey: rsa.publicKeyPem };
    await expect(createTokenVerifier({ algorithms: [], key })).rejects.toThrow(
      /`algorithms` is required/,
    );
    await expect(
      createTokenVerifier({ algorithms: ['RS256'], key, clockTolerance: -1 }),
    ).rejects.toThrow(/clockTolerance/);
    await expect(
      createTokenVerifier({ algorithms: ['RS256'], key, maxTokenAge: 0 }),
    ).rejects.toThrow(/maxTokenAge/);
    await expect(createTokenVerifier({ algorithms: ['RS256'], key, issuer: '' })).rejects.toThrow(
      /issuer/,
    );
    await expect(createTokenVerifier({ algorithms: ['RS256'], key, audience: [] })).rejects.toThrow(
      /audience/,
    );
    await expect(
      createTokenVerifier({ algorithms: ['HS256'], key: { secret: 'short' } }),
    ).rejects.toThrow(/HS256 needs at least 32 bytes/);
  });

  it('never puts a claim value in the error message', async () => {
    const verifier = await rsaVerifier();
    const error: unknown = await verifier
      .verify(await rsaToken({ aud: 'api://leaky-value' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(String((error as Error).message)).not.toContain('leaky');
  });
});
