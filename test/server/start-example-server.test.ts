import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

const run = promisify(execFile);

describe('startExampleServer in development mode', () => {
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(loadServerConfig({ PORT: '0', HOST: '127.0.0.1' }));
  });
  afterAll(() => server.close());

  it('answers /health and the public field without credentials', async () => {
    const health = await fetch(new URL('/health', server.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const response = await postGraphQL(server.url, { query: '{ health }' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { health: 'ok' } });
  });

  it('serves Apollo Sandbox with the dev token pre-filled', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('embeddable-sandbox');
    expect(html).toContain(server.devKeys?.userToken);
  });

  it('keeps introspection reachable for Sandbox', async () => {
    const response = await postGraphQL(server.url, {
      query: '{ __schema { queryType { name } } }',
    });
    expect(response.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('accepts the dev tokens it printed', async () => {
    const keys = server.devKeys;
    if (keys === undefined) throw new Error('dev keys expected in development mode');
    const user = await postGraphQL(server.url, {
      query: '{ me { sub permissions } adminReport { articleCount } }',
      token: keys.userToken,
    });
    expect(user.status).toBe(200);
    expect(user.body.data).toEqual({
      me: { sub: 'dev-user', permissions: ['articles:read'] },
      adminReport: null,
    });
    expect(errorCodes(user)).toEqual(['FORBIDDEN']);
    const admin = await postGraphQL(server.url, {
      query: '{ adminReport { articleCount customerCount } auditLog { action } }',
      token: keys.adminToken,
    });
    expect(admin.body).toEqual({
      data: { adminReport: { articleCount: 2, customerCount: 2 }, auditLog: [] },
    });
  });

  it('applies type- and interface-level requirements in the example schema', async () => {
    const keys = server.devKeys;
    if (keys === undefined) throw new Error('dev keys expected in development mode');
    const anonymous = await postGraphQL(server.url, {
      query: '{ search(term: "a") { __typename ... on Customer { name } } }',
    });
    expect(anonymous.status).toBe(200);
    expect(errorCodes(anonymous).every((c) => c === 'UNAUTHENTICATED')).toBe(true);
    const user = await postGraphQL(server.url, {
      query: '{ customers { name balance } }',
      token: keys.userToken,
    });
    expect(user.body.data).toEqual({
      customers: [
        { name: 'Ada Industries', balance: null },
        { name: 'Babbage & Co', balance: null },
      ],
    });
    expect(errorCodes(user)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });

  it('runs a mutation only with the permission', async () => {
    const keys = server.devKeys;
    if (keys === undefined) throw new Error('dev keys expected in development mode');
    const query = 'mutation { publishArticle(title: "t", body: "b") { id title } }';
    const denied = await postGraphQL(server.url, { query, token: keys.userToken });
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    const allowed = await postGraphQL(server.url, { query, token: keys.adminToken });
    expect(allowed.body).toEqual({ data: { publishArticle: { id: 'a3', title: 't' } } });
  });
});

describe('startExampleServer with an HMAC secret', () => {
  let server: ExampleServer;
  const secret = generateTestSecret();
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: secret,
        JWT_ISSUER: 'https://id.test/',
        JWT_AUDIENCE: 'example',
        AUTH_REJECT_INVALID_TOKENS: 'true',
      }),
    );
  });
  afterAll(() => server.close());

  it('has no dev keys and verifies tokens signed with the secret', async () => {
    expect(server.devKeys).toBeUndefined();
    const token = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: { sub: 'u', iss: 'https://id.test/', aud: 'example' },
    });
    const response = await postGraphQL(server.url, { query: '{ me { sub } }', token });
    expect(response.body).toEqual({ data: { me: { sub: 'u' } } });
  });

  it('rejects a bad token as a whole with 401 and exposes WWW-Authenticate to browsers', async () => {
    const response = await postGraphQL(server.url, {
      query: '{ health }',
      token: 'a.b.c',
      headers: { origin: 'http://app.test' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token is invalid"',
    );
    expect(response.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');
    expect(errorCodes(response)).toEqual(['TOKEN_INVALID']);
  });

  it('answers a non-JSON body with 400, not 500', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
  });
});

describe('npm start (src/server/main.ts)', () => {
  it('refuses to start in production without a key, saying what to set', async () => {
    expect.assertions(3);
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          JWT_SECRET: '',
          JWT_PUBLIC_KEY: '',
          PORT: '0',
        },
        timeout: 15_000,
      });
    } catch (error) {
      const failure = error as { code: number; stderr: string };
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(
        /NODE_ENV=production needs a verification key: set JWT_SECRET/,
      );
      expect(failure.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('refuses a short HMAC secret at start-up', async () => {
    expect.assertions(2);
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
        env: { ...process.env, JWT_SECRET: 'too-short', PORT: '0', HOST: '127.0.0.1' },
        timeout: 15_000,
      });
    } catch (error) {
      const failure = error as { code: number; stderr: string };
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(/HS256 needs at least 32 bytes/);
    }
  });
});
