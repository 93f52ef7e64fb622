import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthStatusPlugin,
  createTokenVerifier,
  formatError,
  type TokenVerifier,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = /* GraphQL */ `
  type Query {
    hello: String
    secret: String @auth
  }
`;
const resolvers = { Query: { hello: () => 'world', secret: () => 'classified' } };
const QUERY = '{ hello secret }';

let pair: TestKeyPair;
let jwks: JwksServer;
let verifier: TokenVerifier;
let token: string;
const apis: TestApi[] = [];

async function api(rejectInvalidTokens: boolean, withStatusPlugin = false): Promise<string> {
  const started = await startTestApi({
    typeDefs,
    resolvers,
    context: { verifier, rejectInvalidTokens },
    ...(withStatusPlugin ? { formatError, plugins: [createAuthStatusPlugin()] } : {}),
  });
  apis.push(started);
  return started.url;
}

beforeAll(async () => {
  pair = await generateTestKeyPair('ES256');
  jwks = await startJwksServer({ keys: [{ ...pair.publicJwk, kid: 'k' }] });
  jwks.setMode('status-500');
  verifier = await createTokenVerifier({
    algorithms: ['ES256'],
    key: {
      jwksUrl: jwks.jwksUrl,
      timeoutDuration: 500,
      outageBackoff: 60_000,
      maxOutageBackoff: 60_000,
    },
  });
  token = await mintToken({ alg: 'ES256', key: pair.privateKey, header: { kid: 'k' } });
});

afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await jwks.close();
});

describe('createAuthContext when the keys are unavailable', () => {
  it('resolves public fields and raises AUTH_UNAVAILABLE on protected ones (default mode)', async () => {
    const response = await postGraphQL(await api(false), { query: QUERY, token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ hello: 'world', secret: null });
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    expect(response.body.errors?.[0]?.message).toBe('Authentication is temporarily unavailable.');
  });

  it('answers 503 with Retry-After and no challenge when rejecting invalid tokens', async () => {
    const response = await postGraphQL(await api(true), { query: QUERY, token });
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.body.data).toBeUndefined();
    expect(JSON.stringify(response.body)).not.toContain(jwks.jwksUrl);
  });

  it('answers 503 with Retry-After through the status plugin when no data is left', async () => {
    const url = await api(false, true);
    const onlyProtected = await postGraphQL(url, { query: '{ secret }', token });
    expect(onlyProtected.status).toBe(503);
    expect(errorCodes(onlyProtected)).toEqual(['AUTH_UNAVAILABLE']);
    expect(Number(onlyProtected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(onlyProtected.headers.get('www-authenticate')).toBeNull();
    const withData = await postGraphQL(url, { query: QUERY, token });
    expect(withData.status).toBe(200);
    expect(withData.headers.get('retry-after')).toBeNull();
  });

  it('leaves anonymous requests untouched', async () => {
    const response = await postGraphQL(await api(true), { query: '{ hello }' });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ hello: 'world' });
  });
});
