import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerLogger } from '../../src/server/create-server-logger.js';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';

describe('startExampleServer observability', () => {
  let server: ExampleServer;
  const lines: string[] = [];
  let userToken = '';

  beforeAll(async () => {
    const logger = createServerLogger({
      level: 'debug',
      destination: { write: (line: string) => void lines.push(line) },
    });
    server = await startExampleServer(loadServerConfig({ PORT: '0', HOST: '127.0.0.1' }), {
      logger,
    });
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
  afterAll(() => server.close());

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
