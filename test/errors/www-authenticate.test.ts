import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ForbiddenError,
  formatWwwAuthenticate,
  TokenExpiredError,
  TokenInvalidError,
  UnauthenticatedError,
} from '../../src/index.js';

describe('formatWwwAuthenticate', () => {
  it('challenges without an error code when no credentials were sent (RFC 6750 §3.1)', () => {
    expect(formatWwwAuthenticate(new UnauthenticatedError())).toBe('Bearer');
    expect(formatWwwAuthenticate(new UnauthenticatedError(), { realm: 'api' })).toBe(
      'Bearer realm="api"',
    );
  });

  it('answers invalid_token for expired and invalid tokens', () => {
    expect(formatWwwAuthenticate(new TokenExpiredError())).toBe(
      'Bearer error="invalid_token", error_description="The access token expired"',
    );
    expect(formatWwwAuthenticate(new TokenInvalidError('signature'), { realm: 'api' })).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"',
    );
  });

  it('answers insufficient_scope with the missing permissions', () => {
    expect(formatWwwAuthenticate(new ForbiddenError(['admin', 'billing:read']))).toBe(
      'Bearer error="insufficient_scope", scope="admin billing:read"',
    );
  });

  it('leaves out permissions that cannot be a scope-token', () => {
    expect(formatWwwAuthenticate(new ForbiddenError(['a b', 'say "hi"', 'ok']))).toBe(
      'Bearer error="insufficient_scope", scope="ok"',
    );
    expect(formatWwwAuthenticate(new ForbiddenError(['a\\b']))).toBe(
      'Bearer error="insufficient_scope"',
    );
  });

  it('answers invalid_request for a malformed request (RFC 6750 §3.1)', () => {
    expect(formatWwwAuthenticate(new BadRequestError('separator'))).toBe(
      'Bearer error="invalid_request", error_description="The request credentials are malformed"',
    );
  });
});
