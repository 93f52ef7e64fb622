import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthUnavailableError,
  BadRequestError,
  createAuthStatusPlugin,
  createTokenVerifier,
  ForbiddenError,
  formatError,
  RateLimitedError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  toGraphQLError,
  UnauthenticatedError,
  type AuthError,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

// What test/security/http-semantics.test.ts covers (one code per response, data beside errors,
// Apollo's own BAD_REQUEST, parse errors) is not repeated here. This file covers the plugin's
// choices when a response carries several claimgate errors, what counts as "data", and the
// Retry-After values, through a real Apollo Server whose resolvers raise the errors directly.

const INVALID_TOKEN =
  'Bearer error="invalid_token", error_description="The access token is invalid"';
const EXPIRED_TOKEN = 'Bearer error="invalid_token", error_description="The access token expired"';
const REVOKED_TOKEN =
  'Bearer error="invalid_token", error_description="The access token has been revoked"';
const INVALID_REQUEST =
  'Bearer error="invalid_request", error_description="The request credentials are malformed"';

const raise = (error: AuthError) => () => {
  throw toGraphQLError(error);
};

const typeDefs = /* GraphQL */ `
  type Query {
    hello: String
    nothing: String
    unauthenticated: String
    invalid: String
    expired: String
    revoked: String
    badRequest: String
    forbiddenAdmin: String
    forbiddenAudit: String
    limited3: String
    limited7: String
    limitedFraction: String
    limitedZero: String
    unavailable: String
    boom: String
    ownBadRequest: String
    required: String!
    nested: Nested
  }
  type Nested {
    invalid: String
  }
`;

const resolvers = {
  Query: {
    hello: () => 'world',
    nothing: () => null,
    unauthenticated: raise(new UnauthenticatedError()),
    invalid: raise(new TokenInvalidError('signature')),
    expired: raise(new TokenExpiredError()),
    revoked: raise(new TokenRevokedError('jti')),
    badRequest: raise(new BadRequestError('separator')),
    forbiddenAdmin: raise(new ForbiddenError(['admin'])),
    // `bad scope` is not an RFC 6750 scope-token: never listed in the challenge.
    forbiddenAudit: raise(new ForbiddenError(['audit:read', 'admin', 'bad scope'])),
    limited3: raise(new RateLimitedError(3)),
    limited7: raise(new RateLimitedError(7)),
    limitedFraction: raise(new RateLimitedError(2.2)),
    limitedZero: raise(new RateLimitedError(0)),
    unavailable: raise(new AuthUnavailableError('timeout', { retryAfter: 30 })),
    boom: () => {
      throw new Error('a bug');
    },
    ownBadRequest: () => {
      throw new GraphQLError('The date is malformed.', { extensions: { code: 'BAD_REQUEST' } });
    },
    required: raise(new ForbiddenError(['admin'])),
    nested: () => ({}),
  },
  Nested: { invalid: raise(new TokenInvalidError('signature')) },
};

const secret = generateTestSecret(48);
let api: TestApi;
let realmApi: TestApi;

beforeAll(async () => {
  const verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
  const start = (realm?: string) =>
    startTestApi({
      typeDefs,
      resolvers,
      context: { verifier },
      formatError,
      plugins: [createAuthStatusPlugin(realm === undefined ? {} : { realm })],
    });
  [api, realmApi] = await Promise.all([start(), start('library')]);
});

afterAll(() => Promise.all([api.stop(), realmApi.stop()]));

const post = (query: string, url = api.url) => postGraphQL(url, { query });

describe('createAuthStatusPlugin with several auth errors and no data', () => {
  it('answers 401 over 403: the credentials before the rights, in any field order', async () => {
    for (const query of ['{ forbiddenAdmin invalid }', '{ invalid forbiddenAdmin }']) {
      const response = await post(query);
      expect(response.status, query).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
      expect([...errorCodes(response)].sort()).toEqual(['FORBIDDEN', 'TOKEN_INVALID']);
      expect(response.body.data).toEqual({ forbiddenAdmin: null, invalid: null });
    }
    const expired = await post('{ forbiddenAdmin expired }');
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(EXPIRED_TOKEN);
  });

  it('answers 400 over 401 and 403', async () => {
    for (const query of [
      '{ forbiddenAdmin invalid badRequest }',
      '{ badRequest unauthenticated }',
      '{ expired badRequest }',
    ]) {
      const response = await post(query);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('www-authenticate'), query).toBe(INVALID_REQUEST);
    }
  });

  it('lists every missing permission of every FORBIDDEN error once', async () => {
    const response = await post('{ forbiddenAdmin forbiddenAudit }');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="admin audit:read"',
    );
  });

  it('answers 429 with the largest retryAfter of the errors, rounded up, and no challenge', async () => {
    for (const [query, wait] of [
      ['{ limited3 limited7 }', '7'],
      ['{ limited7 limited3 }', '7'],
      ['{ limited3 limitedFraction }', '3'],
      ['{ limitedFraction }', '3'],
      ['{ limitedZero }', '1'],
    ] as const) {
      const response = await post(query);
      expect(response.status, query).toBe(429);
      expect(response.headers.get('retry-after'), query).toBe(wait);
      expect(response.headers.get('www-authenticate'), query).toBeNull();
      expect(new Set(errorCodes(response))).toEqual(new Set(['RATE_LIMITED']));
    }
  });

  it('answers 503 with the Retry-After of context.auth: 1 when the request’s state is not unavailable', async () => {
    // The request is anonymous, so its state holds no AuthUnavailableError to take a wait from.
    const response = await post('{ unavailable }');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('answers a revoked token with 401 and its own description', async () => {
    const response = await post('{ revoked }');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(REVOKED_TOKEN);
  });

  it('puts the realm first in the challenge', async () => {
    const invalid = await post('{ invalid }', realmApi.url);
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toBe(
      'Bearer realm="library", error="invalid_token", error_description="The access token is invalid"',
    );
    const anonymous = await post('{ unauthenticated }', realmApi.url);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="library"');
  });

  it('treats data: null from a non-null root as no data', async () => {
    const response = await post('{ required }');
    expect(response.body.data).toBeNull();
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="admin"',
    );
  });
});

describe('createAuthStatusPlugin leaves a response at 200', () => {
  it('when a root field is null without an error of its own', async () => {
    const response = await post('{ nothing invalid }');
    expect(response.body.data).toEqual({ nothing: null, invalid: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('when the auth error is below a root field that has data', async () => {
    const response = await post('{ nested { invalid } }');
    expect(response.body.data).toEqual({ nested: { invalid: null } });
    expect(errorCodes(response)).toEqual(['TOKEN_INVALID']);
    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('when an error that is not claimgate’s sits beside the auth errors', async () => {
    const response = await post('{ boom invalid }');
    expect(response.body.data).toEqual({ boom: null, invalid: null });
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR', 'TOKEN_INVALID']);
    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('when a resolver raises its own BAD_REQUEST (not claimgate’s message)', async () => {
    const response = await post('{ ownBadRequest }');
    expect(response.body.errors?.[0]?.message).toBe('The date is malformed.');
    expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
    expect(response.status).toBe(200);
    expect(response.headers.get('www-authenticate')).toBeNull();
    // Beside claimgate's own BAD_REQUEST it still spoils "auth-only".
    const mixed = await post('{ ownBadRequest badRequest }');
    expect(mixed.status).toBe(200);
  });

  it('when no errors are left, even with every field null', async () => {
    const response = await post('{ nothing }');
    expect(response.body).toEqual({ data: { nothing: null } });
    expect(response.status).toBe(200);
  });
});

describe('createAuthStatusPlugin with an unavailable key source', () => {
  let unavailable: TestApi;
  beforeAll(async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['HS256'],
      key: {
        getKey: () => {
          throw new AuthUnavailableError('resolver', { retryAfter: 42 });
        },
      },
    });
    unavailable = await startTestApi({
      typeDefs: 'type Query { hello: String, secret: String @auth }',
      resolvers: { Query: { hello: () => 'world', secret: () => 'classified' } },
      context: { verifier },
      formatError,
      plugins: [createAuthStatusPlugin()],
    });
  });
  afterAll(() => unavailable.stop());

  it('answers 503 with the Retry-After of the request’s AUTH_UNAVAILABLE state', async () => {
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret) });
    const response = await postGraphQL(unavailable.url, { query: '{ secret }', token });
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('42');
    expect(response.headers.get('www-authenticate')).toBeNull();
    const withData = await postGraphQL(unavailable.url, { query: '{ hello secret }', token });
    expect(withData.status).toBe(200);
    expect(withData.headers.get('retry-after')).toBeNull();
  });
});

describe('createAuthStatusPlugin options', () => {
  it('refuses a realm that cannot be quoted, at creation', () => {
    for (const realm of ['a"b', 'a\\b', 'a\nb']) {
      expect(() => createAuthStatusPlugin({ realm })).toThrow(TypeError);
    }
    expect(() => createAuthStatusPlugin({ realm: 'my api' })).not.toThrow();
  });
});
