import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createAuthStatusPlugin,
  createTokenVerifier,
  formatError,
  type KeyConfig,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { startTestApi } from '../helpers/start-test-api.js';

// Third-party vectors copied from RFC 7515 Appendix A.1–A.3 and RFC 8037 Appendix A
// (test/fixtures/jose-test-vectors.json, a copy of the team's shared fixture). Their claims expire at 2011-03-22T18:43:00Z (exp 1300819380).
interface Vector {
  readonly token: string;
  readonly jwk?: JsonWebKey & { k: string };
  readonly public_jwk?: JsonWebKey;
}
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/jose-test-vectors.json', import.meta.url), 'utf8'),
) as Record<string, Vector>;

function vector(name: string): Vector {
  const found = vectors[name];
  if (found === undefined) throw new Error(`fixture ${name} is missing`);
  return found;
}

function keyOf(v: Vector): KeyConfig {
  if (v.jwk !== undefined) return { secret: Buffer.from(v.jwk.k, 'base64url') };
  if (v.public_jwk === undefined) throw new Error('vector without a key');
  const pem = createPublicKey({ key: v.public_jwk, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  return { publicKey: pem.toString() };
}

const EXP = 1_300_819_380;
const signedJwts = [
  ['RFC 7515 A.1 (HS256)', 'rfc7515_A1_HS256', 'HS256'],
  ['RFC 7515 A.2 (RS256)', 'rfc7515_A2_RS256', 'RS256'],
  ['RFC 7515 A.3 (ES256)', 'rfc7515_A3_ES256', 'ES256'],
] as const;

describe('third-party JOSE vectors', () => {
  for (const [title, name, alg] of signedJwts) {
    it(`${title}: correctly signed but expired is TOKEN_EXPIRED, over HTTP 401 invalid_token`, async () => {
      const v = vector(name);
      // The clock is set at exp: the vector's signature is good, only time refuses it.
      const verifier = await createTokenVerifier({
        algorithms: [alg],
        key: keyOf(v),
        clockTolerance: 0,
        currentDate: () => new Date(EXP * 1000),
      });
      await expect(verifier.verify(v.token)).rejects.toMatchObject({
        code: 'TOKEN_EXPIRED',
        reason: 'expired',
      });
      const api = await startTestApi({
        typeDefs: 'type Query { me: String @auth }',
        resolvers: { Query: { me: () => 'me' } },
        context: { verifier, rejectInvalidTokens: true },
        formatError,
        plugins: [createAuthStatusPlugin()],
      });
      try {
        const response = await postGraphQL(api.url, { query: '{ me }', token: v.token });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe(
          'Bearer error="invalid_token", error_description="The access token expired"',
        );
        expect(errorCodes(response)).toEqual(['TOKEN_EXPIRED']);
        expect(response.body.data ?? null).toBeNull();
      } finally {
        await api.stop();
      }
    });

    it(`${title}: verifies with a clock set before exp`, async () => {
      const v = vector(name);
      const verifier = await createTokenVerifier({
        algorithms: [alg],
        key: keyOf(v),
        issuer: 'joe',
        currentDate: () => new Date((EXP - 60) * 1000),
      });
      await expect(verifier.verify(v.token)).resolves.toMatchObject({
        issuer: 'joe',
        subject: undefined,
      });
    });

    it(`${title}: one flipped signature character is TOKEN_INVALID`, async () => {
      const v = vector(name);
      const verifier = await createTokenVerifier({
        algorithms: [alg],
        key: keyOf(v),
        currentDate: () => new Date((EXP - 60) * 1000),
      });
      // A character inside the signature (not the last, whose spare bits must stay zero).
      const at = v.token.length - 5;
      const tampered = `${v.token.slice(0, at)}${v.token[at] === 'A' ? 'B' : 'A'}${v.token.slice(at + 1)}`;
      await expect(verifier.verify(tampered)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    });
  }

  it('RFC 8037 A (Ed25519): a valid JWS whose payload is not a claims set is TOKEN_INVALID', async () => {
    const v = vector('rfc8037_A_Ed25519');
    const verifier = await createTokenVerifier({ algorithms: ['EdDSA'], key: keyOf(v) });
    await expect(verifier.verify(v.token)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'malformed',
    });
  });
});
