import { afterAll, describe, expect, it } from 'vitest';
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
