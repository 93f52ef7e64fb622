import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthContext,
  createTokenVerifier,
  importKeySource,
  type KeySource,
  type TokenVerifier,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  nowSeconds,
  secretBytes,
  type TestKeyPair,
} from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'api://test';

const typeDefs = /* GraphQL */ `
  type Query {
    open: String
    me: String @auth
    admin: String @hasPermission(permission: "admin")
    widgets: [Widget!]!
  }
  type Widget @auth {
    id: ID
    name: String
  }
`;
const resolvers = {
  Query: {
    open: () => 'open',
    me: (_: unknown, __: unknown, ctx: { auth: { principal: { subject: string } } }) =>
      ctx.auth.principal.subject,
    admin: () => 'admin',
    widgets: () => Array.from({ length: 25 }, (_, i) => ({ id: String(i), name: `w${i}` })),
  },
};

describe('createAuthContext', () => {
  let keys: TestKeyPair;
  let lookups = 0;
  let verifier: TokenVerifier;
  let fieldApi: TestApi;
  let rejectApi: TestApi;

  const token = (claims: Record<string, unknown> = {}, exp?: number) =>
    mintToken({
      alg: 'ES256',
      key: keys.privateKey,
      claims: { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', ...claims },
      ...(exp === undefined ? {} : { exp }),
    });

  beforeAll(async () => {
    keys = await generateTestKeyPair('ES256');
    const source = await importKeySource({ publicKey: keys.publicKeyPem }, ['ES256']);
    // Counts key resolutions, i.e. signature verifications: one per verified token.
    const counting: KeySource = (header, jws) => {
      lookups += 1;
      return source(header, jws);
    };
    verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { getKey: counting },
      issuer: ISSUER,
      audience: AUDIENCE,
      // These tests count verifications per request; the cache (one per token lifetime) is
      // covered by test/token/create-token-verifier-cache.test.ts.
      cache: false,
    });
    fieldApi = await startTestApi({ typeDefs, resolvers, context: { verifier } });
    rejectApi = await startTestApi({
      typeDefs,
      resolvers,
      context: { verifier, rejectInvalidTokens: true, realm: 'test' },
    });
  });
  afterAll(async () => {
    await fieldApi.stop();
    await rejectApi.stop();
  });

  it('lets an anonymous request resolve public fields and denies protected ones', async () => {
    const response = await postGraphQL(fieldApi.url, { query: '{ open me admin }' });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ open: 'open', me: null, admin: null });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
  });

  it('resolves protected fields for a valid token and denies missing permissions', async () => {
    const response = await postGraphQL(fieldApi.url, {
      query: '{ open me admin }',
      token: await token(),
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ open: 'open', me: 'user-1', admin: null });
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      coordinate: 'Query.admin',
      requirement: { anyOf: ['admin'] },
    });
    const admin = await postGraphQL(fieldApi.url, {
      query: '{ admin }',
      token: await token({ permissions: ['admin'] }),
    });
    expect(admin.body).toEqual({ data: { admin: 'admin' } });
  });

  describe('refused tokens', () => {
    const cases: [string, () => Promise<string>, string][] = [
      ['an expired token', () => token({}, nowSeconds() - 60), 'TOKEN_EXPIRED'],
      ['a token not yet valid', () => token({ nbf: nowSeconds() + 120 }), 'TOKEN_INVALID'],
      [
        'a token with a wrong signature',
        async () => {
          const other = await generateTestKeyPair('ES256');
          return mintToken({
            alg: 'ES256',
            key: other.privateKey,
            claims: { iss: ISSUER, aud: AUDIENCE },
          });
        },
        'TOKEN_INVALID',
      ],
      ['a token from a wrong issuer', () => token({ iss: 'https://evil.test/' }), 'TOKEN_INVALID'],
      ['a token for a wrong audience', () => token({ aud: 'api://other' }), 'TOKEN_INVALID'],
      [
        'a token with a wrong algorithm',
        () =>
          mintToken({
            alg: 'HS256',
            key: secretBytes(generateTestSecret()),
            claims: { iss: ISSUER, aud: AUDIENCE },
          }),
        'TOKEN_INVALID',
      ],
      ['a malformed token', () => Promise.resolve('not.a.jwt'), 'TOKEN_INVALID'],
      ['a token with bad base64url', () => Promise.resolve('e30.%%%%.e30'), 'TOKEN_INVALID'],
      ['a token with bad JSON', () => Promise.resolve('bm90IGpzb24.e30.c2ln'), 'TOKEN_INVALID'],
    ];

    for (const [name, make, code] of cases) {
      it(`answers ${code} per field for ${name}, and public fields still resolve`, async () => {
        const response = await postGraphQL(fieldApi.url, {
          query: '{ open me }',
          token: await make(),
        });
        expect(response.status).toBe(200);
        expect(response.body.data).toEqual({ open: 'open', me: null });
        expect(errorCodes(response)).toEqual([code]);
        expect(response.body.errors?.[0]?.message).not.toMatch(/claim|jose|signature/i);
      });

      it(`rejects the whole request with 401 and invalid_token for ${name} when configured`, async () => {
        const response = await postGraphQL(rejectApi.url, {
          query: '{ open me }',
          token: await make(),
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer realm="test", error="invalid_token", error_description="${
            code === 'TOKEN_EXPIRED' ? 'The access token expired' : 'The access token is invalid'
          }"`,
        );
        expect(response.body.data).toBeUndefined();
        expect(errorCodes(response)).toEqual([code]);
      });
    }
  });

  it('still serves anonymous requests when rejecting invalid tokens', async () => {
    const response = await postGraphQL(rejectApi.url, { query: '{ open }' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { open: 'open' } });
  });

  it('treats another scheme as no credentials', async () => {
    const response = await postGraphQL(rejectApi.url, {
      query: '{ open me }',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(response.status).toBe(200);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('verifies the token exactly once per request, however many protected fields', async () => {
    const valid = await token();
    const fields = Array.from({ length: 40 }, (_, i) => `m${i}: me`).join(' ');
    const before = lookups;
    const response = await postGraphQL(fieldApi.url, {
      query: `{ ${fields} widgets { id name } }`,
      token: valid,
    });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data?.['widgets'] as unknown[]).length).toBe(25);
    expect(lookups - before).toBe(1);
    await postGraphQL(fieldApi.url, { query: '{ me }', token: valid });
    expect(lookups - before).toBe(2);
  });

  it('refuses to be built without a verifier or with an unsafe realm', () => {
    expect(() => createAuthContext({} as never)).toThrow(/needs `verifier`/);
    expect(() => createAuthContext({ verifier, realm: 'a"b' })).toThrow(/realm/);
  });
});
