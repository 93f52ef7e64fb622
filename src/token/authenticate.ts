import { AuthError, BadRequestError, TokenInvalidError } from '../errors/auth-error.js';
import { ANONYMOUS, type AuthState } from './auth-state.js';
import type { TokenVerifier } from './create-token-verifier.js';
import { extractBearerToken, type BearerCredentials } from './extract-bearer-token.js';

/** The largest token accepted by default, in bytes (UTF-16 code units of the header value). */
export const DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

/** Options of {@link authenticate} and {@link authenticateCredentials}. */
export interface AuthenticateOptions {
  /**
   * The largest token verified, in bytes; a longer one is `TOKEN_INVALID` without being parsed.
   * @default 8192
   */
  readonly maxTokenBytes?: number | undefined;
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
  credentials: BearerCredentials,
  verifier: TokenVerifier,
  options: AuthenticateOptions = {},
): Promise<AuthenticationResult> {
  if (credentials.kind === 'none') return ANONYMOUS_RESULT;
  if (credentials.kind === 'bad-request') {
    return failed(new BadRequestError(credentials.reason));
  }
  // A size cap before any parsing: an 8 KiB token is far above any real access token.
  if (credentials.token.length > (options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES)) {
    return failed(new TokenInvalidError('malformed'));
  }
  if (verifier.verifyWithDetails === undefined) return viaVerify(credentials.token, verifier);
  const verification = await verifier.verifyWithDetails(credentials.token);
  const { algorithm, kid, cacheHit } = verification;
  const state: AuthState = verification.ok
    ? { status: 'authenticated', principal: verification.principal }
    : { status: 'failed', principal: null, error: verification.error };
  return { state, algorithm, kid, cacheHit };
}

function failed(error: AuthError): AuthenticationResult {
  return {
    state: { status: 'failed', principal: null, error },
    algorithm: undefined,
    kid: undefined,
    cacheHit: false,
  };
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

/**
 * Validates a `maxTokenBytes` option at start-up.
 * @throws TypeError when it is not a positive integer.
 */
export function assertMaxTokenBytes(value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new TypeError('claimgate: `maxTokenBytes` must be a positive integer number of bytes.');
  }
}
