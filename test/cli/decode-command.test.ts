import { describe, expect, it } from 'vitest';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';
import { runCli } from '../helpers/run-cli.js';

const key = secretBytes(generateTestSecret());
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface DecodeJson {
  verified: boolean;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  times: { claim: string; iso: string; relative: string }[];
  warnings: { code: string }[];
}

describe('claimgate decode', () => {
  it('prints header, payload and times, marked as not verified', async () => {
    const token = await mintToken({ alg: 'HS256', key, claims: { sub: 'ada' } });
    const result = await runCli(['decode', token]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^NOT VERIFIED/);
    expect(result.stdout).toContain('"sub": "ada"');
    expect(result.stdout).toMatch(/exp {2}\d{4}-\d\d-\d\dT.*\(in (59m|1h)/);
    expect(result.stdout).toContain('Warnings: none');
  });

  it('warns about an expired token and a lifetime over a day, as JSON', async () => {
    const now = nowSeconds();
    const token = await mintToken({
      alg: 'HS256',
      key,
      claims: { iat: now - 3 * 86400 },
      exp: now - 60,
    });
    const result = await runCli(['decode', '--json', token]);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as DecodeJson;
    expect(json.verified).toBe(false);
    expect(json.warnings.map((w) => w.code)).toEqual(['expired', 'long-lifetime']);
    expect(json.times.map((t) => t.claim)).toEqual(['iat', 'exp']);
  });

  it('warns about alg none, no exp and a token not yet valid, reading standard input', async () => {
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'x', nbf: nowSeconds() + 3600 })}.`;
    const result = await runCli(['decode', '-', '--json'], { stdin: `Bearer ${token}\n` });
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as DecodeJson;
    expect(json.warnings.map((w) => w.code)).toEqual(['alg-none', 'no-exp', 'not-yet-valid']);
  });

  it('warns about an algorithm claimgate does not accept', async () => {
    const token = `${b64({ alg: 'HS1' })}.${b64({ exp: nowSeconds() + 60 })}.c2ln`;
    const result = await runCli(['decode', token]);
    expect(result.stdout).toContain('alg "HS1" is not one claimgate accepts');
  });

  it('exits 1 for something that is not a JWT, without echoing it', async () => {
    const result = await runCli(['decode', 'not-a-token']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('not a decodable JWT');
    expect(result.stderr).not.toContain('not-a-token');
  });

  it('exits 2 without a token', async () => {
    const result = await runCli(['decode']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('decode takes one token');
  });
});
