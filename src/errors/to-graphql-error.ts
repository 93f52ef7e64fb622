import { GraphQLError } from 'graphql';
import {
  AUTH_ERROR_HTTP_STATUS,
  type AuthError,
  AuthUnavailableError,
  ForbiddenError,
  RateLimitedError,
} from './auth-error.js';
import { formatWwwAuthenticate, type WwwAuthenticateOptions } from './www-authenticate.js';

/** Options for {@link toGraphQLError}. */
export interface ToGraphQLErrorOptions extends WwwAuthenticateOptions {
  /**
   * Attach `extensions.http` (status and `WWW-Authenticate`, or `Retry-After` for
   * `AUTH_UNAVAILABLE`) so Apollo Server answers the whole request with that status. Use it only
   * when rejecting a request as a whole.
   * @default false
   */
  readonly http?: boolean;
  /** The schema coordinate (`Type.field`) that was denied, exposed as `extensions.coordinate`. */
  readonly coordinate?: string;
}

/**
 * The `GraphQLError` a client sees for `error`: the fixed message of its code, `extensions.code`,
 * for `FORBIDDEN` the failed requirement as `extensions.requirement: { anyOf: [...] }`, and for
 * `RATE_LIMITED` the wait in seconds as `extensions.retryAfter` (and, with `http`, a 429 with a
 * `Retry-After` header instead of `WWW-Authenticate`).
 */
export function toGraphQLError(
  error: AuthError,
  options: ToGraphQLErrorOptions = {},
): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (options.coordinate !== undefined) extensions['coordinate'] = options.coordinate;
  if (error instanceof ForbiddenError) extensions['requirement'] = { anyOf: [...error.anyOf] };
  if (error instanceof RateLimitedError) extensions['retryAfter'] = error.retryAfterSeconds;
  if (options.http === true) {
    // A 503 or a 429 is not a challenge (RFC 6750 §3 applies to 401/403): say when to retry.
    const header: [string, string] =
      error instanceof RateLimitedError
        ? ['retry-after', String(error.retryAfterSeconds)]
        : error.code === 'AUTH_UNAVAILABLE'
          ? ['retry-after', String(error instanceof AuthUnavailableError ? error.retryAfter : 1)]
          : ['www-authenticate', formatWwwAuthenticate(error, options)];
    extensions['http'] = { status: AUTH_ERROR_HTTP_STATUS[error.code], headers: new Map([header]) };
  }
  // originalError is deliberately omitted: it would carry jose's message and stack into formatters.
  return new GraphQLError(error.message, { extensions });
}
