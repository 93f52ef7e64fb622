import { errors, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  AuthUnavailableError,
  TokenExpiredError,
  TokenInvalidError,
} from '../../src/index.js';
import { mapJoseError } from '../../src/token/map-jose-error.js';
import { generateTestSecret, secretBytes } from '../helpers/keys.js';

// A payload a jose claim error carries: none of it may reach the mapped error.
const PAYLOAD = { sub: 'alice@example.com', email: 'alice@example.com', ssn: '078-05-1120' };
const LEAKS = ['alice@example.com', '078-05-1120', 'jose-internal-detail'];

/** The jose errors that are verdicts on the token, and what each one becomes. */
const verdicts: [string, () => Error, Record<string, unknown>][] = [
  [
    'JWTExpired',
    () => new errors.JWTExpired('"exp" jose-internal-detail', PAYLOAD, 'exp', 'check_failed'),
    { code: 'TOKEN_EXPIRED', reason: 'expired' },
  ],
  [
    'JWTExpired from maxTokenAge (claim iat)',
    () => new errors.JWTExpired('"iat" jose-internal-detail', PAYLOAD, 'iat', 'check_failed'),
    { code: 'TOKEN_EXPIRED', reason: 'expired' },
  ],
  [
    'JWTClaimValidationFailed on nbf',
    () => new errors.JWTClaimValidationFailed('"nbf" jose-internal-detail', PAYLOAD, 'nbf', 'x'),
    { code: 'TOKEN_INVALID', reason: 'not-yet-valid', claim: 'nbf' },
  ],
  ...['iss', 'aud', 'iat', 'exp', 'typ', 'jti', 'sub'].map(
    (claim): [string, () => Error, Record<string, unknown>] => [
      `JWTClaimValidationFailed on ${claim}`,
      () => new errors.JWTClaimValidationFailed('jose-internal-detail', PAYLOAD, claim, 'x'),
      { code: 'TOKEN_INVALID', reason: 'claim', claim },
    ],
  ),
  [
    'JWSSignatureVerificationFailed',
    () => new errors.JWSSignatureVerificationFailed('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'signature', claim: undefined },
  ],
  [
    'JOSEAlgNotAllowed',
    () => new errors.JOSEAlgNotAllowed('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'algorithm', claim: undefined },
  ],
  [
    'JOSENotSupported',
    () => new errors.JOSENotSupported('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'algorithm', claim: undefined },
  ],
  [
    'JWKSNoMatchingKey',
    () => new errors.JWKSNoMatchingKey('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'key', claim: undefined },
  ],
  [
    'JWKSMultipleMatchingKeys',
    () => new errors.JWKSMultipleMatchingKeys('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'key', claim: undefined },
  ],
  [
    'JWSInvalid',
    () => new errors.JWSInvalid('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'malformed', claim: undefined },
  ],
  [
    'JWTInvalid',
    () => new errors.JWTInvalid('jose-internal-detail'),
    { code: 'TOKEN_INVALID', reason: 'malformed', claim: undefined },
  ],
];

describe('mapJoseError', () => {
  describe('maps every jose verdict on the token to a typed AuthError', () => {
    for (const [name, make, expected] of verdicts) {
      it(name, () => {
        const mapped = mapJoseError(make());
        expect(mapped).toBeInstanceOf(AuthError);
        expect(mapped).toMatchObject(expected);
        expect(mapped).toBeInstanceOf(
          expected['code'] === 'TOKEN_EXPIRED' ? TokenExpiredError : TokenInvalidError,
        );
      });
    }
  });

  it('never carries jose’s message, cause or claims payload', () => {
    for (const [name, make] of verdicts) {
      const original = make();
      const mapped = mapJoseError(original);
      expect(mapped, name).toBeDefined();
      expect(mapped?.cause, name).toBeUndefined();
      expect(mapped?.message, name).not.toBe(original.message);
      expect(Object.values(mapped ?? {}), name).not.toContain(original);
      const seen = JSON.stringify({ ...mapped, message: mapped?.message, stack: mapped?.stack });
      for (const leak of LEAKS) expect(seen, name).not.toContain(leak);
    }
  });

  it('uses the fixed client-facing message of the code', () => {
    expect(mapJoseError(new errors.JWTExpired('x', PAYLOAD))?.message).toBe(
      'The access token has expired.',
    );
    expect(mapJoseError(new errors.JWSInvalid('x'))?.message).toBe('The access token is invalid.');
  });

  it('hands an AuthError back as it is (the same object)', () => {
    const unavailable = new AuthUnavailableError('resolver', { retryAfter: 9 });
    expect(mapJoseError(unavailable)).toBe(unavailable);
    const invalid = new TokenInvalidError('key');
    expect(mapJoseError(invalid)).toBe(invalid);
  });

  describe('returns undefined for what is not a verdict on the token', () => {
    const notVerdicts: [string, unknown][] = [
      ['JOSEError (the base class)', new errors.JOSEError('generic')],
      ['JWKSTimeout (the key source, not the client)', new errors.JWKSTimeout()],
      ['JWKSInvalid (the key source)', new errors.JWKSInvalid('bad set')],
      ['JWKInvalid (the key source)', new errors.JWKInvalid('bad key')],
      ['JWEInvalid', new errors.JWEInvalid('jwe')],
      ['JWEDecryptionFailed', new errors.JWEDecryptionFailed()],
      ['a TypeError (a bug)', new TypeError('x is not a function')],
      ['a plain Error', new Error('ECONNREFUSED')],
      [
        'an Error that looks like jose’s',
        Object.assign(new Error('signature'), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }),
      ],
      ['a DOMException', new DOMException('aborted', 'AbortError')],
      ['a string', 'JWTExpired'],
      ['null', null],
      ['undefined', undefined],
    ];
    for (const [name, value] of notVerdicts) {
      it(name, () => {
        expect(mapJoseError(value)).toBeUndefined();
      });
    }
  });

  it('maps what jose itself throws during verification', async () => {
    const secret = secretBytes(generateTestSecret());
    const now = 1_800_000_000;
    const at = new Date(now * 1000);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ sub: 'alice@example.com', ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(secret);
    const refusal = async (token: string, options: Parameters<typeof jwtVerify>[2] = {}) => {
      const error = await jwtVerify(token, secret, { currentDate: at, ...options }).then(
        () => expect.fail('jose accepted the token'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(errors.JOSEError);
      return mapJoseError(error);
    };
    expect(await refusal(await sign({ exp: now }))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(await refusal(await sign({ nbf: now + 60 }))).toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'not-yet-valid',
      claim: 'nbf',
    });
    expect(await refusal(await sign({ iss: 'evil' }), { issuer: 'good' })).toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'claim',
      claim: 'iss',
    });
    expect(await refusal(await sign({}), { algorithms: ['HS512'] })).toMatchObject({
      reason: 'algorithm',
    });
    const token = await sign({});
    expect(await refusal(`${token.slice(0, -4)}AAAA`)).toMatchObject({ reason: 'signature' });
    expect(await refusal('a.b.c')).toMatchObject({ reason: 'malformed' });
  });
});
