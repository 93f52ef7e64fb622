import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  RateLimitedError,
  toGraphQLError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
} from '../../src/index.js';

describe('toGraphQLError', () => {
  it('carries the code and the fixed message, never the cause', () => {
    const cause = new Error('"aud" claim check failed: secret-audience-value');
    const error = toGraphQLError(new TokenInvalidError('claim', { claim: 'aud', cause }));
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('The access token is invalid.');
    expect(error.extensions).toEqual({ code: 'TOKEN_INVALID' });
    expect(error.originalError).toBeUndefined();
    expect(JSON.stringify(error.toJSON())).not.toContain('secret-audience-value');
  });

  it('names the failed requirement and coordinate of a FORBIDDEN error', () => {
    const error = toGraphQLError(new ForbiddenError(['admin']), {
      coordinate: 'Query.adminReport',
    });
    expect(error.extensions).toEqual({
      code: 'FORBIDDEN',
      coordinate: 'Query.adminReport',
      requirement: { anyOf: ['admin'] },
    });
  });

  it('attaches the HTTP status and WWW-Authenticate challenge on request', () => {
    const error = toGraphQLError(new TokenExpiredError(), { http: true, realm: 'api' });
    const http = error.extensions['http'] as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(401);
    expect(http.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
    );
  });

  it('answers RATE_LIMITED with 429 and Retry-After instead of a challenge', () => {
    const error = toGraphQLError(new RateLimitedError(42), { http: true });
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 42 });
    const http = error.extensions['http'] as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(429);
    expect([...http.headers]).toEqual([['retry-after', '42']]);
  });

  it('answers TOKEN_REVOKED with 401 invalid_token', () => {
    const error = toGraphQLError(new TokenRevokedError('jti'), { http: true });
    expect(error.extensions['code']).toBe('TOKEN_REVOKED');
    const http = error.extensions['http'] as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(401);
    expect(http.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token has been revoked"',
    );
  });
});
