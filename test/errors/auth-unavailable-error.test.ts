import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_CODES,
  AUTH_ERROR_HTTP_STATUS,
  AuthError,
  AuthUnavailableError,
  authDirectivesTypeDefs,
  formatWwwAuthenticate,
  toGraphQLError,
} from '../../src/index.js';

describe('AuthUnavailableError', () => {
  it('carries AUTH_UNAVAILABLE, a reason and a whole-second retryAfter of at least 1', () => {
    const error = new AuthUnavailableError('timeout', { retryAfter: 2.2 });
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'timeout', retryAfter: 3 });
    expect(new AuthUnavailableError('network', { retryAfter: -5 }).retryAfter).toBe(1);
    expect(AUTH_ERROR_HTTP_STATUS.AUTH_UNAVAILABLE).toBe(503);
  });

  it('becomes a 503 GraphQL error with Retry-After instead of a challenge', () => {
    const graphQLError = toGraphQLError(
      new AuthUnavailableError('http-status', { retryAfter: 7 }),
      {
        http: true,
        realm: 'api',
      },
    );
    expect(graphQLError.extensions['code']).toBe('AUTH_UNAVAILABLE');
    expect(graphQLError.extensions['http']).toEqual({
      status: 503,
      headers: new Map([['retry-after', '7']]),
    });
    expect(
      toGraphQLError(new AuthError('AUTH_UNAVAILABLE'), { http: true }).extensions['http'],
    ).toEqual({ status: 503, headers: new Map([['retry-after', '1']]) });
  });

  it('formats a bare Bearer challenge (no error code) if one is asked for', () => {
    expect(formatWwwAuthenticate(new AuthUnavailableError('timeout'), { realm: 'api' })).toBe(
      'Bearer realm="api"',
    );
  });

  it('is listed in the AuthErrorCode enum of schema/auth.graphql and its TS constant', () => {
    const sdl = readFileSync(new URL('../../schema/auth.graphql', import.meta.url), 'utf8');
    expect(sdl).toBe(authDirectivesTypeDefs);
    for (const code of AUTH_ERROR_CODES) expect(sdl).toMatch(new RegExp(`^  ${code}$`, 'm'));
  });
});
