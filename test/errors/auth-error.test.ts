import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_CODES,
  AUTH_ERROR_HTTP_STATUS,
  AUTH_ERROR_MESSAGES,
  AuthError,
  BadRequestError,
  ForbiddenError,
  isAuthError,
  TokenExpiredError,
  TokenInvalidError,
  UnauthenticatedError,
} from '../../src/index.js';

describe('AuthError', () => {
  it('gives every code a fixed message and an HTTP status', () => {
    for (const code of AUTH_ERROR_CODES) {
      expect(AUTH_ERROR_MESSAGES[code]).toMatch(/^[A-Z][^"\\]*\.$/);
      expect([400, 401, 403, 429, 503]).toContain(AUTH_ERROR_HTTP_STATUS[code]);
    }
  });

  it('maps each subclass to its code and status', () => {
    const cases = [
      [new UnauthenticatedError(), 'UNAUTHENTICATED', 401],
      [new TokenExpiredError(), 'TOKEN_EXPIRED', 401],
      [new TokenInvalidError('signature'), 'TOKEN_INVALID', 401],
      [new ForbiddenError(['admin']), 'FORBIDDEN', 403],
      [new BadRequestError('duplicate-header'), 'BAD_REQUEST', 400],
    ] as const;
    for (const [error, code, status] of cases) {
      expect(error).toBeInstanceOf(AuthError);
      expect(isAuthError(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(error.message).toBe(AUTH_ERROR_MESSAGES[code]);
      expect(AUTH_ERROR_HTTP_STATUS[error.code]).toBe(status);
    }
  });

  it('keeps the reason and claim of an invalid token out of the message', () => {
    const error = new TokenInvalidError('claim', { claim: 'aud' });
    expect(error).toMatchObject({ code: 'TOKEN_INVALID', reason: 'claim', claim: 'aud' });
    expect(error.message).toBe('The access token is invalid.');
  });

  it('tells a plain Error apart from an AuthError', () => {
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isAuthError({ code: 'FORBIDDEN' })).toBe(false);
  });
});
