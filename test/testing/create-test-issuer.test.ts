import { describe, expect, it } from 'vitest';
import { createTokenVerifier, type TokenVerifier } from '../../src/index.js';
import {
  createTestIssuer,
  EXPECTED_TOKEN_FAILURES,
  TOKEN_FAILURE_KINDS,
  type TestIssuer,
} from '../../src/testing/index.js';

describe('createTestIssuer', async () => {
  const issuer: TestIssuer = await createTestIssuer();
  const verifier: TokenVerifier = await createTokenVerifier(issuer.verifierOptions());

  it('mints a token its verifier accepts, with subject, permissions and claims', async () => {
    const token = await issuer.mint({
      subject: 'ada',
      permissions: ['a', 'b'],
      claims: { tenant: 'acme' },
    });
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ subject: 'ada', issuer: issuer.issuer });
    expect([...principal.permissions]).toEqual(['a', 'b']);
    expect(principal.claims).toMatchObject({ tenant: 'acme', aud: issuer.audience });
  });

  it.each(TOKEN_FAILURE_KINDS)(
    'mints a %s token the verifier refuses as documented',
    async (kind) => {
      const expected = EXPECTED_TOKEN_FAILURES[kind];
      await expect(verifier.verify(await issuer.mintFailure(kind))).rejects.toMatchObject({
        code: expected.code,
        ...(expected.code === 'TOKEN_INVALID' ? { reason: expected.reason } : {}),
        ...(expected.claim === undefined ? {} : { claim: expected.claim }),
      });
    },
  );

  it('offers a named helper for each failure kind', async () => {
    const helpers = [
      issuer.mintExpired,
      issuer.mintNotYetValid,
      issuer.mintWrongAudience,
      issuer.mintWrongIssuer,
      issuer.mintUnknownKid,
      issuer.mintBadSignature,
    ];
    const codes = await Promise.all(
      helpers.map(async (mint) =>
        verifier.verify(await mint()).then(
          () => 'accepted',
          (error: { code: string }) => error.code,
        ),
      ),
    );
    expect(codes).toEqual(TOKEN_FAILURE_KINDS.map((kind) => EXPECTED_TOKEN_FAILURES[kind].code));
  });

  it('publishes only public key material in its JWKS, under its kid', () => {
    expect(issuer.jwks.keys).toEqual([
      expect.objectContaining({ kid: issuer.kid, alg: 'ES256', use: 'sig', kty: 'EC' }),
    ]);
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
    expect(issuer.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('generates keys for the algorithm asked for', async () => {
    const eddsa = await createTestIssuer({ alg: 'EdDSA', issuer: 'https://other.test/' });
    const eddsaVerifier = await createTokenVerifier(eddsa.verifierOptions({ clockTolerance: 0 }));
    await expect(eddsaVerifier.verify(await eddsa.mint())).resolves.toMatchObject({
      issuer: 'https://other.test/',
    });
    // Tokens of one test issuer are not accepted by another's verifier.
    await expect(eddsaVerifier.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
  });
});
