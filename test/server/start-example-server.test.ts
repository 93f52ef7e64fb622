import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthUnavailableError } from '../../src/index.js';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';
import {
  generateTestKeyPair,
  generateTestSecret,
  mintToken,
  secretBytes,
  type TestKeyPair,
} from '../helpers/keys.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

describe('startExampleServer in development mode', () => {
  let server: ExampleServer;
  // The dev key is persisted (claimgate mint shares it): keep it out of the checkout's .claimgate/.
  const devDir = makeTempDir('claimgate-dev-');
  const devConfig = () =>
    loadServerConfig({ PORT: '0', HOST: '127.0.0.1', CLAIMGATE_DEV_DIR: devDir.dir });
  beforeAll(async () => {
    server = await startExampleServer(devConfig());
  });
  afterAll(async () => {
    await server.close();
    devDir.remove();
  });

  it('keeps its dev key across restarts, so earlier dev tokens stay valid', async () => {
    const token = server.devKeys?.adminToken ?? '';
    const restarted = await startExampleServer(devConfig());
    try {
      expect(restarted.devKeys?.publicKeyPem).toBe(server.devKeys?.publicKeyPem);
      const response = await postGraphQL(restarted.url, { query: '{ me { sub } }', token });
      expect(response.body).toEqual({ data: { me: { sub: 'dev-admin' } } });
    } finally {
      await restarted.close();
    }
  });

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
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'WWW-Authenticate,Retry-After',
    );
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

describe('startExampleServer with JWT_PERMISSION_CLAIMS', () => {
  let server: ExampleServer;
  const secret = generateTestSecret();
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: secret,
        JWT_PERMISSION_CLAIMS: 'realm_access.roles, scope',
      }),
    );
  });
  afterAll(() => server.close());

  it('reads permissions from the configured claims only', async () => {
    const token = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: {
        sub: 'kc-user',
        realm_access: { roles: ['admin'] },
        scope: 'articles:read',
        permissions: ['billing:read'],
      },
    });
    const response = await postGraphQL(server.url, { query: '{ me { permissions } }', token });
    expect(response.body).toEqual({ data: { me: { permissions: ['admin', 'articles:read'] } } });
  });
});

describe('startExampleServer in production', () => {
  let server: ExampleServer;
  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        JWT_SECRET: generateTestSecret(),
        JWT_ISSUER: 'https://id.test/',
        JWT_AUDIENCE: 'example',
      }),
    );
  });
  afterAll(() => server.close());

  it('still serves Apollo Sandbox, with no token pre-filled, and introspection', async () => {
    expect(server.devKeys).toBeUndefined();
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('embeddable-sandbox');
    expect(html).not.toContain('Bearer ');
    const response = await postGraphQL(server.url, {
      query: '{ __schema { queryType { name } } }',
    });
    expect(response.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
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

describe('startExampleServer with a remote JWKS (JWT_JWKS_URL)', () => {
  let server: ExampleServer;
  let jwks: JwksServer;
  let pair: TestKeyPair;
  const failures: unknown[] = [];
  const ISSUER = 'https://id.test/';

  beforeAll(async () => {
    pair = await generateTestKeyPair('ES256');
    jwks = await startJwksServer({ keys: [{ ...pair.publicJwk, kid: 'k1' }] });
    jwks.setMode('status-500');
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_JWKS_URL: jwks.jwksUrl,
        JWT_ALGORITHMS: 'ES256',
        JWT_ISSUER: ISSUER,
      }),
      { onKeyLoadFailure: (error) => failures.push(error) },
    );
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  it('serves /health at once, answers /ready 503 and AUTH_UNAVAILABLE until the keys load', async () => {
    expect((await fetch(new URL('/health', server.url))).status).toBe(200);
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toBeInstanceOf(AuthUnavailableError);
    expect(failures[0]).toMatchObject({ reason: 'http-status' });
    const ready = await fetch(new URL('/ready', server.url));
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');

    const token = await mintToken({
      alg: 'ES256',
      key: pair.privateKey,
      header: { kid: 'k1' },
      claims: { iss: ISSUER, sub: 'u1' },
    });
    const unavailable = await postGraphQL(server.url, { query: '{ health me { sub } }', token });
    expect(unavailable.status).toBe(200);
    expect(unavailable.body.data).toEqual({ health: 'ok', me: null });
    expect(errorCodes(unavailable)).toEqual(['AUTH_UNAVAILABLE']);

    // The endpoint recovers: the background warm-up retries after the backoff (1 s by default).
    jwks.setMode('ok');
    await vi.waitFor(
      async () => expect((await fetch(new URL('/ready', server.url))).status).toBe(200),
      { timeout: 5_000, interval: 100 },
    );
    expect(server.isReady()).toBe(true);
    const served = await postGraphQL(server.url, { query: '{ me { sub } }', token });
    expect(served.body).toEqual({ data: { me: { sub: 'u1' } } });
    expect(jwks.fetchCount).toBe(2);
  });
});

describe('startExampleServer with several issuers (CLAIMGATE_CONFIG)', () => {
  let server: ExampleServer;
  let keycloak: JwksServer;
  let machines: JwksServer;
  let realmKey: TestKeyPair;
  let machineKey: TestKeyPair;
  const AUDIENCE = 'claimgate-example';

  beforeAll(async () => {
    [realmKey, machineKey] = await Promise.all([
      generateTestKeyPair('RS256'),
      generateTestKeyPair('ES256'),
    ]);
    keycloak = await startJwksServer({
      keys: [{ ...realmKey.publicJwk, kid: 'realm-1' }],
      issuerPath: '/realms/acme',
    });
    machines = await startJwksServer({ keys: [{ ...machineKey.publicJwk, kid: 'm2m-1' }] });
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-'));
    const file = join(dir, 'claimgate.json');
    writeFileSync(
      file,
      JSON.stringify({
        issuers: [
          {
            issuer: keycloak.issuer,
            audience: AUDIENCE,
            key: { oidcIssuer: keycloak.issuer, timeoutDuration: 1000 },
            permissionClaims: ['realm_access.roles'],
          },
          {
            issuer: machines.issuer,
            audience: AUDIENCE,
            algorithms: ['ES256'],
            key: { jwksUrl: machines.jwksUrl, timeoutDuration: 1000, cooldownDuration: 0 },
            permissionClaims: ['scope'],
          },
        ],
      }),
    );
    server = await startExampleServer(
      loadServerConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        CLAIMGATE_CONFIG: file,
        AUTH_REJECT_INVALID_TOKENS: 'true',
      }),
    );
    await vi.waitFor(() => expect(server.isReady()).toBe(true));
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([keycloak.close(), machines.close()]);
  });

  it('maps a Keycloak access token: realm roles become permissions', async () => {
    expect(server.devKeys).toBeUndefined();
    // The shape Keycloak issues (trimmed): realm roles under realm_access.roles, client roles under
    // resource_access, OIDC scopes in scope.
    const token = await mintToken({
      alg: 'RS256',
      key: realmKey.privateKey,
      header: { kid: 'realm-1' },
      claims: {
        iss: keycloak.issuer,
        aud: AUDIENCE,
        sub: 'f1c2a3b4-0000-4000-8000-000000000001',
        typ: 'Bearer',
        azp: 'example-frontend',
        preferred_username: 'ada',
        scope: 'openid profile email',
        realm_access: { roles: ['admin', 'articles:read', 'offline_access'] },
        resource_access: { account: { roles: ['view-profile'] } },
      },
    });
    const response = await postGraphQL(server.url, {
      query: '{ me { permissions } adminReport { articleCount } }',
      token,
    });
    expect(response.body).toEqual({
      data: {
        me: { permissions: ['admin', 'articles:read', 'offline_access'] },
        adminReport: { articleCount: 2 },
      },
    });
    expect(keycloak.discoveryCount).toBe(1);
  });

  it("verifies the machine issuer's tokens with its own keys and claims", async () => {
    const token = await mintToken({
      alg: 'ES256',
      key: machineKey.privateKey,
      header: { kid: 'm2m-1' },
      claims: { iss: machines.issuer, aud: AUDIENCE, sub: 'svc', scope: 'audit:read admin' },
    });
    const response = await postGraphQL(server.url, { query: '{ auditLog { action } }', token });
    expect(response.body).toEqual({ data: { auditLog: [] } });
  });

  it('rejects a token of an issuer not configured with 401 TOKEN_INVALID', async () => {
    const token = await mintToken({
      alg: 'ES256',
      key: machineKey.privateKey,
      header: { kid: 'm2m-1' },
      claims: { iss: 'https://elsewhere.test/', aud: AUDIENCE },
    });
    const response = await postGraphQL(server.url, { query: '{ health }', token });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['TOKEN_INVALID']);
  });

  it("answers 503 with Retry-After when an issuer's JWKS fails on an unknown kid", async () => {
    machines.setMode('status-500');
    const token = await mintToken({
      alg: 'ES256',
      key: machineKey.privateKey,
      header: { kid: 'm2m-2' },
      claims: { iss: machines.issuer, aud: AUDIENCE },
    });
    const response = await postGraphQL(server.url, { query: '{ health }', token });
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('www-authenticate')).toBeNull();
  });
});
