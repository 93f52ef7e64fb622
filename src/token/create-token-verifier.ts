import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { normalizeAlgorithms } from '../keys/algorithms.js';
import { importKeySource, type KeyConfig } from '../keys/import-key-source.js';
import type { Principal } from './auth-state.js';
import {
  claimsToPrincipal,
  compileClaimPaths,
  DEFAULT_PERMISSION_CLAIMS,
  type ClaimPath,
} from './claims-to-principal.js';
import { mapJoseError } from './map-jose-error.js';

/** Options of {@link createTokenVerifier}. Validated once; a mistake throws at start-up. */
export interface TokenVerifierOptions {
  /**
   * The JWS algorithms accepted (RFC 8725 §3.1). Required; HMAC and public-key algorithms never mix.
   */
  readonly algorithms: readonly string[];
  /** The verification key: `{ secret }`, `{ publicKey }` (PEM) or `{ getKey }` (a resolver). */
  readonly key: KeyConfig;
  /** Accepted `iss` value(s), compared exactly. @default undefined (not checked) */
  readonly issuer?: string | readonly string[] | undefined;
  /** Accepted `aud` value(s); the token must name at least one. @default undefined (not checked) */
  readonly audience?: string | readonly string[] | undefined;
  /**
   * Allowed clock skew when checking `exp`, `nbf` and `iat`, in seconds.
   * @default 10
   */
  readonly clockTolerance?: number | undefined;
  /**
   * Whether a token without `exp` is refused (RFC 8725 §3.10: tokens should expire).
   * @default true
   */
  readonly requireExpiration?: boolean | undefined;
  /**
   * Maximum age of a token since its `iat`, in seconds; a token without `iat` is then refused.
   * An older token is `TOKEN_EXPIRED`.
   * @default undefined (no limit beyond `exp`)
   */
  readonly maxTokenAge?: number | undefined;
  /**
   * The claims permissions are read from and merged: arrays of strings or space-delimited strings.
   * @default ["permissions", "scope"]
   */
  readonly permissionClaims?: readonly ClaimPath[] | undefined;
  /**
   * The clock, for tests.
   * @default () => new Date()
   */
  readonly currentDate?: (() => Date) | undefined;
}

/** Verifies compact JWS tokens into {@link Principal}s with one fixed policy. */
export interface TokenVerifier {
  /**
   * Verifies `token` and returns the caller it identifies.
   * @throws TokenExpiredError `TOKEN_EXPIRED` when `exp` (or `maxTokenAge`) has passed.
   * @throws TokenInvalidError `TOKEN_INVALID` for any other failure: malformed, signature,
   *   algorithm, key, issuer, audience, `nbf`, permission claim types.
   * @throws Error (untyped) only for failures that are not the client's: a failing key resolver.
   */
  verify(token: string): Promise<Principal>;
}

/** The clock tolerance when none is configured, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;

/**
 * Creates a {@link TokenVerifier}: validates the policy and imports keys once, at start-up.
 * @throws TypeError on misconfiguration, saying what to change.
 * @example
 * const verifier = await createTokenVerifier({
 *   algorithms: ['RS256'],
 *   key: { publicKey: process.env.JWT_PUBLIC_KEY },
 *   issuer: 'https://id.example.com/',
 *   audience: 'api',
 * });
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('claimgate: createTokenVerifier needs an options object.');
  }
  const allow = normalizeAlgorithms(options.algorithms);
  const clockTolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('claimgate: `clockTolerance` must be a non-negative number of seconds.');
  }
  const { maxTokenAge, currentDate } = options;
  if (maxTokenAge !== undefined && (!Number.isFinite(maxTokenAge) || maxTokenAge <= 0)) {
    throw new TypeError('claimgate: `maxTokenAge` must be a positive number of seconds.');
  }
  for (const [name, value] of [
    ['issuer', options.issuer],
    ['audience', options.audience],
  ] as const) {
    const values = typeof value === 'string' ? [value] : value;
    if (
      values !== undefined &&
      (values.length === 0 || values.some((v) => typeof v !== 'string' || v === ''))
    ) {
      throw new TypeError(`claimgate: \`${name}\` must be a non-empty string or list of strings.`);
    }
  }
  const permissionClaims = compileClaimPaths(options.permissionClaims ?? DEFAULT_PERMISSION_CLAIMS);
  const getKey = await importKeySource(options.key, allow);

  const base: JWTVerifyOptions = {
    algorithms: [...allow.algorithms],
    clockTolerance,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer as string | string[] }),
    ...(options.audience === undefined ? {} : { audience: options.audience as string | string[] }),
    ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
    ...(options.requireExpiration === false ? {} : { requiredClaims: ['exp'] }),
  };

  return {
    async verify(token) {
      const verifyOptions =
        currentDate === undefined ? base : { ...base, currentDate: currentDate() };
      let payload;
      try {
        ({ payload } = await jwtVerify(token, getKey, verifyOptions));
      } catch (error) {
        const mapped = mapJoseError(error);
        throw mapped ?? error;
      }
      return claimsToPrincipal(payload, permissionClaims);
    },
  };
}
