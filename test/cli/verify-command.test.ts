import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer, type TestJwksServer } from '../../src/testing/index.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const secret = generateTestSecret();
const env = { JWT_SECRET: secret, JWT_ISSUER: 'https://id.test/', JWT_AUDIENCE: 'api' };
const claims = { sub: 'ada', iss: 'https://id.test/', aud: 'api', permissions: ['b', 'a'] };
const temp = makeTempDir();
afterAll(() => temp.remove());

describe('claimgate verify', () => {
  it('prints the caller and exits 0 for a token the server would accept', async () => {
    const token = await mintToken({ alg: 'HS256', key: secretBytes(secret), claims });
    const result = await runCli(['verify', '--json', token], { env });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: true,
      subject: 'ada',
      issuer: 'https://id.test/',
      permissions: ['a', 'b'],
    });
  });

  it('prints TOKEN_EXPIRED and exits 1 for an expired token', async () => {
    const token = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims,
      exp: nowSeconds() - 3600,
    });
    const result = await runCli(['verify', token], { env });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('INVALID TOKEN_EXPIRED\n');
  });

  it('prints TOKEN_INVALID with its reason for a wrong audience or signature', async () => {
    const audience = await mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: { ...claims, aud: 'other' },
    });
    const wrongAudience = await runCli(['verify', '--json', audience], { env });
    expect(wrongAudience.status).toBe(1);
    expect(JSON.parse(wrongAudience.stdout)).toEqual({
      valid: false,
      code: 'TOKEN_INVALID',
      reason: 'claim',
      claim: 'aud',
    });
    const forged = await mintToken({
      alg: 'HS256',
      key: secretBytes(generateTestSecret()),
      claims,
    });
    const badSignature = await runCli(['verify', '-'], { env, stdin: forged });
    expect(badSignature.stdout).toBe('INVALID TOKEN_INVALID (reason: signature)\n');
  });

  it('exits 2 on a configuration error, naming the variable', async () => {
    const result = await runCli(['verify', 'x.y.z'], {
      env: { JWT_SECRET: secret, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Set JWT_SECRET (HMAC) or JWT_PUBLIC_KEY (PEM), not both.');
  });

  it('exits 2 in development mode before a dev key exists', async () => {
    const result = await runCli(['verify', 'x.y.z'], { env: { CLAIMGATE_DEV_DIR: temp.dir } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('there is no dev key');
  });
});

describe('claimgate verify with CLAIMGATE_CONFIG (several issuers)', () => {
  let users: TestIssuer;
  let machines: TestIssuer;
  let machineIdp: TestJwksServer;
  let configEnv: Record<string, string>;

  beforeAll(async () => {
    [users, machines] = await Promise.all([
      createTestIssuer({ alg: 'RS256', issuer: 'https://users.test/', audience: 'api' }),
      createTestIssuer({ alg: 'ES256', issuer: 'https://m2m.test/', audience: 'api-m2m' }),
    ]);
    machineIdp = await machines.serveJwks();
    // One issuer's keys from a file next to the config (relative path), the other's over HTTP.
    writeFileSync(join(temp.dir, 'users-jwks.json'), JSON.stringify(users.jwks));
    const file = join(temp.dir, 'claimgate.json');
    writeFileSync(
      file,
      JSON.stringify({
        issuers: [
          {
            issuer: users.issuer,
            audience: users.audience,
            algorithms: ['RS256'],
            key: { jwksFile: './users-jwks.json' },
            permissionClaims: ['realm_access.roles'],
          },
          {
            issuer: machines.issuer,
            audience: machines.audience,
            algorithms: ['ES256'],
            key: { jwksUrl: machineIdp.jwksUrl },
            permissionClaims: ['scope'],
          },
        ],
      }),
    );
    configEnv = { CLAIMGATE_CONFIG: file };
  });
  afterAll(() => machineIdp.close());

  it("verifies each issuer's token with that issuer's keys and permission claims", async () => {
    const user = await users.mint({
      subject: 'ada',
      claims: { realm_access: { roles: ['reader'] } },
    });
    const machine = await machines.mint({
      subject: 'svc',
      claims: { scope: 'jobs:run jobs:read' },
    });
    const [userResult, machineResult] = await Promise.all([
      runCli(['verify', '--json', user], { env: configEnv }),
      runCli(['verify', '--json', machine], { env: configEnv }),
    ]);
    expect(userResult.status).toBe(0);
    expect(JSON.parse(userResult.stdout)).toMatchObject({
      valid: true,
      subject: 'ada',
      issuer: 'https://users.test/',
      permissions: ['reader'],
    });
    expect(machineResult.status).toBe(0);
    expect(JSON.parse(machineResult.stdout)).toMatchObject({
      valid: true,
      subject: 'svc',
      issuer: 'https://m2m.test/',
      permissions: ['jobs:read', 'jobs:run'],
    });
    expect(machineIdp.fetchCount).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [
      'an issuer not in the file',
      () => users.mintWrongIssuer(),
      'INVALID TOKEN_INVALID (reason: claim, claim: iss)',
    ],
    [
      "another issuer's audience",
      () => machines.mint({ claims: { aud: 'api' } }),
      'INVALID TOKEN_INVALID (reason: claim, claim: aud)',
    ],
    [
      'a bad signature',
      () => machines.mintBadSignature(),
      'INVALID TOKEN_INVALID (reason: signature)',
    ],
    ['an expired token', () => users.mintExpired(), 'INVALID TOKEN_EXPIRED'],
  ])('exits 1 for %s, printing the typed code', async (_name, mint, line) => {
    const result = await runCli(['verify', await mint()], { env: configEnv });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`${line}\n`);
  });

  it('exits 2 when the file cannot be read, naming it', async () => {
    const missing = join(temp.dir, 'missing.json');
    const result = await runCli(['verify', await users.mint()], {
      env: { CLAIMGATE_CONFIG: missing },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing.json');
  });
});

describe('claimgate verify when the keys cannot be loaded', () => {
  it('exits 2 with AUTH_UNAVAILABLE, not a verdict, when the JWKS URL refuses connections', async () => {
    const issuer = await createTestIssuer();
    const idp = await issuer.serveJwks();
    // A loopback port that was just listening and is now closed: connections are refused.
    await idp.close();
    const result = await runCli(['verify', '--json', await issuer.mint()], {
      env: { JWT_JWKS_URL: idp.jwksUrl, JWT_ALGORITHMS: issuer.alg },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'AUTH_UNAVAILABLE: the verification keys could not be loaded; retry.',
    );
    expect(result.stderr).not.toContain('INVALID');
  });
});
