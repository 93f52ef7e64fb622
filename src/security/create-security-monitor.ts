import { RateLimitedError, TokenRevokedError } from '../errors/auth-error.js';
import {
  decideRateLimit,
  DEFAULT_RATE_LIMIT,
  normalizeRateLimit,
  type FailureKind,
  type RateLimitPolicy,
} from '../policy/rate-limit.js';
import {
  decideRevocation,
  revocationClaimsOf,
  type RevocationClaims,
  type RevocationStatus,
} from '../policy/revocation.js';
import type { SecurityReport, SecurityStore } from '../stores/security-store.js';
import type { Principal } from '../token/auth-state.js';
import { SecurityUnavailableError } from './security-unavailable-error.js';

/**
 * What a feature does when the store fails (error or timeout): `open` lets the request through
 * as if the feature were off, `closed` refuses it with HTTP 503.
 */
export type FailMode = 'open' | 'closed';

/** Something operators should know about, reported to {@link SecurityMonitorOptions.onEvent}. */
export type SecurityEvent =
  | {
      /** A store call failed or timed out; `outcome` says what the request got. */
      readonly type: 'store-unavailable';
      readonly feature: 'rate-limit' | 'revocation';
      /** `fail-open` / `fail-closed` per the feature's mode; `not-recorded` for a lost failure. */
      readonly outcome: 'fail-open' | 'fail-closed' | 'not-recorded';
      /** The error's name and message (never a token or claim: stores see digests and keys). */
      readonly error: string;
    }
  | {
      /** The store answered again after failures; `failedCalls` counts the calls that failed. */
      readonly type: 'store-recovered';
      readonly failedCalls: number;
    };

/** Options of {@link createSecurityMonitor}. */
export interface SecurityMonitorOptions {
  /** Where the shared state lives: `createMemorySecurityStore()` or `createRedisSecurityStore()`. */
  readonly store: SecurityStore;
  /**
   * Failed authentications allowed per client within the window; `false` turns rate limiting off.
   * @default { failures: 5, windowSeconds: 300 }
   */
  readonly rateLimit?: RateLimitPolicy | false | undefined;
  /**
   * Whether verified tokens are checked against revocations (`jti`, `sub` + `iat`).
   * @default true
   */
  readonly revocation?: boolean | undefined;
  /**
   * What each feature does when the store fails. Rate limiting fails open by default (an outage
   * must not lock everyone out; failures are then not counted); revocation fails closed (a revoked
   * token must not pass because Redis is down).
   * @default { rateLimit: 'open', revocation: 'closed' }
   */
  readonly failMode?:
    | { readonly rateLimit?: FailMode | undefined; readonly revocation?: FailMode | undefined }
    | undefined;
  /**
   * The longest lifetime of the tokens you accept, in seconds: how long a subject revocation
   * (`revokeSubject`) is kept. Every token it can apply to has expired by then.
   * @default 86400 (one day)
   */
  readonly maxTokenLifetimeSeconds?: number | undefined;
  /**
   * How many top offenders and limited clients the report lists.
   * @default 10
   */
  readonly reportTop?: number | undefined;
  /**
   * Told when the store fails or recovers.
   * @default one `console.warn` line when the store starts failing, one when it recovers
   */
  readonly onEvent?: ((event: SecurityEvent) => void) | undefined;
  /**
   * The clock, in milliseconds since the epoch, for tests.
   * @default Date.now
   */
  readonly now?: (() => number) | undefined;
}

/** The result of {@link SecurityMonitor.check}: read in one store round trip, before verifying. */
export interface SecurityCheck {
  /** Set when the client must be refused now, before any verification. */
  readonly refusal: RateLimitedError | undefined;
  /** The claims the revocation lookup was made for (read from the unverified payload). */
  readonly claims: RevocationClaims | undefined;
  /** What the store knows about them; `undefined` when not looked up or failing open. */
  readonly revocation: RevocationStatus | undefined;
  /** The lookup failed and revocation fails closed: refuse after verification (503). */
  readonly revocationUnavailable: boolean;
}

/** Failed-auth rate limiting and revocation over one {@link SecurityStore}. */
export interface SecurityMonitor {
  /** Whether rate limiting is on (its policy), or `false`. */
  readonly rateLimit: RateLimitPolicy | false;
  /** Whether revocation is checked. */
  readonly revocation: boolean;
  /**
   * Reads, in one round trip, the client's recent failures and the revocations that could apply
   * to `claims`. Makes no call when neither applies.
   * @throws SecurityUnavailableError when the store fails and rate limiting fails closed.
   */
  check(input: {
    readonly clientKey: string | undefined;
    readonly claims: RevocationClaims | undefined;
  }): Promise<SecurityCheck>;
  /**
   * Decides revocation for a token that verified, from `check`'s lookup (or a new one when the
   * verified claims differ from those looked up). Returns the error to refuse it with, if any.
   * @throws SecurityUnavailableError when the store fails and revocation fails closed.
   */
  checkRevocation(
    check: SecurityCheck,
    claims: RevocationClaims,
  ): Promise<TokenRevokedError | undefined>;
  /**
   * Whether a principal's token has been revoked since it was verified: one store round trip,
   * for long-lived connections of your own (`createWsAuth({ security })` re-checks its connections
   * itself). When the store fails, the answer follows the revocation fail mode (`closed`: revoked).
   */
  isRevoked(principal: Principal): Promise<boolean>;
  /** Records a failed authentication of `clientKey`. Never throws. */
  recordFailure(clientKey: string | undefined, kind: FailureKind): Promise<void>;
  /** Counts a request refused with `RATE_LIMITED` (for the report). Never throws, never waits. */
  recordRefusal(clientKey: string): void;
  /**
   * Revokes one token by its `jti` until its `exp` (seconds since the epoch), when the entry
   * leaves by itself. With `iss`, only the token of that issuer with this `jti`; without it, a
   * token with this `jti` from any issuer.
   *
   * `exp` omitted, for a token without `exp` (`requireExpiration: false`): the entry is kept
   * `maxTokenLifetimeSeconds` from now, after which that token would be accepted again, unless the
   * verifier's `maxTokenAge` (at most `maxTokenLifetimeSeconds`) refuses it by then.
   * @throws TypeError naming the field when `jti` is empty, `iss` is given but not a non-empty
   * string, or `exp` is given but not a finite number at most {@link MAX_REVOCATION_HORIZON_SECONDS}
   * past now; the store's error when it fails.
   */
  revokeToken(token: {
    readonly jti: string;
    readonly exp?: number | undefined;
    readonly iss?: string | undefined;
  }): Promise<void>;
  /**
   * Revokes every token of `sub` issued before `before` (seconds since the epoch; default: the
   * end of the current second, so every token issued so far is covered). With `iss`, only the
   * tokens of that issuer; without it, the subject's tokens from every issuer. The entry is kept
   * `maxTokenLifetimeSeconds`.
   * @throws TypeError naming the field when `sub` is empty, `before` is not a finite number or
   * `iss` is given but not a non-empty string; the store's error when it fails.
   */
  revokeSubject(subject: {
    readonly sub: string;
    readonly before?: number | undefined;
    readonly iss?: string | undefined;
  }): Promise<void>;
  /**
   * The security report over the rate-limit window (the default window when rate limiting is off).
   * @throws the store's error when it fails.
   */
  report(): Promise<SecurityReport>;
  /** Closes the store. */
  close(): Promise<void>;
}

/**
 * The furthest in the future a revoked token's `exp` may be, in seconds from now: ten years. Any
 * real token expires sooner; a larger value is a mistake (milliseconds given as seconds, `1e300`)
 * and would otherwise reach the store as a time Redis cannot hold.
 */
export const MAX_REVOCATION_HORIZON_SECONDS = 10 * 366 * 86_400;

/**
 * Creates the {@link SecurityMonitor} that `createAuthContext({ security })` consults on each
 * request with credentials: a limited client is refused before verification, each failure is
 * recorded by kind, and a verified token is checked against revocations.
 * @throws TypeError on invalid options.
 * @example
 * const security = createSecurityMonitor({ store: await createRedisSecurityStore({ url }) });
 * const authContext = createAuthContext({ verifier, security });
 */
export function createSecurityMonitor(options: SecurityMonitorOptions): SecurityMonitor {
  const { store } = options;
  if (store === undefined || typeof store.lookup !== 'function') {
    throw new TypeError('claimgate: createSecurityMonitor needs a `store`.');
  }
  const rateLimit =
    options.rateLimit === false
      ? false
      : normalizeRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const revocation = options.revocation ?? true;
  const rateLimitMode = options.failMode?.rateLimit ?? 'open';
  const revocationMode = options.failMode?.revocation ?? 'closed';
  for (const mode of [rateLimitMode, revocationMode]) {
    if (mode !== 'open' && mode !== 'closed') {
      throw new TypeError('claimgate: `failMode` values must be "open" or "closed".');
    }
  }
  const lifetime = options.maxTokenLifetimeSeconds ?? 86_400;
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new TypeError('claimgate: `maxTokenLifetimeSeconds` must be a positive number.');
  }
  const top = options.reportTop ?? 10;
  if (!Number.isSafeInteger(top) || top < 1 || top > 1000) {
    throw new TypeError('claimgate: `reportTop` must be an integer from 1 to 1000.');
  }
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? createDefaultEventLogger();
  const window = rateLimit === false ? DEFAULT_RATE_LIMIT : rateLimit;

  let failedCalls = 0;
  function failed(
    feature: 'rate-limit' | 'revocation',
    outcome: 'fail-open' | 'fail-closed' | 'not-recorded',
    error: unknown,
  ): void {
    failedCalls += 1;
    emit({ type: 'store-unavailable', feature, outcome, error: describe(error) });
  }
  function succeeded(): void {
    if (failedCalls === 0) return;
    const count = failedCalls;
    failedCalls = 0;
    emit({ type: 'store-recovered', failedCalls: count });
  }

  const NO_CHECK: SecurityCheck = Object.freeze({
    refusal: undefined,
    claims: undefined,
    revocation: undefined,
    revocationUnavailable: false,
  });

  async function lookupRevocation(
    claims: RevocationClaims,
  ): Promise<RevocationStatus | 'unavailable' | undefined> {
    try {
      const status = await store.lookup({
        nowMs: now(),
        ...(claims.jti === undefined ? {} : { jti: claims.jti }),
        ...(claims.sub === undefined ? {} : { subject: claims.sub }),
        ...(claims.iss === undefined ? {} : { issuer: claims.iss }),
      });
      succeeded();
      return status;
    } catch (error) {
      failed('revocation', revocationMode === 'open' ? 'fail-open' : 'fail-closed', error);
      return revocationMode === 'open' ? undefined : 'unavailable';
    }
  }

  return {
    rateLimit,
    revocation,

    async check({ clientKey, claims }) {
      const limitClient = rateLimit !== false && clientKey !== undefined ? clientKey : undefined;
      const revocationClaims =
        revocation && claims !== undefined && (claims.jti !== undefined || claims.sub !== undefined)
          ? claims
          : undefined;
      if (limitClient === undefined && revocationClaims === undefined) return NO_CHECK;
      const nowMs = now();
      let result;
      try {
        result = await store.lookup({
          nowMs,
          ...(limitClient === undefined || rateLimit === false
            ? {}
            : { failuresOf: { clientKey: limitClient, limit: rateLimit.failures } }),
          ...(revocationClaims?.jti === undefined ? {} : { jti: revocationClaims.jti }),
          ...(revocationClaims?.sub === undefined ? {} : { subject: revocationClaims.sub }),
          ...(revocationClaims?.iss === undefined ? {} : { issuer: revocationClaims.iss }),
        });
        succeeded();
      } catch (error) {
        if (limitClient !== undefined) {
          failed('rate-limit', rateLimitMode === 'open' ? 'fail-open' : 'fail-closed', error);
          if (rateLimitMode === 'closed') throw new SecurityUnavailableError('rate-limit');
        }
        if (revocationClaims !== undefined) {
          failed('revocation', revocationMode === 'open' ? 'fail-open' : 'fail-closed', error);
        }
        return {
          refusal: undefined,
          claims: revocationClaims,
          revocation: undefined,
          revocationUnavailable: revocationClaims !== undefined && revocationMode === 'closed',
        };
      }
      const decision =
        rateLimit === false || limitClient === undefined
          ? undefined
          : decideRateLimit(result.recentFailures, rateLimit, nowMs);
      return {
        refusal:
          decision?.limited === true ? new RateLimitedError(decision.retryAfterSeconds) : undefined,
        claims: revocationClaims,
        revocation: revocationClaims === undefined ? undefined : result,
        revocationUnavailable: false,
      };
    },

    async checkRevocation(check, claims) {
      if (!revocation || (claims.jti === undefined && claims.sub === undefined)) return undefined;
      const looked = check.claims;
      const same =
        looked !== undefined &&
        looked.jti === claims.jti &&
        looked.sub === claims.sub &&
        looked.iat === claims.iat &&
        looked.iss === claims.iss;
      let status: RevocationStatus | 'unavailable' | undefined;
      if (same) status = check.revocationUnavailable ? 'unavailable' : check.revocation;
      else status = await lookupRevocation(claims);
      if (status === 'unavailable') throw new SecurityUnavailableError('revocation');
      if (status === undefined) return undefined;
      const decision = decideRevocation(claims, status);
      return decision.revoked ? new TokenRevokedError(decision.by) : undefined;
    },

    async isRevoked(principal) {
      if (!revocation) return false;
      const claims = revocationClaimsOf(principal.claims);
      if (claims.jti === undefined && claims.sub === undefined) return false;
      const status = await lookupRevocation(claims);
      if (status === 'unavailable') return true;
      return status !== undefined && decideRevocation(claims, status).revoked;
    },

    async recordFailure(clientKey, kind) {
      if (rateLimit === false || clientKey === undefined) return;
      try {
        await store.recordFailure({
          clientKey,
          kind,
          nowMs: now(),
          limit: rateLimit.failures,
          windowMs: rateLimit.windowSeconds * 1000,
        });
        succeeded();
      } catch (error) {
        failed('rate-limit', 'not-recorded', error);
      }
    },

    recordRefusal(clientKey) {
      if (rateLimit === false) return;
      // Not awaited: a refused request must not wait on the store.
      store
        .recordFailure({
          clientKey,
          kind: 'refused',
          nowMs: now(),
          limit: rateLimit.failures,
          windowMs: rateLimit.windowSeconds * 1000,
        })
        .then(succeeded, (error: unknown) => failed('rate-limit', 'not-recorded', error));
    },

    async revokeToken({ jti, exp, iss }) {
      if (typeof jti !== 'string' || jti === '') {
        throw new TypeError("claimgate: revokeToken needs the token's `jti` (a non-empty string).");
      }
      checkIssuer(iss, 'revokeToken');
      const nowMs = now();
      if (exp !== undefined) {
        if (typeof exp !== 'number' || !Number.isFinite(exp)) {
          throw new TypeError(
            "claimgate: revokeToken `exp` must be the token's expiry in seconds since the epoch (omit it for a token without `exp`).",
          );
        }
        if (exp > nowMs / 1000 + MAX_REVOCATION_HORIZON_SECONDS) {
          throw new TypeError(
            'claimgate: revokeToken `exp` is more than ten years away: give seconds since the epoch, not milliseconds.',
          );
        }
      }
      // A token without exp: kept as long as a subject revocation (see the method's doc).
      const expiresAtMs = exp === undefined ? nowMs + lifetime * 1000 : exp * 1000;
      await store.revokeToken(jti, expiresAtMs, nowMs, ...(iss === undefined ? [] : [iss]));
    },

    async revokeSubject({ sub, before, iss }) {
      if (typeof sub !== 'string' || sub === '') {
        throw new TypeError('claimgate: revokeSubject needs `sub` (a non-empty string).');
      }
      if (before !== undefined && (typeof before !== 'number' || !Number.isFinite(before))) {
        throw new TypeError('claimgate: revokeSubject `before` must be seconds since the epoch.');
      }
      checkIssuer(iss, 'revokeSubject');
      const nowMs = now();
      // iat has one-second resolution: revoking "now" covers every token issued in this second.
      const moment = before ?? Math.floor(nowMs / 1000) + 1;
      await store.revokeSubject(
        sub,
        moment,
        lifetime * 1000,
        nowMs,
        ...(iss === undefined ? [] : [iss]),
      );
    },

    report() {
      return store.report({
        nowMs: now(),
        limit: window.failures,
        windowMs: window.windowSeconds * 1000,
        top,
      });
    },

    close() {
      return store.close();
    },
  };
}

/** `iss` of a revocation: absent (every issuer) or a non-empty string. */
function checkIssuer(iss: unknown, method: string): void {
  if (iss !== undefined && (typeof iss !== 'string' || iss === '')) {
    throw new TypeError(
      `claimgate: ${method} \`iss\` must be a non-empty string (the issuer whose tokens it revokes), or omitted for every issuer.`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/** One warning when the store starts failing, one when it answers again: no flood. */
function createDefaultEventLogger(): (event: SecurityEvent) => void {
  let failing = false;
  return (event) => {
    if (event.type === 'store-unavailable') {
      if (failing) return;
      failing = true;
      console.warn(
        `claimgate: security store unavailable (${event.error}); ${event.feature} ${event.outcome}.`,
      );
    } else {
      failing = false;
      console.warn(
        `claimgate: security store recovered after ${event.failedCalls} failed call(s).`,
      );
    }
  };
}
