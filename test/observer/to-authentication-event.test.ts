import { describe, expect, it } from 'vitest';
import {
  AuthUnavailableError,
  BadRequestError,
  ForbiddenError,
  RateLimitedError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  UnauthenticatedError,
  type AuthError,
  type AuthState,
  type Principal,
} from '../../src/index.js';
import {
  toAuthenticationEvent,
  unexpectedFailureEvent,
} from '../../src/observer/to-authentication-event.js';
import type { AuthenticationResult } from '../../src/token/authenticate.js';

const SUBJECT = 'subject-value-5d1e';
const CLAIM = 'claim-value-a93b';
const ISSUER = 'https://issuer.test/';
const FIELDS = ['algorithm', 'cacheHit', 'durationMs', 'issuer', 'kid', 'outcome', 'reason'];

const principal: Principal = {
  subject: SUBJECT,
  issuer: ISSUER,
  permissions: new Set(['articles:read']),
  claims: { sub: SUBJECT, iss: ISSUER, email: CLAIM, permissions: ['articles:read'] },
};
const authenticated: AuthState = { status: 'authenticated', principal };

function result(state: AuthState, details: Partial<AuthenticationResult> = {}) {
  return { state, algorithm: 'ES256', kid: 'kid-1', cacheHit: true, ...details };
}

const failed = (error: AuthError): AuthState => ({ status: 'failed', principal: null, error });

/** Asserts the event has exactly the observer's fields and nothing of the subject or claims. */
function expectSafe(event: object): void {
  expect(Object.keys(event).sort()).toEqual(FIELDS);
  const text = JSON.stringify(event);
  expect(text).not.toContain(SUBJECT);
  expect(text).not.toContain(CLAIM);
  expect(text).not.toContain('articles:read');
}

describe('toAuthenticationEvent', () => {
  it('reports a verified token with its algorithm, issuer, kid and cache hit, never the subject', () => {
    const event = toAuthenticationEvent(result(authenticated), 12.5);
    expect(event).toEqual({
      outcome: 'ok',
      reason: undefined,
      algorithm: 'ES256',
      issuer: ISSUER,
      kid: 'kid-1',
      durationMs: 12.5,
      cacheHit: true,
    });
    expectSafe(event);
    expect(toAuthenticationEvent(result(authenticated, { cacheHit: false }), 1).cacheHit).toBe(
      false,
    );
  });

  it('reports no issuer for a verified token without iss', () => {
    const state: AuthState = {
      status: 'authenticated',
      principal: { ...principal, issuer: undefined },
    };
    expect(toAuthenticationEvent(result(state), 1)).toMatchObject({
      outcome: 'ok',
      issuer: undefined,
    });
  });

  it('reports an anonymous request with nothing but its duration', () => {
    const anonymous: AuthState = { status: 'anonymous', principal: null };
    // Details a result should not have for an anonymous request are not passed on either.
    const event = toAuthenticationEvent(result(anonymous), 3);
    expect(event).toEqual({
      outcome: 'anonymous',
      reason: undefined,
      algorithm: undefined,
      issuer: undefined,
      kid: undefined,
      durationMs: 3,
      cacheHit: false,
    });
    expectSafe(event);
  });

  describe('reports a refusal by its code, with the reason where the code has one', () => {
    const cases: [string, AuthError, string, string | undefined][] = [
      ['TokenInvalidError', new TokenInvalidError('signature'), 'TOKEN_INVALID', 'signature'],
      [
        'TokenInvalidError naming a claim',
        new TokenInvalidError('claim', { claim: 'aud' }),
        'TOKEN_INVALID',
        'claim',
      ],
      ['TokenExpiredError', new TokenExpiredError(), 'TOKEN_EXPIRED', 'expired'],
      [
        'BadRequestError',
        new BadRequestError('duplicate-header'),
        'BAD_REQUEST',
        'duplicate-header',
      ],
      [
        'AuthUnavailableError',
        new AuthUnavailableError('timeout', { retryAfter: 30 }),
        'AUTH_UNAVAILABLE',
        'timeout',
      ],
      ['RateLimitedError', new RateLimitedError(60), 'RATE_LIMITED', undefined],
      ['TokenRevokedError', new TokenRevokedError('jti'), 'TOKEN_REVOKED', undefined],
      ['ForbiddenError', new ForbiddenError(['admin']), 'FORBIDDEN', undefined],
      ['UnauthenticatedError', new UnauthenticatedError(), 'UNAUTHENTICATED', undefined],
    ];
    for (const [name, error, outcome, reason] of cases) {
      it(name, () => {
        const event = toAuthenticationEvent(result(failed(error)), 4);
        expect(event).toEqual({
          outcome,
          reason,
          // The algorithm of a refused token passed the allow-list: safe and kept.
          algorithm: 'ES256',
          // A refused token's issuer and kid are the client's words: never reported.
          issuer: undefined,
          kid: undefined,
          durationMs: 4,
          cacheHit: false,
        });
        expectSafe(event);
      });
    }
  });

  it('reports no algorithm for a refusal before the allow-list', () => {
    const event = toAuthenticationEvent(
      result(failed(new TokenInvalidError('algorithm')), { algorithm: undefined }),
      1,
    );
    expect(event).toMatchObject({
      outcome: 'TOKEN_INVALID',
      reason: 'algorithm',
      algorithm: undefined,
    });
  });

  it('never reports a claim name or a cause of the error', () => {
    const event = toAuthenticationEvent(
      result(
        failed(
          new AuthUnavailableError('resolver', { cause: new Error(`resolver said ${CLAIM}`) }),
        ),
      ),
      1,
    );
    expectSafe(event);
    const invalid = toAuthenticationEvent(
      result(failed(new TokenInvalidError('claim', { claim: 'email' }))),
      1,
    );
    expect(JSON.stringify(invalid)).not.toContain('email');
  });
});

describe('unexpectedFailureEvent', () => {
  it('reports an error outcome with only its duration', () => {
    const event = unexpectedFailureEvent(7);
    expect(event).toEqual({
      outcome: 'error',
      reason: undefined,
      algorithm: undefined,
      issuer: undefined,
      kid: undefined,
      durationMs: 7,
      cacheHit: false,
    });
    expect(Object.keys(event).sort()).toEqual(FIELDS);
  });
});
