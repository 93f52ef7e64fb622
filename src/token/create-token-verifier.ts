import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { normalizeAlgorithms } from '../keys/algorithms.js';
import { importKeySource, type KeyConfig } from '../keys/import-key-source.js';
import { assertCanonicalJws, assertStrictJsonPayload } from './assert-canonical-jws.js';
import type { Principal } from './auth-state.js';
import {
  checkClaimsPolicy,
  resolveClaimsPolicy,
  type ClaimValidator,
} from './check-claims-policy.js';
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
  /**
   * The verification key: `{ secret }`, `{ publicKey }` (PEM), `{ jwk }`, `{ jwks }`,
   * `{ jwksFile }`, `{ jwksUrl }` (remote JWKS), `{ oidcIssuer }` (OIDC discovery) or `{ getKey }`.
   */
  readonly key: KeyConfig;
  /**
   * Accepted `iss` value(s), compared exactly.
   * @default the `oidcIssuer` of the key, if any; otherwise undefined (not checked)
   */
  readonly issuer?: string | readonly string[] | undefined;
  /** Accepted `aud` value(s); the token must name at least one. @default undefined (not checked) */
  readonly audience?: string | readonly string[] | undefined;
  /**
   * Allowed clock skew when checking `exp`, `nbf` and `iat`, in seconds. At most 300.
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
   * The longest lifetime accepted, in seconds: `exp - iat` must not exceed it, and neither may
   * `exp - now` (which bounds tokens without `iat`). Longer-lived tokens are `TOKEN_INVALID`.
   * @default 86400 (24 hours)
   */
  readonly maxTokenLifetime?: number | undefined;
  /**
   * The required `typ` header (RFC 8725 §3.11), compared case-insensitively without the
   * `application/` prefix: `"at+jwt"` for RFC 9068 access tokens. A mismatch is `TOKEN_INVALID`.
   * @default undefined (not checked)
   */
  readonly typ?: string | undefined;
  /**
   * Claims that must be present, in addition to `exp` (when `requireExpiration`), `iss` and `aud`
   * (when configured) and `iat` (with `maxTokenAge`). A missing one is `TOKEN_INVALID`.
   * @default []
   */
  readonly requiredClaims?: readonly string[] | undefined;
  /**
   * Custom checks by claim name, run after the signature and the registered claims verified; a
   * validator returning `false` (or throwing) makes the token `TOKEN_INVALID`.
   * @default {}
   * @example claimValidators: { permissions: isStringListOf(['articles:read', 'admin']) }
   */
  readonly claimValidators?: Readonly<Record<string, ClaimValidator>> | undefined;
  /**
   * Production mode: `issuer` and `audience` become required (RFC 8725 §3.8, §3.9), so a token
   * minted for another service of the same issuer or by another issuer cannot be replayed here.
   * @default false
   */
  readonly production?: boolean | undefined;
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
   * @throws TokenInvalidError `TOKEN_INVALID` for any other failure: malformed or non-canonical,
   *   signature, algorithm, key, issuer, audience, `nbf`, future `iat`, lifetime, `typ`, required
   *   claims, custom validators, permission claim types.
   * @throws AuthUnavailableError `AUTH_UNAVAILABLE` when the keys cannot be loaded (JWKS endpoint
   *   down, slow, answering garbage): not the client's fault, retry later.
   */
  verify(token: string): Promise<Principal>;
  /** Whether the keys are loaded (always true for local keys; a remote JWKS after its first fetch). */
  isReady(): boolean;
  /**
   * Loads remote keys now (e.g. at start-up); resolves at once when they are loaded.
   * @throws AuthUnavailableError `AUTH_UNAVAILABLE` when they cannot be loaded; `cause` says why.
   */
  warmUp(): Promise<void>;
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
  // An OIDC key source trusts one issuer's keys: unless told otherwise, accept only its tokens.
  const { key } = options;
  const issuer =
    options.issuer ??
    (key !== null && typeof key === 'object' && 'oidcIssuer' in key ? key.oidcIssuer : undefined);
  const { policy, typ, requiredClaims } = resolveClaimsPolicy(
    { ...options, issuer },
    clockTolerance,
  );
  const permissionClaims = compileClaimPaths(options.permissionClaims ?? DEFAULT_PERMISSION_CLAIMS);
  const getKey = await importKeySource(key, allow);
  const base: JWTVerifyOptions = {
    algorithms: [...allow.algorithms],
    clockTolerance,
    ...(issuer === undefined ? {} : { issuer: issuer as string | string[] }),
    ...(options.audience === undefined ? {} : { audience: options.audience as string | string[] }),
    ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
    ...(typ === undefined ? {} : { typ }),
    requiredClaims: [...requiredClaims],
  };

  return {
    async verify(token) {
      // Before any crypto: one canonical spelling per token (issue #4).
      assertCanonicalJws(token);
      const now = currentDate === undefined ? new Date() : currentDate();
      let payload;
      try {
        ({ payload } = await jwtVerify(token, getKey, { ...base, currentDate: now }));
      } catch (error) {
        const mapped = mapJoseError(error);
        throw mapped ?? error;
      }
      assertStrictJsonPayload(token);
      checkClaimsPolicy(payload, policy, Math.floor(now.getTime() / 1000));
      return claimsToPrincipal(payload, permissionClaims);
    },
    isReady: () => getKey.isReady(),
    warmUp: () => getKey.warmUp(),
  };
}
