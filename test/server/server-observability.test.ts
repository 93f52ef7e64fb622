import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerLogger } from '../../src/server/create-server-logger.js';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { createTestIssuer, type TestIssuer, type TestJwksServer } from '../../src/testing/index.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { startOwnRedisServer, uniqueKeyPrefix, type OwnRedisServer } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('startExampleServer observability', () => {
  let server: ExampleServer;
  const lines: string[] = [];
  let userToken = '';
  // Development mode persists its signing key: keep it out of the checkout's .claimgate/.
  const devDir = makeTempDir('claimgate-dev-');

  beforeAll(async () => {
    const logger = createServerLogger({
      level: 'debug',
      destination: { write: (line: string) => void lines.push(line) },
    });
    server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', CLAIMGATE_DEV_DIR: devDir.dir }),
      { logger },
    );
    userToken = server.devKeys?.userToken ?? '';
    expect(userToken).not.toBe('');
    await postGraphQL(server.url, { query: '{ me { sub } }' });
    for (let i = 0; i < 2; i += 1) {
      const response = await postGraphQL(server.url, {
        query: '{ me { sub } adminReport { articleCount } }',
        token: userToken,
      });
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    }
    await postGraphQL(server.url, { query: '{ health }', token: 'abc.def.ghi' });
  });
  afterAll(async () => {
    await server.close();
    devDir.remove();
  });

  it('serves Prometheus metrics: outcomes, latency, cache hits and denials', async () => {
    const response = await fetch(new URL('/metrics', server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('claimgate_authentications_total{outcome="anonymous"} 1');
    expect(text).toContain('claimgate_authentications_total{outcome="ok"} 2');
    expect(text).toContain('claimgate_authentications_total{outcome="TOKEN_INVALID"} 1');
    expect(text).toContain('claimgate_token_cache_requests_total{result="hit"} 1');
    expect(text).toContain('claimgate_token_cache_requests_total{result="miss"} 2');
    expect(text).toContain(
      'claimgate_authentication_duration_seconds_count{algorithm="ES256",cache="hit"} 1',
    );
    expect(text).toContain(
      'claimgate_denials_total{coordinate="Query.adminReport",code="FORBIDDEN"} 2',
    );
    expect(text).toContain(
      'claimgate_denials_total{coordinate="Query.me",code="UNAUTHENTICATED"} 1',
    );
    expect(text).not.toContain(userToken);
  });

  it('logs requests, refusals and denials as JSON, never a token or its claims', () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'POST', path: '/graphql', status: 200 }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'token refused',
        outcome: 'TOKEN_INVALID',
        reason: 'malformed',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'field denied',
        coordinate: 'Query.adminReport',
        code: 'FORBIDDEN',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'authenticated',
        outcome: 'ok',
        algorithm: 'ES256',
        cacheHit: true,
      }),
    );
    const all = lines.join('\n');
    for (const part of [userToken, ...userToken.split('.'), 'abc.def.ghi']) {
      expect(all).not.toContain(part);
    }
    expect(all).not.toContain('dev-user');
    expect(all).not.toContain('articles:read');
  });

  it('redacts an Authorization header should one ever be logged', () => {
    const captured: string[] = [];
    const logger = createServerLogger({
      destination: { write: (l: string) => void captured.push(l) },
    });
    logger.info({ req: { headers: { authorization: `Bearer ${userToken}` } } }, 'oops');
    expect(captured.join('')).not.toContain(userToken);
    expect(captured.join('')).toContain('[Redacted]');
  });

  it('refuses an unknown log level with a TypeError', () => {
    expect(() => createServerLogger({ level: 'verbose' })).toThrow(TypeError);
  });
});

describe('startExampleServer metrics for key fetches and the security store', () => {
  let server: ExampleServer;
  let issuer: TestIssuer;
  let jwks: TestJwksServer;
  let redis: OwnRedisServer;
  const lines: string[] = [];
  const keyPrefix = uniqueKeyPrefix();

  beforeAll(async () => {
    issuer = await createTestIssuer();
    jwks = await issuer.serveJwks();
    redis = await startOwnRedisServer();
    const logger = createServerLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    });
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_JWKS_URL: jwks.jwksUrl,
        JWT_ALGORITHMS: issuer.alg,
        JWT_ISSUER: issuer.issuer,
        JWT_AUDIENCE: issuer.audience,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: keyPrefix,
      }),
      { logger },
    );
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
    await redis.stop();
  });

  const tokenFor = (jti: string) =>
    issuer.mint({ subject: 'u1', permissions: ['articles:read'], claims: { jti } });
  const metrics = async () => (await fetch(new URL('/metrics', server.url))).text();

  it('counts JWKS fetches by outcome', async () => {
    const response = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: await tokenFor('jti-1'),
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { sub: 'u1' } });
    expect(jwks.fetchCount).toBeGreaterThanOrEqual(1);
    expect(await metrics()).toContain(
      `claimgate_jwks_fetches_total{outcome="ok"} ${jwks.fetchCount}`,
    );
  });

  it('counts and logs a security store failure once, and its recovery', async () => {
    await redis.stop();
    // Revocation fails closed by default: the request is refused with 503, not let through.
    const refused = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: await tokenFor('jti-2'),
      signal: AbortSignal.timeout(10_000),
    });
    expect(errorCodes(refused)).toEqual(['AUTH_UNAVAILABLE']);
    const text = await metrics();
    expect(text).toMatch(
      /claimgate_security_store_events_total\{event="store-unavailable",feature="revocation",outcome="fail-closed"\} [1-9]/,
    );
    await redis.start();
    await vi.waitFor(
      async () => {
        const ok = await postGraphQL(server.url, {
          query: '{ me { sub } }',
          token: await tokenFor('jti-3'),
        });
        expect(ok.body.data).toEqual({ me: { sub: 'u1' } });
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(await metrics()).toMatch(
      /claimgate_security_store_events_total\{event="store-recovered",feature="all",outcome="recovered"\} [1-9]/,
    );
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const storeLines = entries.filter((entry) => entry['event'] === 'security-store');
    expect(storeLines.map((entry) => entry['msg'])).toEqual([
      'security store unavailable',
      'security store recovered',
    ]);
    // One line for the outage, whichever feature met it first (pino's level 40 is warn).
    expect(storeLines[0]?.['level']).toBe(40);
    expect(['rate-limit', 'revocation']).toContain(storeLines[0]?.['feature']);
    const redisLines = entries.filter((entry) => entry['event'] === 'redis');
    expect(redisLines.map((entry) => entry['msg'])).toEqual([
      'Redis connection lost; reconnecting',
      'Redis connection restored',
    ]);
  });
});
