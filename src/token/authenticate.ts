import {
  AuthError,
  AuthUnavailableError,
  BadRequestError,
  TokenExpiredError,
  TokenInvalidError,
  type TokenFailureReason,
} from '../errors/auth-error.js';
import { failureKindOf } from '../policy/rate-limit.js';
import { revocationClaimsOf } from '../policy/revocation.js';
import type { SecurityMonitor } from '../security/create-security-monitor.js';
import { SecurityUnavailableError } from '../security/security-unavailable-error.js';
import { ANONYMOUS, type AuthState } from './auth-state.js';
import type { TokenVerifier } from './create-token-verifier.js';
import { extractBearerToken, type BearerCredentials } from './extract-bearer-token.js';
import { peekRevocationClaims } from './peek-revocation-claims.js';

/** The largest token accepted by default, in bytes (UTF-16 code units of the header value). */
export const DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

/** Options of {@link authenticate} and {@link authenticateCredentials}. */
export interface AuthenticateOptions {
  /**
   * The largest token verified, in bytes; a longer one is `TOKEN_INVALID` without being parsed.
   * @default 8192
   */
  readonly maxTokenBytes?: number | undefined;
  /** Rate limiting and revocation; without it, verification alone decides. */
  readonly security?: SecurityMonitor | undefined;
  /** Who is asking (the socket address by default), for rate limiting. */
  readonly clientKey?: string | undefined;
}

/**
 * A credential value that cannot be a token at all, e.g. a `connectionParams.Authorization` that is
 * not a string or is too long to read: `TOKEN_INVALID` (`malformed`) without being parsed, rate
 * limited and counted like an oversize token. Internal to claimgate's contexts.
 */
export interface UnreadableCredentials {
  readonly kind: 'unreadable';
}

/** {@link authenticateWithDetails}'s result: the state plus what observers may see of the token. */
export interface AuthenticationResult {
  readonly state: AuthState;
  readonly algorithm: string | undefined;
  readonly kid: string | undefined;
  readonly cacheHit: boolean;
}

const ANONYMOUS_RESULT: AuthenticationResult = Object.freeze({
  state: ANONYMOUS,
  algorithm: undefined,
  kid: undefined,
  cacheHit: false,
});

/**
 * Authenticates one request from its `Authorization` header value(s): extraction, then at most one
 * verification. Never throws for a client's input: a missing token is `anonymous`, a refused one
 * or a malformed request is `failed` with its typed error, and a token that could not be checked
 * because the keys are unavailable is `failed` with `AUTH_UNAVAILABLE` (not the client's fault,
 * but not a crash either).
 * @throws Error only for a bug (an untyped error from the verifier).
 */
export async function authenticate(
  authorization: string | readonly string[] | undefined,
  verifier: TokenVerifier,
  options: AuthenticateOptions = {},
): Promise<AuthState> {
  return authenticateCredentials(extractBearerToken(authorization), verifier, options);
}

/**
 * Authenticates already extracted credentials (see {@link authenticate}).
 *
 * With `security`, a request carrying credentials first costs one store round trip (the client's
 * recent failures and the token's revocation entries, read together): a limited client is
 * refused with `RATE_LIMITED` before any verification; each refusal is recorded by kind; a token
 * that verified but is revoked is refused with `TOKEN_REVOKED`.
 * When the store fails and the feature fails closed, the state is `failed` with
 * `AUTH_UNAVAILABLE` (reason `security-store`), like a key-infrastructure failure.
 * @throws Error only when verification fails for a reason that is not the client's.
 */
export async function authenticateCredentials(
  credentials: BearerCredentials,
  verifier: TokenVerifier,
  options: AuthenticateOptions = {},
): Promise<AuthState> {
  return (await authenticateWithDetails(credentials, verifier, options)).state;
}

/**
 * {@link authenticateCredentials}, also returning the algorithm, `kid` and cache hit of the
 * verification for an observer. Uses `verifier.verifyWithDetails` when the verifier has it.
 * @throws Error only when verification fails for a reason that is not the client's.
 */
export async function authenticateWithDetails(
  credentials: BearerCredentials | UnreadableCredentials,
  verifier: TokenVerifier,
  options: AuthenticateOptions = {},
): Promise<AuthenticationResult> {
  if (credentials.kind === 'none') return ANONYMOUS_RESULT;
  if (options.security !== undefined) {
    return authenticateGuarded(credentials, verifier, options, options.security);
  }
  if (credentials.kind === 'bad-request') {
    return failed(new BadRequestError(credentials.reason));
  }
  if (credentials.kind === 'unreadable') return failed(new TokenInvalidError('malformed'));
  // A size cap before any parsing: an 8 KiB token is far above any real access token.
  if (credentials.token.length > (options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES)) {
    return failed(new TokenInvalidError('malformed'));
  }
  return verifyToken(credentials.token, verifier);
}

/** One verification, with details when the verifier offers them. */
async function verifyToken(token: string, verifier: TokenVerifier): Promise<AuthenticationResult> {
  if (verifier.verifyWithDetails === undefined) return viaVerify(token, verifier);
  const verification = await verifier.verifyWithDetails(token);
  const { algorithm, kid, cacheHit } = verification;
  const state: AuthState = verification.ok
    ? { status: 'authenticated', principal: verification.principal }
    : { status: 'failed', principal: null, error: verification.error };
  return { state, algorithm, kid, cacheHit };
}

/** For a verifier without `verifyWithDetails` (a custom implementation): no details to report. */
async function viaVerify(token: string, verifier: TokenVerifier): Promise<AuthenticationResult> {
  let state: AuthState;
  try {
    state = { status: 'authenticated', principal: await verifier.verify(token) };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    state = { status: 'failed', principal: null, error };
  }
  return { state, algorithm: undefined, kid: undefined, cacheHit: false };
}

async function authenticateGuarded(
  credentials: Exclude<BearerCredentials, { kind: 'none' }> | UnreadableCredentials,
  verifier: TokenVerifier,
  options: AuthenticateOptions,
  security: SecurityMonitor,
): Promise<AuthenticationResult> {
  try {
    return await authenticateWithStore(credentials, verifier, options, security);
  } catch (error) {
    // The store is down and this feature fails closed: not the client's fault, retry soon.
    if (error instanceof SecurityUnavailableError) {
      return failed(new AuthUnavailableError('security-store', { cause: error }));
    }
    throw error;
  }
}

async function authenticateWithStore(
  credentials: Exclude<BearerCredentials, { kind: 'none' }> | UnreadableCredentials,
  verifier: TokenVerifier,
  options: AuthenticateOptions,
  security: SecurityMonitor,
): Promise<AuthenticationResult> {
  const { clientKey } = options;
  const oversize =
    credentials.kind === 'unreadable' ||
    (credentials.kind === 'bearer' &&
      credentials.token.length > (options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES));
  const check = await security.check({
    clientKey,
    // The size cap holds for the peek too: an oversize token is never parsed (issue #4).
    claims:
      credentials.kind === 'bearer' && !oversize && security.revocation
        ? peekRevocationClaims(credentials.token)
        : undefined,
  });
  if (check.refusal !== undefined) {
    if (clientKey !== undefined) security.recordRefusal(clientKey);
    return failed(check.refusal);
  }
  if (credentials.kind === 'bad-request') {
    await security.recordFailure(clientKey, 'malformed');
    return failed(new BadRequestError(credentials.reason));
  }
  if (oversize) {
    await security.recordFailure(clientKey, 'malformed');
    return failed(new TokenInvalidError('malformed'));
  }
  const result = await verifyToken(credentials.token, verifier);
  const { state } = result;
  if (state.status === 'failed') {
    // Keys that cannot be loaded are the server's failure, not a failed authentication.
    if (state.error.code !== 'AUTH_UNAVAILABLE') {
      await security.recordFailure(clientKey, failureKindOf(reasonOf(state.error)));
    }
    return result;
  }
  if (state.status !== 'authenticated') return result;
  const revoked = await security.checkRevocation(check, revocationClaimsOf(state.principal.claims));
  if (revoked !== undefined) {
    await security.recordFailure(clientKey, 'other');
    return { ...result, state: { status: 'failed', principal: null, error: revoked } };
  }
  return result;
}

function failed(error: AuthError): AuthenticationResult {
  return {
    state: { status: 'failed', principal: null, error },
    algorithm: undefined,
    kid: undefined,
    cacheHit: false,
  };
}

function reasonOf(error: AuthError): TokenFailureReason | undefined {
  if (error instanceof TokenExpiredError) return error.reason;
  return error instanceof TokenInvalidError ? error.reason : undefined;
}

/**
 * Validates a `maxTokenBytes` option at start-up.
 * @throws TypeError when it is not a positive integer.
 */
export function assertMaxTokenBytes(value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new TypeError('claimgate: `maxTokenBytes` must be a positive integer number of bytes.');
  }
}
