import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8 } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/index.js';
import { mintToken, secretBytes } from '../helpers/keys.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const temp = makeTempDir();
afterAll(() => temp.remove());

interface KeyPairJson {
  alg: string;
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  jwks: { keys: { kid: string; alg: string; use: string; kty: string; crv?: string }[] };
}

describe('claimgate keygen', () => {
  it('prints an HMAC secret long enough for the algorithm, which a verifier accepts', async () => {
    const result = await runCli(['keygen', '--alg', 'HS512']);
    expect(result.status).toBe(0);
    const secret = /^JWT_SECRET=(.+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(secretBytes(secret).byteLength).toBeGreaterThanOrEqual(64);
    expect(result.stdout).toContain('JWT_ALGORITHMS=HS512\n');
    const verifier = await createTokenVerifier({ algorithms: ['HS512'], key: { secret } });
    const token = await mintToken({ alg: 'HS512', key: secretBytes(secret), claims: { sub: 's' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 's' });
  });

  it('prints an EC key pair as PEM and JWKS whose keys sign and verify', async () => {
    const result = await runCli(['keygen', '--alg', 'ES384', '--kid', 'k1', '--json']);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as KeyPairJson;
    expect(json.jwks.keys).toEqual([
      expect.objectContaining({ kid: 'k1', alg: 'ES384', use: 'sig', kty: 'EC', crv: 'P-384' }),
    ]);
    expect(JSON.stringify(json.jwks)).not.toContain('"d"');
    const verifier = await createTokenVerifier({
      algorithms: ['ES384'],
      key: { publicKey: json.publicKeyPem },
    });
    const key = await importPKCS8(json.privateKeyPem, 'ES384');
    const token = await mintToken({ alg: 'ES384', key, claims: { sub: 'e' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'e' });
  });

  it('writes Ed25519 files with a private key readable only by the owner, never overwriting', async () => {
    const out = join(temp.dir, 'keys');
    const first = await runCli(['keygen', '--alg', 'EdDSA', '--out', out]);
    expect(first.status).toBe(0);
    expect(statSync(join(out, 'private.pem')).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(readFileSync(join(out, 'jwks.json'), 'utf8')) as KeyPairJson['jwks'];
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(first.stdout).toContain(`kid ${jwks.keys[0]?.kid}`);
    const second = await runCli(['keygen', '--alg', 'EdDSA', '--out', out]);
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('refusing to overwrite');
  });

  it('exits 2 for an unknown algorithm or an RSA size under 2048 bits', async () => {
    const none = await runCli(['keygen', '--alg', 'none']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('unsupported algorithm(s) "none"');
    const small = await runCli(['keygen', '--alg', 'RS256', '--bits', '1024']);
    expect(small.status).toBe(2);
    expect(small.stderr).toContain('--bits must be an integer from 2048');
  });
});
