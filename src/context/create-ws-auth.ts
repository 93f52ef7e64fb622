import {
  AuthError,
  AuthUnavailableError,
  TokenExpiredError,
  UnauthenticatedError,
} from '../errors/auth-error.js';
import { ANONYMOUS, type AuthState, type Principal } from '../token/auth-state.js';
import { assertValidObserver, notify, type AuthObserver } from '../observer/auth-observer.js';
import {
  toAuthenticationEvent,
  unexpectedFailureEvent,
} from '../observer/to-authentication-event.js';
import { revocationClaimsOf } from '../policy/revocation.js';
import type { SecurityCheck, SecurityMonitor } from '../security/create-security-monitor.js';
import { SecurityUnavailableError } from '../security/security-unavailable-error.js';
import {
  assertMaxTokenBytes,
  authenticateWithDetails,
  type AuthenticationResult,
  type UnreadableCredentials,
} from '../token/authenticate.js';
import { badRequest, extractBearerToken } from '../token/extract-bearer-token.js';
import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type TokenVerifier,
} from '../token/create-token-verifier.js';
import type { AuthContext } from './create-auth-context.js';
import {
  createClientKeyResolver,
  type RequestWithSocket,
  type TrustProxyOptions,
} from './create-client-key-resolver.js';
import { readConnectionAuthorization } from './read-connection-authorization.js';

/** graphql-ws's close code `4403: Forbidden`; claimgate puts the typed `AuthErrorCode` in the reason. */
export const WS_CLOSE_FORBIDDEN = 4403;
/** graphql-ws's close code `4500: Internal server error`, reason `INTERNAL_SERVER_ERROR`. */
export const WS_CLOSE_INTERNAL_ERROR = 4500;
/**
 * RFC 6455 §7.4 / IANA close code `1013: Try Again Later`, reason `AUTH_UNAVAILABLE`: the keys to
 * check the token could not be loaded (issue #3). Not one of graphql-ws's fatal codes, so its
 * client reconnects with its retry policy instead of giving up or discarding the token.
 */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;
/**
 * graphql-ws's close code `4429: Too many initialisation requests`, reason `RATE_LIMITED`: the
 * client failed authentication too often (`createWsAuth({ security })`) and is refused before its
 * token is verified. graphql-ws's client treats 4429 as fatal, whatever its `retryAttempts`,
 * `retryWait` or `shouldRetry` say: it does not reconnect on its own (it would for `4403` and
 * `1013`, which it retries), so a client set to retry in a tight loop stops at once, and the
 * application decides when to try again (the limit lifts once the oldest counted failure leaves
 * the rate-limit window). graphql-ws's server closes with 4429 only for a second
 * `connection_init` on one socket, with reason `Too many initialisation requests`: the reason
 * tells the two apart.
 */
export const WS_CLOSE_RATE_LIMITED = 4429;

/** The socket of a connection, as far as claimgate needs it: `ws`'s `WebSocket` fits. */
export interface ClosableSocket {
  close(code?: number, reason?: string): void;
}

/**
 * The part of graphql-ws's per-connection `Context` claimgate reads. graphql-ws's `Context` with
 * the `ws` or `@fastify/websocket` extra (`{ socket, request }`) fits as it is.
 */
export interface WsConnectionContext {
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined;
  readonly extra: {
    readonly socket: ClosableSocket;
    /**
     * The HTTP upgrade request (Node's `IncomingMessage`): its socket address, or with
     * `trustProxy` its `X-Forwarded-For`, is the rate-limit client key. Without it a connection
     * is not rate limited, as an HTTP request without a known address is not.
     */
    readonly request?: RequestWithSocket | undefined;
  };
}

/** Options of {@link createWsAuth}. Validated once; a mistake throws at start-up. */
export interface WsAuthOptions {
  /** The verifier made by `createTokenVerifier`: the same one the HTTP context uses. */
  readonly verifier: TokenVerifier;
  /**
   * Refuse a connection that sends no credentials (close `4403`, reason `UNAUTHENTICATED`). When
   * false, such a connection is anonymous and each guarded subscription is denied on its own.
   * A refused token always closes the connection, whatever this says.
   * @default false
   */
  readonly requireAuthentication?: boolean | undefined;
  /**
   * How long past `exp` a live connection is kept, in seconds: set it to the verifier's
   * `clockTolerance` so a connection lives exactly as long as its token is accepted over HTTP.
   * @default 10 (the verifier's default)
   */
  readonly clockTolerance?: number | undefined;
  /**
   * Failed-auth rate limiting and token revocation, from `createSecurityMonitor`: the same monitor
   * (and store) the HTTP context uses, so failures over HTTP and WebSocket count toward one limit
   * per client. Each connection attempt with credentials then goes through the HTTP path's checks:
   * a limited client is refused before its token is verified (close {@link WS_CLOSE_RATE_LIMITED}
   * `4429`, reason `RATE_LIMITED`), each refused token counts as a failure, a revoked token is
   * refused with `4403` / `TOKEN_REVOKED`, and a store failure that the monitor's fail mode turns
   * into `AUTH_UNAVAILABLE` closes with `1013`. A connection without credentials costs no store
   * call and is never rate limited (it is anonymous, as an HTTP request without a token is).
   * Without `isRevoked`, live connections are also re-checked against revocations every
   * `revocationCheckInterval` seconds (when the monitor's `revocation` is on); a store failure
   * there follows the revocation fail mode (`closed`: `1013` / `AUTH_UNAVAILABLE`).
   * @default undefined (verification alone decides)
   */
  readonly security?: SecurityMonitor | undefined;
  /**
   * When to believe `X-Forwarded-For` of the upgrade request for the rate-limit client key, as
   * `createAuthContext`'s option of the same name. Only with `security`.
   * @default undefined (the socket address; `X-Forwarded-For` is ignored)
   */
  readonly trustProxy?: TrustProxyOptions | undefined;
  /**
   * Revocation seam: called with the principal at connect and then every
   * `revocationCheckInterval` seconds for each live connection; `true` ends the connection (close
   * `4403`, reason `TOKEN_REVOKED`). A function that throws, or takes longer than 5 s
   * ({@link IS_REVOKED_TIMEOUT_MS}), counts as "not revoked" (fail open): return `true` from your
   * own error handling to fail closed. With `security`, leave it out: the
   * monitor then checks at connect and on the interval; when given, it is called as well at
   * connect and it alone runs the interval checks.
   * @default undefined (no revocation checks beyond `security`'s)
   */
  readonly isRevoked?: ((principal: Principal) => boolean | Promise<boolean>) | undefined;
  /**
   * Seconds between two revocation sweeps over the live connections; the longest a revoked token
   * keeps a connection open is this plus the duration of one check. At least 0.1.
   * Only with `isRevoked` or `security`.
   * @default 30
   */
  readonly revocationCheckInterval?: number | undefined;
  /**
   * Receives one `AuthenticationEvent` per connection attempt, as `createAuthContext` does per HTTP
   * request (never the token or claims). Denied subscriptions reach the observer given to
   * `applyAuthDirectives`.
   * @default undefined
   */
  readonly observer?: AuthObserver | undefined;
  /**
   * The largest token verified, in bytes; a longer one closes the connection with `4403` /
   * `TOKEN_INVALID` without being parsed. Use the value given to `createAuthContext`.
   * @default 8192
   */
  readonly maxTokenBytes?: number | undefined;
}

/**
 * The graphql-ws server hooks {@link createWsAuth} returns: wire all three into `useServer`. They
 * are plain functions (no `this`), safe to pass on their own.
 */
export interface WsAuth {
  /**
   * graphql-ws `onConnect`: authenticates `connectionParams.Authorization` once per connection.
   * Resolves `true` to acknowledge, or closes the socket (`4403` and the typed code as reason;
   * `4429` / `RATE_LIMITED`; `1013` / `AUTH_UNAVAILABLE`) and resolves `false`.
   */
  readonly onConnect: (ctx: WsConnectionContext) => Promise<boolean>;
  /**
   * graphql-ws `context`: `{ auth }` from the connection's stored state, without re-verifying.
   * @throws Error when `onConnect` was not wired (a server bug: the connection is closed).
   */
  readonly context: (ctx: WsConnectionContext) => AuthContext;
  /** graphql-ws `onClose`: forgets the connection and clears its timers. */
  readonly onClose: (ctx: WsConnectionContext) => void;
  /** How many acknowledged connections are currently tracked (for metrics and leak checks). */
  readonly activeConnections: () => number;
}

/** `TOKEN_INVALID` (`malformed`): a `connectionParams.Authorization` that cannot be a token. */
const UNREADABLE: UnreadableCredentials = Object.freeze({ kind: 'unreadable' });

/** A {@link SecurityCheck} that looked nothing up: `checkRevocation` then makes its own lookup. */
const NOTHING_CHECKED: SecurityCheck = Object.freeze({
  refusal: undefined,
  claims: undefined,
  revocation: undefined,
  revocationUnavailable: false,
});

/**
 * Decides whether a live connection must end: the error to close it with, or `undefined`. Never
 * throws (a failing check is "keep it open" unless its own fail mode says otherwise).
 */
type RevocationCheck = (principal: Principal) => Promise<AuthError | undefined>;

/** The longest delay `setTimeout` accepts, in milliseconds (2^31 - 1, about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;
const DEFAULT_REVOCATION_CHECK_INTERVAL_SECONDS = 30;
const MIN_REVOCATION_CHECK_INTERVAL_SECONDS = 0.1;

interface Connection {
  readonly auth: AuthState;
  /** When the token stops being accepted, in ms since the epoch; `undefined` without `exp`. */
  readonly deadline: number | undefined;
  readonly socket: ClosableSocket;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Set once the socket is closing or closed; `endedWith` says why when claimgate closed it. */
  ended: boolean;
  endedWith: AuthError | undefined;
}

/**
 * Creates the graphql-ws hooks that authenticate subscriptions: once at connect, through the same
 * `authenticate` and verifier as HTTP (and, with `security`, the same rate limit and revocation
 * checks); the connection is closed (`4403`, `TOKEN_EXPIRED`) when the token's `exp` passes, and
 * (with `isRevoked` or `security`) when its token is revoked.
 * @throws TypeError at creation when the options are invalid.
 * @example
 * const wsAuth = createWsAuth({ verifier, security, trustProxy }); // as for createAuthContext
 * useServer(
 *   { schema, onConnect: wsAuth.onConnect, context: wsAuth.context, onClose: wsAuth.onClose },
 *   new WebSocketServer({ server: httpServer, path: '/graphql' }),
 * );
 */
export function createWsAuth(options: WsAuthOptions): WsAuth {
  const { verifier, requireAuthentication = false, isRevoked, security, observer } = options;
  if (verifier === undefined || typeof verifier.verify !== 'function') {
    throw new TypeError('claimgate: createWsAuth needs `verifier` from createTokenVerifier().');
  }
  const clockTolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('claimgate: `clockTolerance` must be a non-negative number of seconds.');
  }
  assertValidObserver(observer);
  const { maxTokenBytes } = options;
  assertMaxTokenBytes(maxTokenBytes);
  const onAuthentication = observer?.onAuthentication;
  if (isRevoked !== undefined && typeof isRevoked !== 'function') {
    throw new TypeError('claimgate: `isRevoked` must be a function (principal) => boolean.');
  }
  if (
    security !== undefined &&
    (typeof security.check !== 'function' || typeof security.checkRevocation !== 'function')
  ) {
    throw new TypeError('claimgate: `security` must be the monitor from createSecurityMonitor().');
  }
  const clientKeyOf = createClientKeyResolver(options.trustProxy);
  if (
    options.revocationCheckInterval !== undefined &&
    isRevoked === undefined &&
    security === undefined
  ) {
    throw new TypeError(
      'claimgate: `revocationCheckInterval` needs `isRevoked` or `security`; set one of them.',
    );
  }
  const interval = options.revocationCheckInterval ?? DEFAULT_REVOCATION_CHECK_INTERVAL_SECONDS;
  if (!Number.isFinite(interval) || interval < MIN_REVOCATION_CHECK_INTERVAL_SECONDS) {
    throw new TypeError(
      `claimgate: \`revocationCheckInterval\` must be at least ${MIN_REVOCATION_CHECK_INTERVAL_SECONDS} seconds.`,
    );
  }

  // Keyed by graphql-ws's per-connection context object, which lives exactly as long as the socket.
  const connections = new WeakMap<WsConnectionContext, Connection>();
  const closed = new WeakSet<WsConnectionContext>();
  const live = new Set<Connection>();
  // The explicit seam wins; otherwise the monitor re-checks live connections itself.
  const recheck: RevocationCheck | undefined =
    isRevoked !== undefined
      ? async (principal) => ((await revoked(isRevoked, principal)) ? revokedError() : undefined)
      : security?.revocation === true
        ? (principal) => revocationByMonitor(security, principal)
        : undefined;
  const revocation = recheck === undefined ? undefined : createSweep(recheck, interval * 1000);

  function end(connection: Connection, error: AuthError): void {
    if (connection.ended) return;
    connection.ended = true;
    connection.endedWith = error;
    forget(connection);
    connection.socket.close(closeCodeOf(error), error.code);
  }

  function forget(connection: Connection): void {
    if (connection.timer !== undefined) clearTimeout(connection.timer);
    connection.timer = undefined;
    live.delete(connection);
    revocation?.remove(connection);
  }

  function armExpiry(connection: Connection, deadline: number): void {
    const delay = deadline - Date.now();
    // Beyond setTimeout's range the timer would fire at once: wait the longest allowed, then re-arm.
    connection.timer =
      delay > MAX_TIMEOUT_MS
        ? setTimeout(() => armExpiry(connection, deadline), MAX_TIMEOUT_MS)
        : setTimeout(() => end(connection, new TokenExpiredError()), delay);
    // A pending expiry must not keep the process alive on its own.
    connection.timer.unref();
  }

  function createSweep(check: RevocationCheck, ms: number) {
    const watched = new Set<Connection>();
    let timer: ReturnType<typeof setInterval> | undefined;
    let running = false;
    const sweep = async () => {
      // One sweep at a time: a slow store must not pile up checks.
      if (running) return;
      running = true;
      try {
        await Promise.all(
          [...watched].map(async (connection) => {
            const { principal } = connection.auth;
            const error = principal === null ? undefined : await check(principal);
            if (error !== undefined) end(connection, error);
          }),
        );
      } finally {
        running = false;
      }
    };
    return {
      add(connection: Connection) {
        watched.add(connection);
        if (timer === undefined) {
          timer = setInterval(() => void sweep(), ms);
          timer.unref();
        }
      },
      remove(connection: Connection) {
        watched.delete(connection);
        if (watched.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      },
    };
  }

  return {
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket;
      const refuse = (error: AuthError) => {
        socket.close(closeCodeOf(error), error.code);
        return false;
      };
      const params = readConnectionAuthorization(ctx.connectionParams);
      const started = onAuthentication === undefined ? 0 : performance.now();
      let result: AuthenticationResult;
      try {
        // Every kind of credentials goes through authenticate, so that with `security` a limited
        // client is refused before verification and each refusal counts, as over HTTP.
        const credentials =
          params.kind === 'value'
            ? extractBearerToken(params.authorization)
            : params.kind === 'duplicate'
              ? badRequest('duplicate-header')
              : UNREADABLE;
        const request = security === undefined ? undefined : ctx.extra.request;
        result = await authenticateWithDetails(
          credentials,
          verifier,
          security === undefined
            ? { maxTokenBytes }
            : {
                maxTokenBytes,
                security,
                clientKey: request === undefined ? undefined : clientKeyOf(request),
              },
        );
      } catch {
        if (onAuthentication !== undefined) {
          notify(onAuthentication, unexpectedFailureEvent(performance.now() - started));
        }
        // Not the client's fault (e.g. a failing key resolver): no jose message in the reason.
        socket.close(WS_CLOSE_INTERNAL_ERROR, 'INTERNAL_SERVER_ERROR');
        return false;
      }
      if (onAuthentication !== undefined) {
        notify(onAuthentication, toAuthenticationEvent(result, performance.now() - started));
      }
      const auth: AuthState = result.state;
      if (auth.status === 'failed') return refuse(auth.error);
      if (auth.status === 'anonymous' && requireAuthentication) {
        return refuse(new UnauthenticatedError());
      }
      const deadline = auth.principal === null ? undefined : deadlineOf(auth.principal);
      if (deadline !== undefined && deadline <= Date.now()) return refuse(new TokenExpiredError());
      // `security` checked revocation inside authenticate; an explicit seam is asked as well.
      if (auth.principal !== null && isRevoked !== undefined) {
        if (await revoked(isRevoked, auth.principal)) return refuse(revokedError());
      }
      // The client may have gone while the token was verified: onClose has run, keep nothing.
      if (closed.has(ctx)) return false;
      const connection: Connection = {
        auth,
        deadline,
        socket,
        timer: undefined,
        ended: false,
        endedWith: undefined,
      };
      connections.set(ctx, connection);
      live.add(connection);
      if (deadline !== undefined) armExpiry(connection, deadline);
      if (auth.principal !== null) revocation?.add(connection);
      return true;
    },

    context: (ctx) => {
      const connection = connections.get(ctx);
      if (connection === undefined) {
        // A subscribe racing the socket's close: nothing reaches the client; fail closed quietly.
        if (closed.has(ctx)) return { auth: ANONYMOUS };
        throw new Error(
          'claimgate: no connection state; pass createWsAuth().onConnect, context and onClose to useServer (see README).',
        );
      }
      // The expiry timer may lag the clock by a few ms: never hand out a principal past its deadline.
      if (
        !connection.ended &&
        connection.deadline !== undefined &&
        connection.deadline <= Date.now()
      ) {
        end(connection, new TokenExpiredError());
      }
      if (connection.endedWith !== undefined) {
        return { auth: { status: 'failed', principal: null, error: connection.endedWith } };
      }
      return { auth: connection.ended ? ANONYMOUS : connection.auth };
    },

    onClose: (ctx) => {
      closed.add(ctx);
      const connection = connections.get(ctx);
      if (connection === undefined) return;
      connection.ended = true;
      forget(connection);
    },

    activeConnections: () => live.size,
  };

  function deadlineOf(principal: Principal): number | undefined {
    const { exp } = principal.claims;
    return typeof exp === 'number' ? (exp + clockTolerance) * 1000 : undefined;
  }
}

/**
 * The close code of a refusal: `1013` for `AUTH_UNAVAILABLE` (not the client's fault, retry),
 * `4429` for `RATE_LIMITED` (stop retrying), `4403` for every other code.
 */
function closeCodeOf(error: AuthError): number {
  if (error.code === 'AUTH_UNAVAILABLE') return WS_CLOSE_TRY_AGAIN_LATER;
  if (error.code === 'RATE_LIMITED') return WS_CLOSE_RATE_LIMITED;
  return WS_CLOSE_FORBIDDEN;
}

/**
 * A live connection's revocation check through the monitor: `TOKEN_REVOKED` when revoked,
 * `AUTH_UNAVAILABLE` when the store failed and revocation fails closed, otherwise `undefined`.
 */
async function revocationByMonitor(
  security: SecurityMonitor,
  principal: Principal,
): Promise<AuthError | undefined> {
  try {
    return await security.checkRevocation(NOTHING_CHECKED, revocationClaimsOf(principal.claims));
  } catch (error) {
    if (error instanceof SecurityUnavailableError) {
      return new AuthUnavailableError('security-store', { cause: error });
    }
    // Not a store outage (the monitor reports those as above): fail open, as the seam does.
    return undefined;
  }
}

/** The error a revoked token ends its connection with: `TOKEN_REVOKED` ("sign in again"). */
function revokedError(): AuthError {
  return new AuthError('TOKEN_REVOKED');
}

/** The longest an `isRevoked` call may take before it counts as failed (fail open), in ms. */
export const IS_REVOKED_TIMEOUT_MS = 5_000;

async function revoked(
  check: (principal: Principal) => boolean | Promise<boolean>,
  principal: Principal,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), IS_REVOKED_TIMEOUT_MS);
    timer.unref();
  });
  try {
    // Bounded: a hung seam must neither hold a connection attempt nor stop every later sweep.
    return (await Promise.race([Promise.resolve(check(principal)), timeout])) === true;
  } catch {
    // Fail open, as documented: the store decides its own failure policy by what it returns.
    return false;
  } finally {
    clearTimeout(timer);
  }
}
