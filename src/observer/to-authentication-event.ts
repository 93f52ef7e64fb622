import {
  AuthUnavailableError,
  BadRequestError,
  TokenExpiredError,
  TokenInvalidError,
} from '../errors/auth-error.js';
import type { AuthenticationResult } from '../token/authenticate.js';
import type { AuthenticationEvent } from './auth-observer.js';

/**
 * The {@link AuthenticationEvent} of one authentication: only the fields an observer may see (the
 * principal's issuer, never its subject or claims).
 */
export function toAuthenticationEvent(
  result: AuthenticationResult,
  durationMs: number,
): AuthenticationEvent {
  const { state, algorithm, kid, cacheHit } = result;
  if (state.status === 'authenticated') {
    const { issuer } = state.principal;
    return { outcome: 'ok', reason: undefined, algorithm, issuer, kid, durationMs, cacheHit };
  }
  if (state.status === 'anonymous') {
    return {
      outcome: 'anonymous',
      reason: undefined,
      algorithm: undefined,
      issuer: undefined,
      kid: undefined,
      durationMs,
      cacheHit: false,
    };
  }
  const { error } = state;
  const reason =
    error instanceof TokenInvalidError ||
    error instanceof TokenExpiredError ||
    error instanceof BadRequestError ||
    error instanceof AuthUnavailableError
      ? error.reason
      : undefined;
  return {
    outcome: error.code,
    reason,
    algorithm,
    issuer: undefined,
    kid: undefined,
    durationMs,
    cacheHit: false,
  };
}

/** The event of an authentication that failed for a reason that is not the client's. */
export function unexpectedFailureEvent(durationMs: number): AuthenticationEvent {
  return {
    outcome: 'error',
    reason: undefined,
    algorithm: undefined,
    issuer: undefined,
    kid: undefined,
    durationMs,
    cacheHit: false,
  };
}
