import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadServerConfig({ JWT_SECRET: '', PORT: '', JWT_ISSUER: ' ' })).toMatchObject({
      port: 4000,
      verification: undefined,
      issuer: undefined,
    });
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
    ];
    for (const [env, message] of cases) {
      expect(() => loadServerConfig(env), JSON.stringify(env)).toThrow(message);
      expect(() => loadServerConfig(env)).toThrow(ConfigError);
    }
  });
});
