import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import {
  AUTH_ERROR_HTTP_STATUS,
  AUTH_ERROR_MESSAGES,
  AuthError,
  AuthUnavailableError,
  ForbiddenError,
  RateLimitedError,
  type AuthErrorCode,
} from '../errors/auth-error.js';
import { isAuthErrorCode } from '../errors/format-error.js';
import {
  assertValidRealm,
  formatWwwAuthenticate,
  type WwwAuthenticateOptions,
} from '../errors/www-authenticate.js';

/** Options of {@link createAuthStatusPlugin}. */
export type AuthStatusPluginOptions = WwwAuthenticateOptions;

/**
 * An Apollo Server plugin that gives a response the HTTP status of its auth errors when those
 * errors are the only reason it carries no data (GraphQL over HTTP §7.1.2: a response with data
 * stays 2xx). Then the status is the code's (400, 401, 403, 429 or 503) and `WWW-Authenticate` is
 * set as in {@link formatWwwAuthenticate}, with every missing permission in `scope`; for
 * `AUTH_UNAVAILABLE` it is 503 with `Retry-After` (from `context.auth`) and for `RATE_LIMITED` 429
 * with `Retry-After` (from `extensions.retryAfter`) instead of a challenge.
 *
 * "No data" means `data` is null, or every root field is null and carries a claimgate error. A
 * response that already has a non-200 status (a whole-request rejection, a parse error) is left as
 * it is. Install {@link formatError} too, or Apollo's own message prefixes reach the client.
 * @throws TypeError at creation for an invalid `realm`.
 * @example new ApolloServer({ schema, formatError, plugins: [createAuthStatusPlugin()] })
 */
export function createAuthStatusPlugin<TContext extends object>(
  options: AuthStatusPluginOptions = {},
): ApolloServerPlugin<TContext> {
  if (options.realm !== undefined) assertValidRealm(options.realm);
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return Promise.resolve();
          const { status } = response.http;
          if (status !== undefined && status !== 200) return Promise.resolve();
          const error = authOnlyFailure(response.body.singleResult);
          if (error === undefined) return Promise.resolve();
          response.http.status = AUTH_ERROR_HTTP_STATUS[error.code];
          if (error.code === 'AUTH_UNAVAILABLE') {
            // A 503 is not a challenge: say when to retry (issue #3).
            response.http.headers.set('retry-after', String(retryAfterOf(contextValue)));
          } else if (error instanceof RateLimitedError) {
            // Nor is a 429: it says when to come back (RFC 9110 §10.2.3, issue #5).
            response.http.headers.set('retry-after', String(error.retryAfterSeconds));
          } else {
            response.http.headers.set('www-authenticate', formatWwwAuthenticate(error, options));
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** The error a data-less, auth-only result stands for, or `undefined` when it is not one. */
function authOnlyFailure(result: {
  readonly data?: Record<string, unknown> | null | undefined;
  readonly errors?: readonly GraphQLFormattedError[] | undefined;
}): AuthError | undefined {
  const { data, errors } = result;
  if (errors === undefined || errors.length === 0) return undefined;
  const codes: AuthErrorCode[] = [];
  for (const error of errors) {
    const code = error.extensions?.['code'];
    // Apollo uses BAD_REQUEST for HTTP-level problems too; claimgate's carries its fixed message.
    if (!isAuthErrorCode(code) || error.message !== AUTH_ERROR_MESSAGES[code]) return undefined;
    codes.push(code);
  }
  if (data !== null && data !== undefined) {
    const failedRoots = new Set(errors.map((error) => error.path?.[0]));
    const hasData = Object.entries(data).some(
      ([key, value]) => value !== null || !failedRoots.has(key),
    );
    if (hasData) return undefined;
  }
  // One request has one auth state, so its errors normally share a code; should they not, the
  // status is chosen in the order 400, 401, 403 (the request's credentials before its rights).
  const code = [...codes].sort(
    (a, b) => rank(AUTH_ERROR_HTTP_STATUS[a]) - rank(AUTH_ERROR_HTTP_STATUS[b]),
  )[0];
  if (code === undefined) return undefined;
  if (code === 'RATE_LIMITED') {
    let wait = 1;
    for (const error of errors) {
      const value = error.extensions?.['retryAfter'];
      if (typeof value === 'number' && Number.isFinite(value)) wait = Math.max(wait, value);
    }
    return new RateLimitedError(Math.ceil(wait));
  }
  if (code !== 'FORBIDDEN') return new AuthError(code);
  const scope = new Set<string>();
  for (const error of errors) {
    const anyOf = (error.extensions?.['requirement'] as { anyOf?: unknown } | undefined)?.anyOf;
    if (Array.isArray(anyOf)) for (const p of anyOf) if (typeof p === 'string') scope.add(p);
  }
  return new ForbiddenError([...scope]);
}

function rank(status: number): number {
  return status === 400 ? 0 : status === 401 ? 1 : 2;
}

/** The `Retry-After` seconds of the request's `AUTH_UNAVAILABLE` state, 1 when it is not known. */
function retryAfterOf(context: unknown): number {
  if (context === null || typeof context !== 'object' || !('auth' in context)) return 1;
  const { auth } = context;
  if (auth === null || typeof auth !== 'object' || !('error' in auth)) return 1;
  const { error } = auth;
  return error instanceof AuthUnavailableError ? error.retryAfter : 1;
}
