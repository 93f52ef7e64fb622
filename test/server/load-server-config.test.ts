import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../../src/server/load-server-config.js';
import { generateTestKeyPair, type TestKeyPair } from '../helpers/keys.js';

describe('loadServerConfig', () => {
  let rsa: TestKeyPair;
  let ed: TestKeyPair;
  beforeAll(async () => {
    rsa = await generateTestKeyPair('RS256');
    ed = await generateTestKeyPair('EdDSA');
  });

  it('runs in development mode with no key', () => {
    expect(loadServerConfig({})).toMatchObject({
      port: 4000,
      host: 'localhost',
      production: false,
      verification: undefined,
      rejectInvalidTokens: false,
      devKeyDirectory: resolve('.claimgate'),
    });
    expect(loadServerConfig({ CLAIMGATE_DEV_DIR: '/tmp/keys' }).devKeyDirectory).toBe('/tmp/keys');
  });

  it('treats empty variables as unset', () => {
    expect(loadServerConfig({ JWT_SECRET: '', PORT: '', JWT_ISSUER: ' ' })).toMatchObject({
      port: 4000,
      verification: undefined,
      issuer: undefined,
    });
  });

  it('reads JWT_PERMISSION_CLAIMS as a list of claim paths, and refuses what it cannot use', () => {
    expect(
      loadServerConfig({
        JWT_SECRET: 's'.repeat(32),
        JWT_PERMISSION_CLAIMS: 'realm_access.roles, scope',
      }).verification,
    ).toMatchObject({ permissionClaims: ['realm_access.roles', 'scope'] });
    expect(() =>
      loadServerConfig({ JWT_SECRET: 's'.repeat(32), JWT_PERMISSION_CLAIMS: 'roles,,scope' }),
    ).toThrow(/^JWT_PERMISSION_CLAIMS must be a comma list/);
    expect(() => loadServerConfig({ JWT_PERMISSION_CLAIMS: 'roles' })).toThrow(
      /^JWT_PERMISSION_CLAIMS is set but no key is/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-config-'));
    const file = join(dir, 'issuers.json');
    writeFileSync(file, '{"issuers":[]}');
    expect(() =>
      loadServerConfig({ CLAIMGATE_CONFIG: file, JWT_PERMISSION_CLAIMS: 'roles' }),
    ).toThrow(/unset JWT_PERMISSION_CLAIMS/);
  });

  it('reads an HMAC secret with HS256 by default', () => {
    const config = loadServerConfig({
      JWT_SECRET: 's'.repeat(32),
      JWT_ISSUER: 'i',
      JWT_AUDIENCE: 'a',
    });
    expect(config.verification).toEqual({ algorithms: ['HS256'], key: { secret: 's'.repeat(32) } });
    expect(config).toMatchObject({ issuer: 'i', audience: 'a' });
  });

  it('reads a public key from PEM text or a file and infers its algorithm', () => {
    expect(loadServerConfig({ JWT_PUBLIC_KEY: rsa.publicKeyPem }).verification?.algorithms).toEqual(
      ['RS256'],
    );
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-'));
    const file = join(dir, 'key.pem');
    writeFileSync(file, ed.publicKeyPem);
    expect(loadServerConfig({ JWT_PUBLIC_KEY: file }).verification).toEqual({
      algorithms: ['EdDSA'],
      key: { publicKey: ed.publicKeyPem },
    });
    expect(
      loadServerConfig({ JWT_PUBLIC_KEY: rsa.publicKeyPem, JWT_ALGORITHMS: 'PS256, RS256' })
        .verification?.algorithms,
    ).toEqual(['PS256', 'RS256']);
  });

  it('reads the security settings: memory store and 5/300 by default', () => {
    expect(loadServerConfig({}).security).toEqual({
      redisUrl: undefined,
      redisKeyPrefix: 'claimgate:',
      rateLimit: { failures: 5, windowSeconds: 300 },
      trustProxy: undefined,
    });
    expect(
      loadServerConfig({
        REDIS_URL: 'redis://cache:6379/2',
        REDIS_KEY_PREFIX: 'api:',
        AUTH_RATE_LIMIT: '10/60',
        AUTH_TRUST_PROXY: '2',
      }).security,
    ).toEqual({
      redisUrl: 'redis://cache:6379/2',
      redisKeyPrefix: 'api:',
      rateLimit: { failures: 10, windowSeconds: 60 },
      trustProxy: { hops: 2 },
    });
    expect(loadServerConfig({ AUTH_RATE_LIMIT: 'off' }).security.rateLimit).toBe(false);
    expect(
      loadServerConfig({ AUTH_TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' }).security.trustProxy,
    ).toEqual({
      proxies: ['10.0.0.0/8', '192.0.2.1'],
    });
  });

  it('refuses misconfiguration with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ NODE_ENV: 'production' }, /NODE_ENV=production needs a verification key/],
      [
        { NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(16) + 'q'.repeat(16), JWT_ISSUER: 'i' },
        /NODE_ENV=production needs JWT_ISSUER and JWT_AUDIENCE/,
      ],
      [{ JWT_SECRET: 'x'.repeat(32), JWT_PUBLIC_KEY: 'y' }, /not both/],
      [{ JWT_PUBLIC_KEY: '/no/such/file.pem' }, /JWT_PUBLIC_KEY is neither PEM text/],
      [{ JWT_ALGORITHMS: 'RS256' }, /JWT_ALGORITHMS is set but no key/],
      [{ PORT: 'eighty' }, /PORT must be an integer/],
      [{ AUTH_REJECT_INVALID_TOKENS: 'yes' }, /AUTH_REJECT_INVALID_TOKENS/],
      [
        { JWT_JWKS_URL: 'https://id.test/jwks', JWT_OIDC_ISSUER: 'https://id.test/' },
        /Set only one of .* \(got JWT_JWKS_URL and JWT_OIDC_ISSUER\)/,
      ],
      [
        { CLAIMGATE_CONFIG: '/no/such/config.json' },
        /CLAIMGATE_CONFIG: the file .* cannot be read/,
      ],
      [{ AUTH_RATE_LIMIT: '5 per minute' }, /AUTH_RATE_LIMIT must be "<failures>\/<seconds>"/],
      [{ AUTH_RATE_LIMIT: '0/300' }, /AUTH_RATE_LIMIT/],
      [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must start with redis:\/\//],
      [{ REDIS_KEY_PREFIX: 'app{1}' }, /REDIS_KEY_PREFIX/],
      [{ AUTH_TRUST_PROXY: '64' }, /AUTH_TRUST_PROXY hop count/],
      [{ AUTH_TRUST_PROXY: 'proxy.internal' }, /AUTH_TRUST_PROXY/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadServerConfig(env), JSON.stringify(env)).toThrow(message);
      expect(() => loadServerConfig(env)).toThrow(ConfigError);
    }
  });

  it('reads a remote JWKS URL or an OIDC issuer, with RS256 by default', () => {
    expect(loadServerConfig({ JWT_JWKS_URL: 'https://id.test/jwks' }).verification).toEqual({
      algorithms: ['RS256'],
      key: { jwksUrl: 'https://id.test/jwks' },
    });
    expect(
      loadServerConfig({ JWT_OIDC_ISSUER: 'https://id.test/', JWT_ALGORITHMS: 'ES256' })
        .verification,
    ).toEqual({ algorithms: ['ES256'], key: { oidcIssuer: 'https://id.test/' } });
    expect(
      loadServerConfig({
        NODE_ENV: 'production',
        JWT_OIDC_ISSUER: 'https://id.test/',
        JWT_AUDIENCE: 'api',
      }).production,
    ).toBe(true);
    expect(() =>
      loadServerConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.test/jwks' }),
    ).toThrow(/needs JWT_ISSUER and JWT_AUDIENCE/);
  });

  it('reads several issuers from CLAIMGATE_CONFIG and refuses single-issuer variables beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-'));
    const file = join(dir, 'claimgate.json');
    writeFileSync(
      file,
      JSON.stringify({
        issuers: [{ issuer: 'https://id.test/', key: { jwksUrl: 'https://id.test/jwks' } }],
      }),
    );
    expect(loadServerConfig({ CLAIMGATE_CONFIG: file })).toMatchObject({
      verification: undefined,
      issuers: [{ issuer: 'https://id.test/', algorithms: ['RS256'] }],
    });
    expect(() => loadServerConfig({ CLAIMGATE_CONFIG: file, JWT_AUDIENCE: 'api' })).toThrow(
      /unset JWT_ALGORITHMS, JWT_ISSUER and JWT_AUDIENCE/,
    );
  });
});
