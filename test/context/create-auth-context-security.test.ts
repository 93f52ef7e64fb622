import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemorySecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type SecurityMonitorOptions,
  type SecurityStore,
  type TokenVerifier,
} from '../../src/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestKeyPair, mintToken, nowSeconds, type TestKeyPair } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = `
  type Query {
    health: String!
    me: String @auth
  }
`;
const resolvers = {
  Query: {
    health: () => 'ok',
    me: (_: unknown, __: unknown, ctx: { auth: { principal: { subject?: string } } }) =>
      ctx.auth.principal.subject ?? null,
  },
};
const ME = '{ me }';

interface Harness {
  readonly api: TestApi;
  readonly keys: TestKeyPair;
  readonly store: SecurityStore;
  readonly calls: { lookup: number; recordFailure: number; verify: number };
  readonly security: ReturnType<typeof createSecurityMonitor>;
  token(claims?: Record<string, unknown>, exp?: number): Promise<string>;
}

/** Counts the calls a real store and a real verifier receive; it changes nothing they do. */
function counted(store: SecurityStore, calls: Harness['calls']): SecurityStore {
  return {
    ...store,
    lookup: (query) => ((calls.lookup += 1), store.lookup(query)),
    recordFailure: (event) => ((calls.recordFailure += 1), store.recordFailure(event)),
  };
}

let running: TestApi | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(
  options: { rejectInvalidTokens?: boolean } & Partial<SecurityMonitorOptions> = {},
): Promise<Harness> {
  const keys = await generateTestKeyPair('ES256');
  const calls = { lookup: 0, recordFailure: 0, verify: 0 };
  const store = counted(createMemorySecurityStore(), calls);
  const security = createSecurityMonitor({
    rateLimit: { failures: 3, windowSeconds: 60 },
    ...options,
    store,
  });
  const real = await createTokenVerifier({
    algorithms: ['ES256'],
    key: { publicKey: keys.publicKeyPem },
    issuer: 'test-issuer',
  });
  const verifier: TokenVerifier = {
    verify: (token) => ((calls.verify += 1), real.verify(token)),
    isReady: () => real.isReady(),
    warmUp: () => real.warmUp(),
  };
  const api = await startTestApi({
    typeDefs,
    resolvers,
    context: { verifier, security, rejectInvalidTokens: options.rejectInvalidTokens ?? false },
  });
  running = api;
  return {
    api,
    keys,
    store,
    calls,
    security,
    token: (claims = {}, exp) =>
      mintToken({
        alg: 'ES256',
        key: keys.privateKey,
        claims: { iss: 'test-issuer', sub: 'alice', ...claims },
        ...(exp === undefined ? {} : { exp }),
      }),
  };
}

describe('createAuthContext with security', () => {
  it('refuses a client over the limit with 429 and Retry-After, before verifying its token', async () => {
    // A frozen clock makes Retry-After exact however long the requests take.
    const frozen = Date.now();
    const h = await start({ rejectInvalidTokens: true, now: () => frozen });
    for (let i = 0; i < 3; i += 1) {
      const bad = await postGraphQL(h.api.url, { query: ME, token: 'not.a.jwt' });
      expect(bad.status).toBe(401);
      expect(errorCodes(bad)).toEqual(['TOKEN_INVALID']);
    }
    const verifiesBefore = h.calls.verify;
    const good = await postGraphQL(h.api.url, { query: ME, token: await h.token() });
    expect(good.status).toBe(429);
    expect(good.headers.get('retry-after')).toBe('60');
    expect(good.headers.get('www-authenticate')).toBeNull();
    expect(good.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 60,
    });
    expect(h.calls.verify).toBe(verifiesBefore);
  });

  it('refuses a limited client as a whole with 429 also when not rejecting invalid tokens', async () => {
    const frozen = Date.now();
    const h = await start({ now: () => frozen });
    for (let i = 0; i < 3; i += 1) await postGraphQL(h.api.url, { query: ME, token: 'x.y.z' });
    const verifiesBefore = h.calls.verify;
    const response = await postGraphQL(h.api.url, {
      query: '{ health me }',
      token: await h.token(),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(response.body.data).toBeUndefined();
    expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
    expect(h.calls.verify).toBe(verifiesBefore);
  });

  it('still serves a limited client that sends no credentials (anonymous, no store call)', async () => {
    const h = await start();
    for (let i = 0; i < 3; i += 1) await postGraphQL(h.api.url, { query: ME, token: 'x.y.z' });
    const lookupsBefore = h.calls.lookup;
    const response = await postGraphQL(h.api.url, { query: '{ health me }' });
    expect(h.calls.lookup).toBe(lookupsBefore);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ health: 'ok', me: null });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('ignores X-Forwarded-For unless configured, so a client cannot pick its own key', async () => {
    const h = await start({ rejectInvalidTokens: true });
    for (let i = 0; i < 3; i += 1) {
      await postGraphQL(h.api.url, {
        query: ME,
        token: 'x.y.z',
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
    }
    const response = await postGraphQL(h.api.url, {
      query: ME,
      token: 'x.y.z',
      headers: { 'x-forwarded-for': '198.51.100.99' },
    });
    expect(response.status).toBe(429);
  });

  it('records each failure with its kind for the report', async () => {
    const h = await start({ rateLimit: { failures: 100, windowSeconds: 60 } });
    const other = await generateTestKeyPair('ES256');
    await postGraphQL(h.api.url, { query: ME, token: await h.token({}, nowSeconds() - 3600) });
    await postGraphQL(h.api.url, {
      query: ME,
      token: await mintToken({
        alg: 'ES256',
        key: other.privateKey,
        claims: { iss: 'test-issuer' },
      }),
    });
    await postGraphQL(h.api.url, { query: ME, headers: { authorization: 'Bearer ' } });
    await postGraphQL(h.api.url, { query: ME, token: await h.token({ iss: 'someone-else' }) });
    const report = await h.security.report();
    expect(report.failuresByKind).toEqual({
      expired: 1,
      'invalid-signature': 1,
      malformed: 1,
      other: 1,
    });
    expect(report.topOffenders).toEqual([{ clientKey: '127.0.0.1', attempts: 4 }]);
  });

  it('refuses a revoked jti with TOKEN_REVOKED and a 401 invalid_token challenge', async () => {
    const h = await start({ rejectInvalidTokens: true });
    const exp = nowSeconds() + 600;
    const revoked = await h.token({ jti: 'token-1' }, exp);
    const kept = await h.token({ jti: 'token-2' }, exp);
    await h.security.revokeToken({ jti: 'token-1', exp });
    const response = await postGraphQL(h.api.url, { query: ME, token: revoked });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['TOKEN_REVOKED']);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token has been revoked"',
    );
    const ok = await postGraphQL(h.api.url, { query: ME, token: kept });
    expect(ok.body.data).toEqual({ me: 'alice' });
  });

  it('refuses tokens of a subject issued before its revocation and accepts later ones', async () => {
    const h = await start();
    const before = nowSeconds();
    const old = await h.token({ iat: before - 10 });
    const other = await h.token({ sub: 'bob', iat: before - 10 });
    await h.security.revokeSubject({ sub: 'alice', before });
    expect(errorCodes(await postGraphQL(h.api.url, { query: ME, token: old }))).toEqual([
      'TOKEN_REVOKED',
    ]);
    const fresh = await postGraphQL(h.api.url, {
      query: ME,
      token: await h.token({ iat: before }),
    });
    expect(fresh.body.data).toEqual({ me: 'alice' });
    expect((await postGraphQL(h.api.url, { query: ME, token: other })).body.data).toEqual({
      me: 'bob',
    });
  });

  it('answers isRevoked for a principal verified earlier', async () => {
    const h = await start();
    const token = await h.token({ jti: 'long-lived' });
    const response = await postGraphQL(h.api.url, { query: ME, token });
    expect(response.body.data).toEqual({ me: 'alice' });
    const principal = {
      subject: 'alice',
      issuer: 'test-issuer',
      permissions: new Set<string>(),
      claims: { sub: 'alice', jti: 'long-lived', iat: nowSeconds() - 1 },
    };
    expect(await h.security.isRevoked(principal)).toBe(false);
    await h.security.revokeSubject({ sub: 'alice' });
    expect(await h.security.isRevoked(principal)).toBe(true);
  });

  it('costs one lookup on the success path and none for an anonymous request', async () => {
    const h = await start();
    await postGraphQL(h.api.url, { query: '{ health }' });
    expect(h.calls).toMatchObject({ lookup: 0, recordFailure: 0 });
    const token = await h.token({ jti: 'j-1' });
    await postGraphQL(h.api.url, { query: ME, token });
    await postGraphQL(h.api.url, { query: ME, token });
    expect(h.calls).toMatchObject({ lookup: 2, recordFailure: 0 });
  });

  it('makes no store call when both features are off', async () => {
    const h = await start({ rateLimit: false, revocation: false });
    const response = await postGraphQL(h.api.url, {
      query: ME,
      token: await h.token({ jti: 'j' }),
    });
    await postGraphQL(h.api.url, { query: ME, token: 'x.y.z' });
    expect(response.body.data).toEqual({ me: 'alice' });
    expect(h.calls).toMatchObject({ lookup: 0, recordFailure: 0 });
  });
});
