import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_HTTP_STATUS,
  createTokenVerifier,
  type ClaimValidator,
  isStringListOf,
  type TokenVerifierOptions,
} from '../../src/index.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

// A frozen clock: every boundary is checked at exactly `NOW` (seconds since the epoch).
const NOW = 1_800_000_000;
const secret = generateTestSecret(48);
const verifier = (options: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({
    algorithms: ['HS256'],
    key: { secret },
    currentDate: () => new Date(NOW * 1000),
    ...options,
  });
const token = (claims: Record<string, unknown>, exp: number | null = NOW + 600) =>
  mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { iat: NOW, ...claims }, exp });

/** Verifies and returns the verdict: 'ok', or the code and HTTP status of the refusal. */
async function verdict(
  options: Partial<TokenVerifierOptions>,
  claims: Record<string, unknown>,
  exp?: number | null,
): Promise<string> {
  try {
    await (await verifier(options)).verify(await token(claims, exp));
    return 'ok';
  } catch (error) {
    const code = (error as { code?: keyof typeof AUTH_ERROR_HTTP_STATUS }).code;
    return code === undefined ? 'untyped' : `${code} ${AUTH_ERROR_HTTP_STATUS[code]}`;
  }
}

describe('the claims policy at its boundaries', () => {
  it('expires at exp = now without tolerance, and at exp = now - tolerance with it', async () => {
    expect(await verdict({ clockTolerance: 0 }, {}, NOW)).toBe('TOKEN_EXPIRED 401');
    expect(await verdict({ clockTolerance: 0 }, {}, NOW + 1)).toBe('ok');
    expect(await verdict({ clockTolerance: 10 }, {}, NOW - 10)).toBe('TOKEN_EXPIRED 401');
    expect(await verdict({ clockTolerance: 10 }, {}, NOW - 9)).toBe('ok');
  });

  it('accepts nbf = now + tolerance and refuses one second later', async () => {
    expect(await verdict({ clockTolerance: 10 }, { nbf: NOW + 10 })).toBe('ok');
    expect(await verdict({ clockTolerance: 10 }, { nbf: NOW + 11 })).toBe('TOKEN_INVALID 401');
    expect(await verdict({ clockTolerance: 0 }, { nbf: NOW })).toBe('ok');
  });

  it('accepts iat = now + tolerance and refuses a later (future) iat', async () => {
    expect(await verdict({ clockTolerance: 10 }, { iat: NOW + 10 })).toBe('ok');
    expect(await verdict({ clockTolerance: 10 }, { iat: NOW + 11 })).toBe('TOKEN_INVALID 401');
  });

  it('accepts exp - iat = maxTokenLifetime and refuses one second more', async () => {
    const options = { maxTokenLifetime: 3600 };
    expect(await verdict(options, { iat: NOW - 100 }, NOW - 100 + 3600)).toBe('ok');
    expect(await verdict(options, { iat: NOW - 100 }, NOW - 100 + 3601)).toBe('TOKEN_INVALID 401');
  });

  it('bounds a token without iat by exp - now <= maxTokenLifetime + tolerance', async () => {
    const options = { maxTokenLifetime: 3600, clockTolerance: 10 };
    expect(await verdict(options, { iat: undefined }, NOW + 3610)).toBe('ok');
    expect(await verdict(options, { iat: undefined }, NOW + 3611)).toBe('TOKEN_INVALID 401');
  });

  it('defaults the maximum lifetime to 24 hours', async () => {
    expect(await verdict({}, {}, NOW + 86_400)).toBe('ok');
    expect(await verdict({}, {}, NOW + 86_401)).toBe('TOKEN_INVALID 401');
  });

  it('expires at maxTokenAge + tolerance since iat', async () => {
    const options = { maxTokenAge: 300, clockTolerance: 10 };
    expect(await verdict(options, { iat: NOW - 310 })).toBe('ok');
    expect(await verdict(options, { iat: NOW - 311 })).toBe('TOKEN_EXPIRED 401');
  });

  it('checks typ when configured (RFC 9068 at+jwt), with or without application/', async () => {
    const typed = (typ: string) =>
      mintToken({
        alg: 'HS256',
        key: secretBytes(secret),
        claims: { iat: NOW },
        exp: NOW + 60,
        header: { typ },
      });
    const v = await verifier({ typ: 'at+jwt' });
    await expect(v.verify(await typed('at+jwt'))).resolves.toBeDefined();
    await expect(v.verify(await typed('application/AT+JWT'))).resolves.toBeDefined();
    await expect(v.verify(await typed('JWT'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      claim: 'typ',
    });
  });

  it('refuses a token lacking a required claim', async () => {
    const options = { requiredClaims: ['sub', 'jti'] };
    expect(await verdict(options, { sub: 'u', jti: 'j' })).toBe('ok');
    await expect((await verifier(options)).verify(await token({ sub: 'u' }))).rejects.toMatchObject(
      { code: 'TOKEN_INVALID', claim: 'jti' },
    );
  });

  it('runs custom claim validators; false or a throw is TOKEN_INVALID naming the claim', async () => {
    const options = {
      claimValidators: {
        permissions: isStringListOf(['articles:read', 'admin']),
        tenant: (value: unknown) => {
          if (typeof value !== 'string') throw new Error('tenant must be a string');
          return value.startsWith('t-');
        },
      },
    };
    expect(await verdict(options, { permissions: ['admin'], tenant: 't-1' })).toBe('ok');
    expect(await verdict(options, { tenant: 't-1' })).toBe('ok'); // absent permissions pass
    for (const claims of [
      { permissions: ['root'], tenant: 't-1' },
      { permissions: 'admin', tenant: 't-1' },
      { permissions: ['admin', 7], tenant: 't-1' },
      { permissions: ['admin'], tenant: 'x-1' },
      { permissions: ['admin'] },
    ]) {
      expect(await verdict(options, claims), JSON.stringify(claims)).toBe('TOKEN_INVALID 401');
    }
    const required = {
      claimValidators: { permissions: isStringListOf(['a'], { required: true }) },
    };
    expect(await verdict(required, {})).toBe('TOKEN_INVALID 401');
  });
});

describe('createTokenVerifier start-up refusals', () => {
  it('refuses a clock tolerance over 5 minutes', async () => {
    await expect(verifier({ clockTolerance: 301 })).rejects.toThrow(/at most 300/);
    await expect(verifier({ clockTolerance: 300 })).resolves.toBeDefined();
  });

  it('refuses a non-positive or infinite maxTokenLifetime', async () => {
    for (const maxTokenLifetime of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
      await expect(verifier({ maxTokenLifetime })).rejects.toThrow(/maxTokenLifetime/);
    }
  });

  it('needs issuer and audience in production mode', async () => {
    await expect(verifier({ production: true })).rejects.toThrow(
      /production mode needs `issuer` and `audience`/,
    );
    await expect(verifier({ production: true, issuer: 'https://i/' })).rejects.toThrow(
      /production mode needs `audience`/,
    );
    await expect(
      verifier({ production: true, issuer: 'https://i/', audience: 'api' }),
    ).resolves.toBeDefined();
  });

  it('refuses an empty typ, bad requiredClaims and a validator that is not a function', async () => {
    await expect(verifier({ typ: ' ' })).rejects.toThrow(/`typ`/);
    await expect(verifier({ requiredClaims: [''] })).rejects.toThrow(/requiredClaims/);
    const notAFunction: Record<string, unknown> = { sub: 'yes' }; // what untyped JS could pass
    await expect(
      verifier({ claimValidators: notAFunction as Record<string, ClaimValidator> }),
    ).rejects.toThrow(/claimValidators.sub/);
    expect(() => isStringListOf([])).toThrow(TypeError);
  });
});
