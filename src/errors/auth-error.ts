/**
 * The closed set of codes every claimgate denial carries, in `error.code` and in a GraphQL error's
 * `extensions.code`. Codes are the contract; messages are presentation.
 *
 * | code              | HTTP | meaning                                                    |
 * | ----------------- | ---- | ---------------------------------------------------------- |
 * | `UNAUTHENTICATED` | 401  | no credentials were sent and the field needs them          |
 * | `TOKEN_EXPIRED`   | 401  | the token verified but its `exp` has passed: refresh, retry |
 * | `TOKEN_INVALID`   | 401  | the token cannot be trusted: sign in again                 |
 * | `FORBIDDEN`       | 403  | authenticated, but a required permission is missing         |
 * | `BAD_REQUEST`     | 400  | the request's credentials are malformed (RFC 6750 §3.1)     |
 * | `AUTH_UNAVAILABLE`| 503  | keys or the security store cannot be reached: retry later   |
 * | `RATE_LIMITED`    | 429  | too many failed authentications from this client: wait      |
 * | `TOKEN_REVOKED`   | 401  | the token verified but was revoked: sign in again           |
 */
export type AuthErrorCode =
  | 'UNAUTHENTICATED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'AUTH_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'TOKEN_REVOKED';

/** Every code in {@link AuthErrorCode}, in the order of the README's table. */
export const AUTH_ERROR_CODES: readonly AuthErrorCode[] = [
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'FORBIDDEN',
  'BAD_REQUEST',
  'AUTH_UNAVAILABLE',
  'RATE_LIMITED',
  'TOKEN_REVOKED',
];

/**
 * Why a token was refused: a closed, coarse set that is safe to log and to hand to observers. It
 * never carries a token, a claim value or a jose message.
 */
export type TokenFailureReason =
  | 'malformed' // not a compact JWS: segments, base64url or JSON
  | 'algorithm' // `alg` outside the allow-list, or `none`
  | 'signature' // signature does not verify with the resolved key
  | 'key' // no key could be resolved for the token (e.g. unknown `kid`)
  | 'expired' // `exp` has passed (beyond the clock tolerance)
  | 'not-yet-valid' // `nbf` is in the future
  | 'claim' // a registered claim failed its check (`iss`, `aud`, `iat`, missing `exp`, ...)
  | 'permissions-claim'; // a permissions claim has the wrong type

/** The fixed, client-facing message for each code. Never interpolated. */
export const AUTH_ERROR_MESSAGES: Readonly<Record<AuthErrorCode, string>> = {
  UNAUTHENTICATED: 'Authentication required.',
  TOKEN_EXPIRED: 'The access token has expired.',
  TOKEN_INVALID: 'The access token is invalid.',
  FORBIDDEN: 'Permission denied.',
  BAD_REQUEST: 'The request credentials are malformed.',
  AUTH_UNAVAILABLE: 'Authentication is temporarily unavailable.',
  RATE_LIMITED: 'Too many failed authentication attempts. Retry later.',
  TOKEN_REVOKED: 'The access token has been revoked.',
};

/** The HTTP status each code maps to when a request is rejected as a whole. */
export const AUTH_ERROR_HTTP_STATUS: Readonly<Record<AuthErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  AUTH_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  TOKEN_REVOKED: 401,
};

/**
 * The base class of every error claimgate raises for a request. `code` is stable and typed;
 * `message` is the fixed string of {@link AUTH_ERROR_MESSAGES}.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, options?: { cause?: unknown }) {
    super(
      AUTH_ERROR_MESSAGES[code],
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.name = 'AuthError';
  }
}

/** No credentials were presented where they are required. Code `UNAUTHENTICATED`. */
export class UnauthenticatedError extends AuthError {
  constructor() {
    super('UNAUTHENTICATED');
    this.name = 'UnauthenticatedError';
  }
}

/** A token that verified except that its `exp` has passed. Code `TOKEN_EXPIRED`. */
export class TokenExpiredError extends AuthError {
  readonly reason = 'expired' satisfies TokenFailureReason;

  constructor(options?: { cause?: unknown }) {
    super('TOKEN_EXPIRED', options);
    this.name = 'TokenExpiredError';
  }
}

/**
 * A token that cannot be trusted. Code `TOKEN_INVALID`. `reason` says why, for logs and observers;
 * `claim` names the registered claim that failed, when one did.
 */
export class TokenInvalidError extends AuthError {
  readonly reason: TokenFailureReason;
  readonly claim: string | undefined;

  constructor(reason: TokenFailureReason, options?: { claim?: string; cause?: unknown }) {
    super('TOKEN_INVALID', options);
    this.name = 'TokenInvalidError';
    this.reason = reason;
    this.claim = options?.claim;
  }
}

/**
 * An authenticated caller lacks a permission. Code `FORBIDDEN`. `anyOf` lists the permissions of
 * the requirement that failed: holding any one of them would have satisfied it.
 */
export class ForbiddenError extends AuthError {
  readonly anyOf: readonly string[];

  constructor(anyOf: readonly string[]) {
    super('FORBIDDEN');
    this.name = 'ForbiddenError';
    this.anyOf = anyOf;
  }
}

/**
 * Why a request's credentials are malformed, as opposed to a token being refused: a closed set that
 * is safe to log. Never carries a header value.
 */
export type BadRequestReason =
  | 'duplicate-header' // more than one `Authorization` header (RFC 9110 §11.6.2 allows one)
  | 'missing-credentials' // the `Bearer` scheme with nothing after it
  | 'separator' // the scheme and the token are separated by something other than spaces
  | 'multiple-sources'; // a token in more than one place (header and cookie, RFC 6750 §2)

/**
 * A request whose credentials are malformed (RFC 6750 §3.1 `invalid_request`). Code `BAD_REQUEST`,
 * HTTP 400. `reason` says why, for logs and observers.
 */
export class BadRequestError extends AuthError {
  readonly reason: BadRequestReason;

  constructor(reason: BadRequestReason) {
    super('BAD_REQUEST');
    this.name = 'BadRequestError';
    this.reason = reason;
  }
}

/**
 * Why the key infrastructure failed: a closed set that is safe to log. None of these is the
 * client's fault, so none of them is `TOKEN_INVALID` (which would send clients into refresh loops).
 */
export type KeySourceFailureReason =
  | 'timeout' // the JWKS or discovery endpoint did not answer within the timeout
  | 'network' // connection refused, DNS failure, TLS failure
  | 'http-status' // an answer other than 200 (redirects are not followed)
  | 'invalid-json' // the body is not JSON
  | 'invalid-jwks' // JSON, but not a usable JWK Set (RFC 7517 §5)
  | 'too-large' // the body exceeds the configured byte limit
  | 'discovery' // the OpenID configuration is unusable (issuer mismatch, no `jwks_uri`)
  | 'stale' // cached remote keys are past `maxStaleAge` and refreshing them fails (see `cause`)
  | 'resolver' // a custom `getKey` resolver failed
  | 'security-store'; // the rate-limit / revocation store failed and that feature fails closed

/**
 * The keys needed to verify a token cannot be loaded right now. Code `AUTH_UNAVAILABLE`, HTTP 503.
 * `retryAfter` is the advised wait in whole seconds (the `Retry-After` header, RFC 9110 §10.2.3);
 * `reason` says what failed. The underlying error, with a message naming the endpoint, is `cause`
 * (for the server's logs only).
 */
export class AuthUnavailableError extends AuthError {
  readonly reason: KeySourceFailureReason;
  readonly retryAfter: number;

  constructor(
    reason: KeySourceFailureReason,
    options?: { retryAfter?: number | undefined; cause?: unknown },
  ) {
    super('AUTH_UNAVAILABLE', options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthUnavailableError';
    this.reason = reason;
    this.retryAfter = Math.max(1, Math.ceil(options?.retryAfter ?? 1));
  }
}

/**
 * A client that failed authentication too often within the window is refused before any
 * verification work. Code `RATE_LIMITED`. `retryAfterSeconds` is when it may try again (the
 * `Retry-After` header, RFC 9110 §10.2.3, when the request is rejected as a whole).
 */
export class RateLimitedError extends AuthError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED');
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A token that verified but was revoked, by its `jti` or because its subject's tokens issued
 * before a moment were revoked. Code `TOKEN_REVOKED`.
 */
export class TokenRevokedError extends AuthError {
  /** Which revocation matched: the token's own `jti`, or its `sub` + `iat`. */
  readonly by: 'jti' | 'subject';

  constructor(by: 'jti' | 'subject') {
    super('TOKEN_REVOKED');
    this.name = 'TokenRevokedError';
    this.by = by;
  }
}

/** Whether `value` is an {@link AuthError} (any subclass). */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
