import { type AuthError, ForbiddenError } from './auth-error.js';

/** Options for {@link formatWwwAuthenticate}. */
export interface WwwAuthenticateOptions {
  /**
   * The `realm` auth-param (RFC 6750 §3). Must not contain `"` or `\`.
   * @default undefined (no realm)
   */
  readonly realm?: string | undefined;
}

// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E; these fixed strings are.
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  TOKEN_EXPIRED: 'The access token expired',
  TOKEN_INVALID: 'The access token is invalid',
  BAD_REQUEST: 'The request credentials are malformed',
  TOKEN_REVOKED: 'The access token has been revoked',
};

// RFC 6750 §3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): a permission outside it is not listed.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The `WWW-Authenticate` challenge (RFC 6750 §3) for a request rejected with `error`.
 *
 * - `UNAUTHENTICATED`: `Bearer` with no error code (§3.1: the request carried no credentials).
 * - `TOKEN_EXPIRED`, `TOKEN_INVALID`, `TOKEN_REVOKED`: `Bearer error="invalid_token",
 *   error_description="…"`.
 * - `RATE_LIMITED`: plain `Bearer` (a 429 is not a challenge; {@link toGraphQLError} sends
 *   `Retry-After` instead of this header for it).
 * - `FORBIDDEN`: `Bearer error="insufficient_scope", scope="…"` with the missing permissions.
 * - `BAD_REQUEST`: `Bearer error="invalid_request", error_description="…"`.
 * - `AUTH_UNAVAILABLE`: `Bearer` with no error code: the token was not judged (RFC 6750 §3.1 has no
 *   code for a server-side failure). {@link toGraphQLError} sends `Retry-After` instead for it.
 */
export function formatWwwAuthenticate(
  error: AuthError,
  options: WwwAuthenticateOptions = {},
): string {
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm="${options.realm}"`);
  switch (error.code) {
    case 'UNAUTHENTICATED':
    case 'AUTH_UNAVAILABLE':
    case 'RATE_LIMITED':
      break;
    case 'TOKEN_EXPIRED':
    case 'TOKEN_INVALID':
    case 'TOKEN_REVOKED':
      params.push('error="invalid_token"', `error_description="${DESCRIPTIONS[error.code]}"`);
      break;
    case 'BAD_REQUEST':
      params.push('error="invalid_request"', `error_description="${DESCRIPTIONS[error.code]}"`);
      break;
    case 'FORBIDDEN': {
      params.push('error="insufficient_scope"');
      const scope =
        error instanceof ForbiddenError ? error.anyOf.filter((p) => SCOPE_TOKEN.test(p)) : [];
      if (scope.length > 0) params.push(`scope="${scope.join(' ')}"`);
      break;
    }
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/**
 * Throws a `TypeError` at start-up when a realm could not be quoted safely.
 * @throws TypeError when `realm` contains `"`, `\` or a control character.
 */
export function assertValidRealm(realm: string): void {
  if (!/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/.test(realm)) {
    throw new TypeError(
      'claimgate: realm must be printable ASCII without `"` or `\\` (RFC 6750 §3); change the realm option.',
    );
  }
}
