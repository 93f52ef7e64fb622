import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

describe('the example server with failed-auth rate limiting (memory store)', () => {
  const secret = generateTestSecret();
  let server: ExampleServer;
  const token = (claims: Record<string, unknown>) =>
    mintToken({ alg: 'HS256', key: secretBytes(secret), claims });

  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: secret,
        AUTH_RATE_LIMIT: '2/60',
        AUTH_TRUST_PROXY: '1',
      }),
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('keeps state in memory without REDIS_URL', () => {
    expect(server.securityStore).toBe('memory');
    expect(server.security.rateLimit).toEqual({ failures: 2, windowSeconds: 60 });
  });

  it('answers 429 with Retry-After and extensions.retryAfter when only protected fields failed', async () => {
    const client = { 'x-forwarded-for': '203.0.113.50' };
    for (let i = 0; i < 2; i += 1) {
      await postGraphQL(server.url, { query: '{ me { sub } }', token: 'x.y.z', headers: client });
    }
    const response = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: await token({ sub: 'ada' }),
      headers: client,
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
    expect(response.body.errors?.[0]?.extensions?.['retryAfter']).toBe(
      Number(response.headers.get('retry-after')),
    );
  });

  it('refuses a limited client with credentials as a whole, and serves it without them', async () => {
    const client = { 'x-forwarded-for': '203.0.113.51' };
    for (let i = 0; i < 2; i += 1) {
      await postGraphQL(server.url, { query: '{ health }', token: 'x.y.z', headers: client });
    }
    const refused = await postGraphQL(server.url, {
      query: '{ health me { sub } }',
      token: 'x.y.z',
      headers: client,
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    const anonymous = await postGraphQL(server.url, { query: '{ health }', headers: client });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ data: { health: 'ok' } });
  });

  it('reports the failures to an admin and refuses the report to others', async () => {
    const admin = await token({ sub: 'root', permissions: ['admin'] });
    const query =
      '{ securityReport { windowSeconds failuresByKind { malformed invalidSignature } limitedClientCount } }';
    const report = await postGraphQL(server.url, {
      query,
      token: admin,
      headers: { 'x-forwarded-for': '203.0.113.60' },
    });
    expect(report.body.data).toEqual({
      securityReport: {
        windowSeconds: 60,
        failuresByKind: { malformed: 4, invalidSignature: 0 },
        limitedClientCount: 2,
      },
    });
    const user = await postGraphQL(server.url, {
      query,
      token: await token({ sub: 'ada' }),
      headers: { 'x-forwarded-for': '203.0.113.61' },
    });
    expect(errorCodes(user)).toEqual(['FORBIDDEN']);
  });

  it('revokes a subject before a moment given by an admin, and refuses a future moment as BAD_USER_INPUT', async () => {
    const now = Math.floor(Date.now() / 1000);
    const admin = await token({ sub: 'root', permissions: ['admin'] });
    const headers = { 'x-forwarded-for': '203.0.113.70' };
    const revoke = (before: number) =>
      postGraphQL(server.url, {
        query: 'mutation ($before: Float) { revokeSubject(sub: "grace", before: $before) }',
        variables: { before },
        token: admin,
        headers,
      });
    const future = await revoke(now + 3600);
    expect(future.status).toBe(200);
    expect(errorCodes(future)).toEqual(['BAD_USER_INPUT']);
    expect((await revoke(now - 100)).body.data).toEqual({ revokeSubject: true });
    const me = async (iat: number) =>
      postGraphQL(server.url, {
        query: '{ me { sub } }',
        token: await token({ sub: 'grace', iat }),
        headers,
      });
    expect(errorCodes(await me(now - 200))).toEqual(['TOKEN_REVOKED']);
    expect((await me(now - 50)).body.data).toEqual({ me: { sub: 'grace' } });
  });
});
