import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import {
  closeOfRefusedConnection,
  connectTestClient,
  type Closed,
  type TestWsClient,
} from '../helpers/graphql-ws-client.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';

/** `promise`, or a rejection after `ms`: no test waits unboundedly on a socket. */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

describe('the example server: one failed-auth limit over HTTP and WebSocket (memory store)', () => {
  const secret = generateTestSecret();
  let server: ExampleServer;
  let wsUrl: string;
  const clients: TestWsClient[] = [];
  const token = (claims: Record<string, unknown>) =>
    mintToken({ alg: 'HS256', key: secretBytes(secret), claims });
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const bearer = async (claims: Record<string, unknown>) => ({
    Authorization: `Bearer ${await token(claims)}`,
  });
  const refusal = (
    params: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<Closed & { readonly acknowledged: boolean }> =>
    within(closeOfRefusedConnection(wsUrl, params, headers));

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
    wsUrl = server.url.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.close();
  });

  it('refuses over WebSocket with 4429 RATE_LIMITED, and over HTTP with 429, after one failure on each', async () => {
    const client = from('203.0.113.80');
    const http = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: 'x.y.z',
      headers: client,
    });
    expect(errorCodes(http)).toEqual(['TOKEN_INVALID']);
    await expect(refusal({ Authorization: 'Bearer x.y.z' }, client)).resolves.toEqual({
      code: 4403,
      reason: 'TOKEN_INVALID',
      acknowledged: false,
    });
    const valid = await bearer({ sub: 'ada' });
    await expect(refusal(valid, client)).resolves.toEqual({
      code: 4429,
      reason: 'RATE_LIMITED',
      acknowledged: false,
    });
    const limited = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: valid.Authorization.slice('Bearer '.length),
      headers: client,
    });
    expect(limited.status).toBe(429);
    expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);

    // Another client behind the same proxy connects.
    const other = connectTestClient(wsUrl, valid, from('203.0.113.81'));
    clients.push(other);
    await within(other.connected);
  });

  it('counts WebSocket failures alone toward the limit HTTP enforces', async () => {
    const client = from('203.0.113.82');
    for (let i = 0; i < 2; i += 1) {
      await expect(refusal({ Authorization: 42 }, client)).resolves.toEqual({
        code: 4403,
        reason: 'TOKEN_INVALID',
        acknowledged: false,
      });
    }
    const response = await postGraphQL(server.url, {
      query: '{ me { sub } }',
      token: await token({ sub: 'ada' }),
      headers: client,
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
    const report = await server.security.report();
    expect(report.limitedClients.map((c) => c.clientKey)).toContain('203.0.113.82');
  });

  it('refuses at connect a token revoked through Mutation.revokeToken, with 4403 TOKEN_REVOKED', async () => {
    const client = from('203.0.113.83');
    const jti = randomUUID();
    const exp = nowSeconds() + 600;
    const user = await bearer({ sub: 'dave', jti, exp });
    const before = connectTestClient(wsUrl, user, client);
    clients.push(before);
    await within(before.connected);
    const revoke = await postGraphQL(server.url, {
      query: 'mutation($jti: String!, $exp: Float!) { revokeToken(jti: $jti, exp: $exp) }',
      variables: { jti, exp },
      token: await token({ sub: 'root', permissions: ['admin'] }),
      headers: client,
    });
    expect(revoke.body.data).toEqual({ revokeToken: true });
    await expect(refusal(user, client)).resolves.toEqual({
      code: 4403,
      reason: 'TOKEN_REVOKED',
      acknowledged: false,
    });
  });
});
