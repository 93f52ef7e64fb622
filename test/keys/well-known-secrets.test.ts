import { describe, expect, it } from 'vitest';
import { createTokenVerifier, isWellKnownSecret, WELL_KNOWN_SECRETS } from '../../src/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('well-known HMAC secrets', () => {
  it('recognises the jwt.io defaults in any casing and with surrounding spaces', () => {
    for (const secret of [
      'your-256-bit-secret',
      'a-string-secret-at-least-256-bits-long',
      ' Your-512-Bit-Secret ',
      'secret',
    ]) {
      expect(isWellKnownSecret(utf8(secret)), secret).toBe(true);
    }
    expect(isWellKnownSecret(utf8('k9dH2lq0PqZcV6x1R3s8Tn4m'))).toBe(false);
    expect(isWellKnownSecret(Uint8Array.of(0xff, 0xfe, 0xfd))).toBe(false);
    expect(WELL_KNOWN_SECRETS.size).toBeGreaterThan(10);
  });

  it('makes createTokenVerifier refuse them, even when long enough, saying what to do', async () => {
    for (const secret of [
      'a-string-secret-at-least-256-bits-long',
      'super-secret-jwt-token-with-at-least-32-characters-long',
      'your-256-bit-secret',
    ]) {
      await expect(
        createTokenVerifier({ algorithms: ['HS256'], key: { secret } }),
        secret,
      ).rejects.toThrow(/^claimgate: the HMAC secret is a well-known example value.*openssl rand/);
    }
  });

  it('refuses one byte repeated, after the length check', async () => {
    await expect(
      createTokenVerifier({ algorithms: ['HS256'], key: { secret: new Uint8Array(32) } }),
    ).rejects.toThrow(/one byte repeated/);
    await expect(
      createTokenVerifier({ algorithms: ['HS256'], key: { secret: 'a'.repeat(64) } }),
    ).rejects.toThrow(/one byte repeated/);
    await expect(
      createTokenVerifier({ algorithms: ['HS256'], key: { secret: 'a'.repeat(16) } }),
    ).rejects.toThrow(/HS256 needs at least 32 bytes/);
  });
});
