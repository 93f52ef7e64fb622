import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AUTH_ERROR_CODES, AUTH_ERROR_MESSAGES, type AuthErrorCode } from './auth-error.js';

/** The message a client sees for an error that is not meant for it. */
export const MASKED_ERROR_MESSAGE = 'Internal server error';

const AUTH_CODES: ReadonlySet<unknown> = new Set(AUTH_ERROR_CODES);

/** Whether `code` is one of claimgate's {@link AuthErrorCode}s. */
export function isAuthErrorCode(code: unknown): code is AuthErrorCode {
  return AUTH_CODES.has(code);
}

/**
 * An Apollo Server `formatError` that masks every error which is not meant for the client, in
 * production and development alike:
 *
 * - claimgate's errors keep their code and fixed message (Apollo's `Context creation failed: `
 *   prefix is dropped) with only `code`, `coordinate`, `requirement` and `retryAfter` in
 *   `extensions`;
 * - a `GraphQLError` created on purpose (by a resolver, or Apollo's parse and validation errors)
 *   keeps its message and extensions, without `stacktrace`;
 * - anything else (a plain `Error` thrown by a resolver or a plugin, a bug) becomes
 *   `Internal server error` with code `INTERNAL_SERVER_ERROR`: no internal message, no stack.
 *
 * @example new ApolloServer({ schema, formatError })
 */
export function formatError(
  formattedError: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const { locations, path } = formattedError;
  const where = {
    ...(locations === undefined ? {} : { locations }),
    ...(path === undefined ? {} : { path }),
  };
  const extensions = formattedError.extensions ?? {};
  const code = extensions['code'];
  // Apollo Server uses BAD_REQUEST too, for HTTP-level mistakes (an empty `query`): those keep
  // their own message; claimgate's carry its fixed one.
  const isOurs =
    isAuthErrorCode(code) &&
    (code !== 'BAD_REQUEST' || formattedError.message === AUTH_ERROR_MESSAGES.BAD_REQUEST);
  if (isOurs && isDeliberate(error)) {
    const kept: Record<string, unknown> = { code };
    for (const key of ['coordinate', 'requirement', 'retryAfter']) {
      if (extensions[key] !== undefined) kept[key] = extensions[key];
    }
    return { message: AUTH_ERROR_MESSAGES[code], ...where, extensions: kept };
  }
  if (isDeliberate(error)) {
    // Apollo adds `stacktrace` outside production; it is never the client's business.
    const rest = Object.fromEntries(
      Object.entries(extensions).filter(([key]) => key !== 'stacktrace' && key !== 'exception'),
    );
    return { message: formattedError.message, ...where, extensions: rest };
  }
  return { message: MASKED_ERROR_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * Whether the innermost error is a `GraphQLError`, i.e. raised on purpose for the client. graphql-js
 * wraps whatever a resolver throws in a located `GraphQLError` with `originalError`.
 */
function isDeliberate(error: unknown): boolean {
  let current = error;
  while (current instanceof GraphQLError && current.originalError != null) {
    current = current.originalError;
  }
  return current instanceof GraphQLError;
}
