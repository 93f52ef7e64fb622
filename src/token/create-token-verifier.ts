import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { AuthError, TokenInvalidError } from '../errors/auth-error.js';
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
import {
  createVerifiedTokenCache,
  type VerifiedTokenCache,
  type VerifiedTokenCacheOptions,
} from './create-verified-token-cache.js';
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
   * The clock, for tests. The verified-token cache reads it too.
   * @default () => new Date()
   */
  readonly currentDate?: (() => Date) | undefined;
  /**
   * The verified-token cache: a token that verified is not verified again until its `exp` (or
   * `iat + maxTokenAge`), to the millisecond. `false` turns it off; an object sets its bounds.
   * Only tokens that verified and carry `exp` are cached. A hit returns the same {@link Principal};
   * whatever the request path checks after verification (revocation, rate limits) still runs. An
   * entry holds only while the key source's `keyGeneration()` is the one it was verified under: a
   * remote JWKS whose keys changed (a key withdrawn, replaced or added) or passed `maxStaleAge`
   * makes the next request with the token verify it again.
   * @default { maxEntries: 10000, maxBytes: 16777216 }
   */
  readonly cache?: false | VerifiedTokenCacheOptions | undefined;
}

/**
 * The outcome of one verification with what observers may see: never the token or its claims.
 * `algorithm` and `kid` come from the protected header; on failure `algorithm` is reported only
 * once it passed the allow-list (so its values are bounded) and `kid` is never reported (it is
 * unverified, attacker-chosen text).
 */
export type TokenVerification =
  | {
      readonly ok: true;
      readonly principal: Principal;
      readonly algorithm: string;
      readonly kid: string | undefined;
      /** Whether the verified-token cache answered. */
      readonly cacheHit: boolean;
    }
  | {
      readonly ok: false;
      readonly error: AuthError;
      readonly algorithm: string | undefined;
      readonly kid: undefined;
      readonly cacheHit: false;
    };

/** Verifies compact JWS tokens into {@link Principal}s with one fixed policy. */
export interface TokenVerifier {
  /**
   * Verifies `token` and returns the caller it identifies.
   * @throws TokenExpiredError `TOKEN_EXPIRED` when `exp` (or `maxTokenAge`) has passed.
   * @throws TokenInvalidError `TOKEN_INVALID` for any other failure: malformed or non-canonical,
   *   signature, algorithm, key, issuer, audience, `nbf`, future `iat`, lifetime, `typ`, required
   *   claims, custom validators, permission claim types.
   * @throws AuthUnavailableError `AUTH_UNAVAILABLE` when the keys cannot be loaded (JWKS endpoint
   *   down, slow, answering garbage) or a `getKey` resolver fails or returns a key no allowed
   *   algorithm can use: not the client's fault, retry later.
   */
  verify(token: string): Promise<Principal>;
  /**
   * Whether the keys are loaded (always true for local keys; a remote JWKS after its first fetch,
   * until its keys are past `maxStaleAge`; see `ImportedKeySource.isReady`).
   */
  isReady(): boolean;
  /**
   * Loads remote keys now (e.g. at start-up); resolves at once when they are loaded.
   * @throws AuthUnavailableError `AUTH_UNAVAILABLE` when they cannot be loaded; `cause` says why.
   */
  warmUp(): Promise<void>;
  /**
   * Like {@link TokenVerifier.verify}, but a refused token resolves with `ok: false` and its typed
   * error instead of rejecting, and the result says which algorithm and key verified it and whether
   * the cache answered. `createAuthContext` uses it to feed its observer.
   * @throws Error (untyped) only for failures that are not the client's.
   */
  verifyWithDetails?(token: string): Promise<TokenVerification>;
}

/** A {@link TokenVerifier} that always has `verifyWithDetails`: what `createTokenVerifier` makes. */
export type DetailedTokenVerifier = TokenVerifier & {
  verifyWithDetails(token: string): Promise<TokenVerification>;
};

/**
 * What the cache keeps per token: the principal, the header fields observers see, and the key
 * source's generation the token was verified under (see `ImportedKeySource.keyGeneration`).
 */
interface CachedVerification {
  readonly principal: Principal;
  readonly algorithm: string;
  readonly kid: string | undefined;
  readonly keyGeneration: number;
}

/** The generation of a key source whose keys never change. */
const STATIC_KEY_GENERATION = 0;

/** Fixed per-entry overhead in the cache's byte estimate (Map slot, entry, principal, Set). */
const CACHE_ENTRY_OVERHEAD_BYTES = 512;

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
export async function createTokenVerifier(
  options: TokenVerifierOptions,
): Promise<DetailedTokenVerifier> {
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
  const cache = createCache(options.cache);
  const pending = new Map<string, Promise<TokenVerification>>();
  const now = currentDate === undefined ? Date.now : () => currentDate().getTime();
  const keyGeneration =
    getKey.keyGeneration === undefined
      ? () => STATIC_KEY_GENERATION
      : getKey.keyGeneration.bind(getKey);

  async function verifyUncached(token: string): Promise<TokenVerification> {
    // jose calls the key resolver only after the algorithm passed the allow-list (RFC 8725 §3.1),
    // so an algorithm seen here is one of ours and safe to report on failure.
    let algorithm: string | undefined;
    try {
      // Before any crypto: one canonical spelling per token (issue #4).
      assertCanonicalJws(token);
      const at = currentDate === undefined ? new Date() : currentDate();
      let result;
      let keyResolved = false;
      try {
        result = await jwtVerify(
          token,
          async (header, jws) => {
            algorithm = header.alg;
            const resolved = await getKey(header, jws);
            keyResolved = true;
            return resolved;
          },
          { ...base, currentDate: at },
        );
      } catch (error) {
        const mapped = mapJoseError(error);
        if (mapped !== undefined) throw mapped;
        // Once the key is resolved, what jose throws that is not a JOSEError (a TypeError, a
        // DOMException from importKey) says the key cannot serve the algorithm the token's header
        // names. Every key source checks its keys against the algorithm before handing them over
        // (a custom resolver's through `guardResolver`), so this is a last line against a mismatch
        // those checks missed. The header is the client's: a verdict on the token, never a 500.
        if (keyResolved) throw new TokenInvalidError('key');
        throw error;
      }
      const { payload, protectedHeader } = result;
      assertStrictJsonPayload(token);
      checkClaimsPolicy(payload, policy, Math.floor(at.getTime() / 1000));
      return {
        ok: true,
        principal: claimsToPrincipal(payload, permissionClaims),
        algorithm: protectedHeader.alg,
        kid: protectedHeader.kid,
        cacheHit: false,
      };
    } catch (error) {
      // A verdict on the token (or AUTH_UNAVAILABLE from the key source) is a result; anything
      // else is a bug and propagates.
      if (error instanceof AuthError) {
        return { ok: false, error, algorithm, kid: undefined, cacheHit: false };
      }
      throw error;
    }
  }

  async function verifyWithDetails(token: string): Promise<TokenVerification> {
    if (cache === undefined) return verifyUncached(token);
    const key = cache.keyOf(token);
    const hit = cache.get(key, now());
    // Read before verifying: a key set that changes during the verification leaves the entry
    // behind, so it is verified once more rather than trusted under keys it never met.
    const generation = keyGeneration();
    // A hit from an earlier key generation is a miss: the key that verified it may be withdrawn
    // or no longer trusted, and the answer must be what an uncached verification gives now.
    if (hit !== undefined && hit.keyGeneration === generation) {
      return {
        ok: true,
        principal: hit.principal,
        algorithm: hit.algorithm,
        kid: hit.kid,
        cacheHit: true,
      };
    }
    // Concurrent requests with the same new token share one verification (no thundering herd).
    const inFlight = pending.get(key);
    if (inFlight !== undefined) {
      const shared = await inFlight;
      return shared.ok ? { ...shared, cacheHit: true } : shared;
    }
    const promise = verifyUncached(token);
    pending.set(key, promise);
    let verification: TokenVerification;
    try {
      verification = await promise;
    } finally {
      pending.delete(key);
    }
    if (!verification.ok) {
      // A token of an earlier generation that no longer verifies: forget it.
      if (hit !== undefined) cache.delete(key);
    } else {
      const expiresAtMs = cacheDeadline(verification.principal.claims, maxTokenAge);
      if (expiresAtMs !== undefined) {
        // The principal is shared by every request that presents this token until it expires:
        // claimsToPrincipal made it read-only all the way down (claims and permissions).
        const { principal, algorithm, kid } = verification;
        const bytes = 2 * token.length + CACHE_ENTRY_OVERHEAD_BYTES;
        cache.set(
          key,
          { principal, algorithm, kid, keyGeneration: generation },
          expiresAtMs,
          bytes,
          now(),
        );
      }
    }
    return verification;
  }

  return {
    async verify(token) {
      const verification = await verifyWithDetails(token);
      if (!verification.ok) throw verification.error;
      return verification.principal;
    },
    verifyWithDetails,
    isReady: () => getKey.isReady(),
    warmUp: () => getKey.warmUp(),
  };
}

function createCache(
  option: false | VerifiedTokenCacheOptions | undefined,
): VerifiedTokenCache<CachedVerification> | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw new TypeError(
      'claimgate: `cache` must be false or an object such as { maxEntries: 10000, maxBytes: 16777216 }.',
    );
  }
  return createVerifiedTokenCache<CachedVerification>(option);
}

/**
 * The instant a cached verification stops being valid, in epoch milliseconds: the token's `exp`,
 * or `iat + maxTokenAge` when that is earlier. `undefined` (not cached) for a token without `exp`.
 * The clock tolerance is deliberately not added: a cached entry never outlives `exp`.
 */
function cacheDeadline(claims: JWTPayload, maxTokenAge: number | undefined): number | undefined {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  const deadline = exp * 1000;
  if (maxTokenAge === undefined || typeof iat !== 'number') return deadline;
  return Math.min(deadline, (iat + maxTokenAge) * 1000);
}
