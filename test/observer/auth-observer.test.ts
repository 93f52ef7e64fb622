import type { CryptoKey, JWTVerifyGetKey } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  createAuthContext,
  createTokenVerifier,
  type AuthenticationEvent,
  type AuthObserver,
  type DenialEvent,
  type TokenVerifierOptions,
} from '../../src/index.js';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import {
  countingKeyResolver,
  generateTestSecret,
  mintToken,
  nowSeconds,
  secretBytes,
} from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = /* GraphQL */ `
  type Query {
    public: String
    items: [Item!]
    secret: String @hasPermission(permission: "admin")
  }
  type Item @auth {
    id: ID!
    name: String!
  }
`;
const resolvers = {
  Query: {
    public: () => 'hello',
    items: () => Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, name: `item ${i}` })),
    secret: () => 'classified',
  },
};
const ITEMS = '{ items { id name } }';

const SUB = 'subject-value-7f3a';
const CLAIM = 'claim-value-91c2';

let secret: string;
let key: CryptoKey;
let api: TestApi | undefined;

beforeAll(async () => {
  secret = generateTestSecret();
  key = await crypto.subtle.importKey(
    'raw',
    secretBytes(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
});

afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const mint = (options: { exp?: number; alg?: string; claims?: Record<string, unknown> } = {}) =>
  mintToken({
    alg: options.alg ?? 'HS256',
    key: secretBytes(secret),
    claims: {
      sub: SUB,
      iss: 'https://issuer.test/',
      custom: CLAIM,
      permissions: ['read'],
      ...options.claims,
    },
    header: { kid: 'kid-1' },
    ...(options.exp === undefined ? {} : { exp: options.exp }),
  });

async function start(
  getKey: JWTVerifyGetKey,
  observer: AuthObserver | undefined,
  verifierOptions: Partial<TokenVerifierOptions> = {},
): Promise<TestApi> {
  const verifier = await createTokenVerifier({
    algorithms: ['HS256'],
    key: { getKey },
    ...verifierOptions,
  });
  api = await startTestApi({
    typeDefs,
    resolvers,
    context: { verifier, observer },
    directives: { observer },
  });
  return api;
}

function recorder(): AuthObserver & {
  authentications: AuthenticationEvent[];
  denials: DenialEvent[];
} {
  const authentications: AuthenticationEvent[] = [];
  const denials: DenialEvent[] = [];
  return {
    authentications,
    denials,
    onAuthentication: (event) => authentications.push(event),
    onDenial: (event) => denials.push(event),
  };
}

describe('AuthObserver', () => {
  it('sees one verification per request, whatever the number of protected fields', async () => {
    const counter = countingKeyResolver(key);
    const { url } = await start(counter.getKey, undefined, { cache: false });
    const token = await mint();
    for (let i = 0; i < 3; i += 1) {
      const response = await postGraphQL(url, { query: ITEMS, token });
      expect(response.body.errors).toBeUndefined();
    }
    expect(counter.calls).toBe(3);
  });

  it('sees one verification per cache lifetime with the cache on', async () => {
    const counter = countingKeyResolver(key);
    const observer = recorder();
    const { url } = await start(counter.getKey, observer);
    const token = await mint();
    for (let i = 0; i < 3; i += 1) await postGraphQL(url, { query: ITEMS, token });
    expect(counter.calls).toBe(1);
    expect(observer.authentications.map((e) => [e.outcome, e.cacheHit])).toEqual([
      ['ok', false],
      ['ok', true],
      ['ok', true],
    ]);
  });

  it('receives each authentication outcome with algorithm, issuer, kid and duration', async () => {
    const observer = recorder();
    const { url } = await start(countingKeyResolver(key).getKey, observer);
    const token = await mint();
    await postGraphQL(url, { query: '{ public }' });
    await postGraphQL(url, { query: '{ public }', token });
    await postGraphQL(url, { query: '{ public }', token: await mint({ exp: nowSeconds() - 60 }) });
    await postGraphQL(url, { query: '{ public }', token: `${token.slice(0, -4)}AAAA` });
    await postGraphQL(url, { query: '{ public }', token: await mint({ alg: 'HS512' }) });
    await postGraphQL(url, { query: '{ public }', headers: { authorization: 'Bearer' } });
    await postGraphQL(url, { query: '{ public }', token: 'abc.def.ghi' });

    expect(observer.authentications).toMatchObject([
      { outcome: 'anonymous', algorithm: undefined, cacheHit: false },
      {
        outcome: 'ok',
        reason: undefined,
        algorithm: 'HS256',
        issuer: 'https://issuer.test/',
        kid: 'kid-1',
        cacheHit: false,
      },
      { outcome: 'TOKEN_EXPIRED', reason: 'expired', algorithm: 'HS256', kid: undefined },
      { outcome: 'TOKEN_INVALID', reason: 'signature', algorithm: 'HS256', issuer: undefined },
      { outcome: 'TOKEN_INVALID', reason: 'algorithm', algorithm: undefined },
      { outcome: 'BAD_REQUEST', reason: 'missing-credentials', algorithm: undefined },
      { outcome: 'TOKEN_INVALID', reason: 'malformed', algorithm: undefined },
    ]);
    for (const event of observer.authentications) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('receives each denied field with its coordinate, code and requirement', async () => {
    const observer = recorder();
    const { url } = await start(countingKeyResolver(key).getKey, observer);
    const response = await postGraphQL(url, { query: '{ secret }', token: await mint() });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    await postGraphQL(url, { query: '{ items { id } }' });
    expect(observer.denials[0]).toEqual({
      coordinate: 'Query.secret',
      code: 'FORBIDDEN',
      requirement: { clauses: [['admin']] },
    });
    expect(observer.denials[1]).toEqual({
      coordinate: 'Item.id',
      code: 'UNAUTHENTICATED',
      requirement: { clauses: [] },
    });
  });

  it('never receives the token, its parts, the subject or other claims', async () => {
    const observer = recorder();
    const { url } = await start(countingKeyResolver(key).getKey, observer);
    const tokens = [
      await mint(),
      await mint({ exp: nowSeconds() - 60 }),
      await mint({ claims: { permissions: 'not-a-list-' + CLAIM, scope: 7 } }),
    ];
    for (const token of tokens) {
      await postGraphQL(url, { query: '{ public secret items { id name } }', token });
      await postGraphQL(url, { query: '{ public secret items { id name } }', token });
    }
    expect(observer.authentications).toHaveLength(6);
    expect(observer.denials.length).toBeGreaterThan(0);
    const seen = JSON.stringify([observer.authentications, observer.denials]);
    for (const token of tokens) {
      for (const part of [token, ...token.split('.')]) expect(seen).not.toContain(part);
    }
    expect(seen).not.toContain(SUB);
    expect(seen).not.toContain(CLAIM);
    for (const event of observer.authentications) {
      expect(Object.keys(event).sort()).toEqual(
        ['algorithm', 'cacheHit', 'durationMs', 'issuer', 'kid', 'outcome', 'reason'].sort(),
      );
    }
    for (const event of observer.denials) {
      expect(Object.keys(event).sort()).toEqual(['code', 'coordinate', 'requirement']);
    }
  });

  it('reports a key source that fails as AUTH_UNAVAILABLE with its reason', async () => {
    const observer = recorder();
    const { url } = await start(() => {
      throw new Error('key store unreachable');
    }, observer);
    await postGraphQL(url, { query: '{ public }', token: await mint() });
    expect(observer.authentications).toMatchObject([
      { outcome: 'AUTH_UNAVAILABLE', algorithm: 'HS256', cacheHit: false },
    ]);
    expect(observer.authentications[0]?.reason).toEqual(expect.any(String));
  });

  it('reports a verifier bug as outcome error, with a 500', async () => {
    const observer = recorder();
    const broken = {
      verify: () => Promise.reject(new Error('bug in a custom verifier')),
      isReady: () => true,
      warmUp: () => Promise.resolve(),
    };
    api = await startTestApi({ typeDefs, resolvers, context: { verifier: broken, observer } });
    const response = await postGraphQL(api.url, { query: '{ public }', token: await mint() });
    expect(response.status).toBe(500);
    expect(observer.authentications).toMatchObject([{ outcome: 'error', cacheHit: false }]);
  });

  it('leaves responses unchanged when the observer throws', async () => {
    const observer: AuthObserver = {
      onAuthentication: () => {
        throw new Error('metrics backend down');
      },
      onDenial: () => {
        throw new Error('metrics backend down');
      },
    };
    const { url } = await start(countingKeyResolver(key).getKey, observer);
    const response = await postGraphQL(url, { query: '{ public secret }', token: await mint() });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ public: 'hello', secret: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('throws a TypeError at start-up for an observer that is not an object of functions', async () => {
    const verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
    const bad: unknown = { onDenial: 'log it' };
    expect(() => createAuthContext({ verifier, observer: bad as AuthObserver })).toThrow(
      /claimgate: `observer`/,
    );
    const schema = makeExecutableSchema({ typeDefs: [authDirectivesTypeDefs, typeDefs] });
    expect(() => applyAuthDirectives(schema, { observer: bad as AuthObserver })).toThrow(TypeError);
  });
});
