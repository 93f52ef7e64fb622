import { GraphQLError } from 'graphql';
import type { AuthErrorCode } from '../errors/auth-error.js';
import { assertValidRealm } from '../errors/www-authenticate.js';
import { toGraphQLError } from '../errors/to-graphql-error.js';
import type { SecurityMonitor } from '../security/create-security-monitor.js';
import { assertValidObserver, notify, type AuthObserver } from '../observer/auth-observer.js';
import {
  toAuthenticationEvent,
  unexpectedFailureEvent,
} from '../observer/to-authentication-event.js';
import type { AuthState, AuthenticatedState } from '../token/auth-state.js';
import {
  assertMaxTokenBytes,
  authenticateWithDetails,
  type AuthenticationResult,
} from '../token/authenticate.js';
import type { TokenVerifier } from '../token/create-token-verifier.js';
import { isCookieName } from '../token/extract-cookie-token.js';
import { createClientKeyResolver, type TrustProxyOptions } from './create-client-key-resolver.js';
import { readRequestCredentials, type RequestWithHeaders } from './read-request-credentials.js';

export type { RequestWithHeaders } from './read-request-credentials.js';

/** Codes that refuse the request itself, whatever `rejectInvalidTokens` says. */
const REQUEST_REFUSALS: ReadonlySet<AuthErrorCode> = new Set(['BAD_REQUEST', 'RATE_LIMITED']);

/** The part of a GraphQL context that claimgate owns: `context.auth`. */
export interface AuthContext {
  readonly auth: AuthState;
}

/** The context inside a field guarded by `@auth` or `@hasPermission`: the principal is present. */
export interface AuthenticatedContext {
  readonly auth: AuthenticatedState;
}

/**
 * `TContext` as seen inside a guarded field: `auth` is narrowed to the authenticated state. Shaped
 * for GraphQL Code Generator's `directiveContextTypes` (`'auth#claimgate#Authenticated'`).
 */
export type Authenticated<TContext> = Omit<TContext, 'auth'> & AuthenticatedContext;

/** Options of {@link createAuthContext}. */
export interface AuthContextOptions {
  /** The verifier made by `createTokenVerifier`. */
  readonly verifier: TokenVerifier;
  /**
   * Reject the whole request when a token is present but refused: HTTP 401 with
   * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3) and no execution, and a token
   * that could not be checked because the keys are unavailable (`AUTH_UNAVAILABLE`) HTTP 503 with
   * `Retry-After`. When false, the request runs: public fields resolve and each protected field
   * raises the typed error. Malformed credentials (`BAD_REQUEST`, 400) and a rate-limited client
   * (`RATE_LIMITED`, 429) are refused as a whole either way.
   * @default false
   */
  readonly rejectInvalidTokens?: boolean | undefined;
  /** The `realm` of `WWW-Authenticate` challenges. @default undefined (none) */
  readonly realm?: string | undefined;
  /**
   * The largest token verified, in bytes; a longer one is `TOKEN_INVALID` without being parsed.
   * @default 8192
   */
  readonly maxTokenBytes?: number | undefined;
  /**
   * Also read the token from the cookie of this name. A token sent both in the cookie and in the
   * `Authorization` header is a malformed request (`BAD_REQUEST`). A cookie is sent by the browser
   * on its own, so keep Apollo Server's CSRF prevention on and the cookie `SameSite`.
   * @default undefined (cookies are not read)
   */
  readonly cookie?: string | undefined;
  /**
   * Failed-auth rate limiting and token revocation, from `createSecurityMonitor`. A request with
   * credentials then costs one store round trip; anonymous requests cost none.
   * @default undefined (verification alone decides)
   */
  readonly security?: SecurityMonitor | undefined;
  /**
   * When to believe `X-Forwarded-For` for the rate-limit client key.
   * @default undefined (the socket address; `X-Forwarded-For` is ignored)
   */
  readonly trustProxy?: TrustProxyOptions | undefined;
  /**
   * Receives one {@link AuthenticationEvent} per request (outcome, algorithm, issuer, kid, duration,
   * cache hit; never the token or claims). Pass the same observer to `applyAuthDirectives` for
   * denials.
   * @default undefined (nothing observed, nothing measured)
   */
  readonly observer?: AuthObserver | undefined;
}

/**
 * Creates an Apollo Server context function that authenticates each request exactly once and puts
 * the outcome in `context.auth`. A request without credentials is anonymous, not an error.
 * @throws TypeError at creation when the options are invalid.
 * @example
 * const authContext = createAuthContext({ verifier });
 * await startStandaloneServer(server, { context: ({ req }) => authContext({ req }) });
 */
export function createAuthContext(
  options: AuthContextOptions,
): (args: { readonly req: RequestWithHeaders }) => Promise<AuthContext> {
  const {
    verifier,
    rejectInvalidTokens = false,
    realm,
    maxTokenBytes,
    cookie,
    security,
    observer,
  } = options;
  if (verifier === undefined || typeof verifier.verify !== 'function') {
    throw new TypeError(
      'claimgate: createAuthContext needs `verifier` from createTokenVerifier().',
    );
  }
  if (realm !== undefined) assertValidRealm(realm);
  assertMaxTokenBytes(maxTokenBytes);
  if (cookie !== undefined && (typeof cookie !== 'string' || !isCookieName(cookie))) {
    throw new TypeError('claimgate: `cookie` must be a cookie name (letters, digits, `-`, `_`).');
  }
  const authenticateOptions = { maxTokenBytes };
  assertValidObserver(observer);
  const challenge = realm === undefined ? {} : { realm };
  const clientKeyOf = createClientKeyResolver(options.trustProxy);
  const onAuthentication = observer?.onAuthentication;

  return async ({ req }) => {
    const credentials = readRequestCredentials(req, cookie);
    // The clock is read only when someone observes: no cost otherwise.
    const started = onAuthentication === undefined ? 0 : performance.now();
    let result: AuthenticationResult;
    try {
      result = await authenticateWithDetails(
        credentials,
        verifier,
        security === undefined
          ? authenticateOptions
          : { ...authenticateOptions, security, clientKey: clientKeyOf(req) },
      );
    } catch {
      if (onAuthentication !== undefined) {
        notify(onAuthentication, unexpectedFailureEvent(performance.now() - started));
      }
      // A bug, not a verdict (key-infrastructure and security-store failures arrive as
      // AUTH_UNAVAILABLE states): never a jose message or stack.
      throw new GraphQLError('Authentication failed unexpectedly.', {
        extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
      });
    }
    if (onAuthentication !== undefined) {
      notify(onAuthentication, toAuthenticationEvent(result, performance.now() - started));
    }
    const auth: AuthState = result.state;
    // Malformed credentials (400) and a rate-limited client (429) are refusals of the request, not
    // verdicts on a token: answered as a whole in every mode (RFC 6750 §3.1, issues #4 and #5).
    // A refused token fails the whole request only with `rejectInvalidTokens`.
    if (
      auth.status === 'failed' &&
      (rejectInvalidTokens || REQUEST_REFUSALS.has(auth.error.code))
    ) {
      throw toGraphQLError(auth.error, { http: true, ...challenge });
    }
    return { auth };
  };
}
