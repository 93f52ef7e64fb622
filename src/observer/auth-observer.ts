import type {
  AuthErrorCode,
  BadRequestReason,
  KeySourceFailureReason,
  TokenFailureReason,
} from '../errors/auth-error.js';
import type { Requirement } from '../policy/requirement.js';

/**
 * How a request's authentication ended: `'ok'` (a token verified), `'anonymous'` (no credentials),
 * `'error'` (a failure that is not the client's, such as a failing key resolver; the request got a
 * 500), or the {@link AuthErrorCode} the token was refused with.
 */
export type AuthenticationOutcome = 'ok' | 'anonymous' | 'error' | AuthErrorCode;

/**
 * One request's authentication, as an {@link AuthObserver} sees it. It never carries the token,
 * the claims or the subject: only values that are safe in logs and bounded enough for metric labels
 * (the issuer and kid of a token that verified are the operator's own values).
 */
export interface AuthenticationEvent {
  readonly outcome: AuthenticationOutcome;
  /**
   * Why, for `TOKEN_INVALID` and `TOKEN_EXPIRED` (a token failure reason), `BAD_REQUEST` (what was
   * malformed) and `AUTH_UNAVAILABLE` (what failed in the key infrastructure); otherwise
   * `undefined`. Closed sets, safe to log and to use as metric labels.
   */
  readonly reason: TokenFailureReason | BadRequestReason | KeySourceFailureReason | undefined;
  /**
   * The JWS algorithm: of the verified token, or of a refused one once it passed the allow-list.
   * `undefined` when no token was sent or its algorithm was refused.
   */
  readonly algorithm: string | undefined;
  /** The verified token's `iss`; `undefined` when it has none or the token was refused. */
  readonly issuer: string | undefined;
  /** The verified token's `kid` header; `undefined` when it has none or the token was refused. */
  readonly kid: string | undefined;
  /** Time spent authenticating the request (extraction and verification), in milliseconds. */
  readonly durationMs: number;
  /** Whether the verified-token cache answered instead of a signature verification. */
  readonly cacheHit: boolean;
}

/** One field denied by `@auth` / `@hasPermission`. Never carries the token or the claims. */
export interface DenialEvent {
  /** The schema coordinate of the denied field, e.g. `Query.adminReport`. */
  readonly coordinate: string;
  /** The code the client received: `UNAUTHENTICATED`, `FORBIDDEN`, `TOKEN_EXPIRED`, ... */
  readonly code: AuthErrorCode;
  /** The field's effective requirement (all clauses, each satisfied by any one permission). */
  readonly requirement: Requirement;
}

/**
 * Receives what claimgate decides, for metrics and logs. Pass the same observer to
 * `createAuthContext` (authentication events) and `applyAuthDirectives` (denial events). Callbacks
 * run synchronously on the request path, so keep them cheap; an exception they throw is ignored so
 * that observing can never change a response.
 */
export interface AuthObserver {
  /** Called once per request, after authentication. */
  readonly onAuthentication?: ((event: AuthenticationEvent) => void) | undefined;
  /** Called for each denied field. */
  readonly onDenial?: ((event: DenialEvent) => void) | undefined;
}

/**
 * Validates an observer once, at start-up.
 * @throws TypeError when `observer` is not an object whose callbacks are functions.
 */
export function assertValidObserver(observer: unknown): asserts observer is AuthObserver {
  if (observer === undefined) return;
  const isObject = observer !== null && typeof observer === 'object';
  const callbacks = isObject ? (observer as Record<string, unknown>) : {};
  if (
    !isObject ||
    !['onAuthentication', 'onDenial'].every(
      (name) => callbacks[name] === undefined || typeof callbacks[name] === 'function',
    )
  ) {
    throw new TypeError(
      'claimgate: `observer` must be an object with optional `onAuthentication` and `onDenial` functions.',
    );
  }
}

/** Calls `callback` with `event`, ignoring what it throws: observing never changes a response. */
export function notify<E>(callback: (event: E) => void, event: E): void {
  try {
    callback(event);
  } catch {
    // Deliberately ignored (see AuthObserver).
  }
}
