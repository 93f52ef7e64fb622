import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  nowSeconds,
  secretBytes,
  type TestKeyPair,
} from '../helpers/keys.js';
import { makeTempDir } from '../helpers/temp-dir.js';

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

  it.each([
    ['an empty jti', 'revokeToken(jti: "")'],
    ['a blank jti', 'revokeToken(jti: "  ", exp: 1900000000)'],
    ['an exp Redis cannot hold', 'revokeToken(jti: "j", exp: 1e300)'],
    ['an exp in milliseconds', `revokeToken(jti: "j", exp: ${Date.now()})`],
    ['an empty iss (token)', 'revokeToken(jti: "j", exp: 1900000000, iss: "")'],
    ['an empty iss (subject)', 'revokeSubject(sub: "s", iss: " ")'],
  ])('answers 200 with BAD_USER_INPUT for %s', async (_label, field) => {
    const response = await postGraphQL(server.url, {
      query: `mutation { ${field} }`,
      token: await token({ sub: 'root', permissions: ['admin'] }),
      headers: { 'x-forwarded-for': '203.0.113.80' },
    });
    expect(response.status).toBe(200);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(Object.values(response.body.data ?? {})).toEqual([null]);
  });

  it('revokes by jti without exp, and scopes a revocation to the iss given', async () => {
    const admin = await token({ sub: 'root', permissions: ['admin'] });
    const headers = { 'x-forwarded-for': '203.0.113.81' };
    const mutate = (query: string) => postGraphQL(server.url, { query, token: admin, headers });
    // Each refusal counts as a failure (limit 2): one client address per token.
    let client = 100;
    const me = async (claims: Record<string, unknown>) => {
      const response = await postGraphQL(server.url, {
        query: '{ me { sub } }',
        token: await token(claims),
        headers: { 'x-forwarded-for': `203.0.113.${(client += 1)}` },
      });
      return errorCodes(response)[0] ?? 'accepted';
    };
    expect((await mutate('mutation { revokeToken(jti: "no-exp-given") }')).body.data).toEqual({
      revokeToken: true,
    });
    expect(await me({ sub: 'ivan', jti: 'no-exp-given' })).toBe('TOKEN_REVOKED');

    // This server checks no issuer, so tokens of two issuers both verify.
    const revoke = await mutate(
      'mutation { revokeSubject(sub: "heidi", iss: "https://a.example/") revokeToken(jti: "shared", exp: 1900000000, iss: "https://a.example/") }',
    );
    expect(revoke.body).toEqual({ data: { revokeSubject: true, revokeToken: true } });
    expect(await me({ sub: 'heidi', iss: 'https://a.example/' })).toBe('TOKEN_REVOKED');
    expect(await me({ sub: 'heidi', iss: 'https://b.example/' })).toBe('accepted');
    expect(await me({ sub: 'heidi' })).toBe('accepted');
    expect(await me({ sub: 'ivan', jti: 'shared', iss: 'https://a.example/' })).toBe(
      'TOKEN_REVOKED',
    );
    expect(await me({ sub: 'ivan', jti: 'shared', iss: 'https://b.example/' })).toBe('accepted');
  });
});

describe('the example server with several issuers: issuer-scoped revocation over HTTP', () => {
  const ISSUERS = ['https://workforce.example/', 'https://partners.example/'] as const;
  let server: ExampleServer;
  let keys: TestKeyPair[];
  let temp: { dir: string; remove(): void };
  const tokenOf = (issuer: 0 | 1, claims: Record<string, unknown>) =>
    mintToken({
      alg: 'ES256',
      key: keys[issuer]!.privateKey,
      claims: { iss: ISSUERS[issuer], ...claims },
    });

  beforeAll(async () => {
    keys = await Promise.all([generateTestKeyPair('ES256'), generateTestKeyPair('ES256')]);
    temp = makeTempDir();
    const file = join(temp.dir, 'claimgate.json');
    writeFileSync(
      file,
      JSON.stringify({
        issuers: ISSUERS.map((issuer, i) => ({
          issuer,
          algorithms: ['ES256'],
          key: { publicKey: keys[i]!.publicKeyPem },
        })),
      }),
    );
    server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', CLAIMGATE_CONFIG: file }),
    );
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  /** What `{ me { sub } }` answers for a token: `accepted` or the error code. */
  async function me(issuer: 0 | 1, claims: Record<string, unknown>): Promise<unknown> {
    const response = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: await tokenOf(issuer, claims),
    });
    return errorCodes(response)[0] ?? 'accepted';
  }

  async function revoke(mutation: string): Promise<unknown> {
    const response = await postGraphQL(server.url, {
      query: `mutation { ${mutation} }`,
      token: await tokenOf(0, { sub: 'root', permissions: ['admin'] }),
    });
    return response.body;
  }

  it('revokes a subject of one issuer only, and of every issuer without iss', async () => {
    const iat = nowSeconds() - 10;
    expect(await me(0, { sub: 'user-42', iat })).toBe('accepted');
    expect(await revoke(`revokeSubject(sub: "user-42", iss: "${ISSUERS[1]}")`)).toEqual({
      data: { revokeSubject: true },
    });
    expect(await me(1, { sub: 'user-42', iat })).toBe('TOKEN_REVOKED');
    expect(await me(0, { sub: 'user-42', iat })).toBe('accepted');

    expect(await revoke('revokeSubject(sub: "user-43")')).toEqual({
      data: { revokeSubject: true },
    });
    expect(await me(0, { sub: 'user-43', iat })).toBe('TOKEN_REVOKED');
    expect(await me(1, { sub: 'user-43', iat })).toBe('TOKEN_REVOKED');
  });

  it('keeps a jti that both issuers use apart', async () => {
    const exp = nowSeconds() + 3600;
    expect(await revoke(`revokeToken(jti: "tok-1", exp: ${exp}, iss: "${ISSUERS[0]}")`)).toEqual({
      data: { revokeToken: true },
    });
    expect(await me(0, { sub: 'a', jti: 'tok-1' })).toBe('TOKEN_REVOKED');
    expect(await me(1, { sub: 'b', jti: 'tok-1' })).toBe('accepted');
  });
});
