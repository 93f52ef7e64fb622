import type { FailureKind } from '../policy/rate-limit.js';
import type { RevocationStatus } from '../policy/revocation.js';

/**
 * What one request needs from the store before and after verification, fetched together so the
 * success path costs a single round trip.
 */
export interface SecurityLookup {
  /** Now, in milliseconds since the epoch. */
  readonly nowMs: number;
  /** The client whose recent failures to read; omitted when rate limiting is off. */
  readonly failuresOf?: {
    readonly clientKey: string;
    /** At most this many failures (the newest) are returned. */
    readonly limit: number;
  };
  /** The `jti` whose revocation to look up. */
  readonly jti?: string;
  /** The `sub` whose revoked-before moment to look up. */
  readonly subject?: string;
  /**
   * The token's `iss`: the entries scoped to this issuer are consulted as well as the unscoped
   * ones (which apply to every issuer), in the same round trip. Without it only unscoped entries
   * apply.
   */
  readonly issuer?: string;
}

/** The answer to a {@link SecurityLookup}. */
export interface SecurityLookupResult extends RevocationStatus {
  /** The client's most recent failure timestamps (ms), newest first; empty when not asked. */
  readonly recentFailures: readonly number[];
}

/** One failed authentication, or one request refused because its client was limited. */
export interface FailureEvent {
  readonly clientKey: string;
  /** The failure's kind, or `refused` for a request refused with `RATE_LIMITED`. */
  readonly kind: FailureKind | 'refused';
  /** When, in milliseconds since the epoch. */
  readonly nowMs: number;
  /** The policy's failure count: the store keeps at most this many timestamps per client. */
  readonly limit: number;
  /** The policy's window, in milliseconds: failures older than this are forgotten. */
  readonly windowMs: number;
}

/** What {@link SecurityStore.report} is asked for. */
export interface SecurityReportQuery {
  readonly nowMs: number;
  readonly limit: number;
  readonly windowMs: number;
  /** How many offenders and limited clients to list. */
  readonly top: number;
}

/** A client in the security report. */
export interface ClientEntry {
  readonly clientKey: string;
  /** Failed authentications plus refused (rate-limited) requests within the window. */
  readonly attempts: number;
}

/** A client currently limited. */
export interface LimitedClient {
  readonly clientKey: string;
  /** Seconds until it may try again. */
  readonly retryAfterSeconds: number;
}

/**
 * Failed authentications over the window: by kind, currently limited clients, top offenders.
 * Counts over the window have the granularity of one bucket (a sixth of the window).
 */
export interface SecurityReport {
  /** The window the counts cover, in seconds. */
  readonly windowSeconds: number;
  /** When the report was made (ISO 8601). */
  readonly generatedAt: string;
  /** Failed authentications within the window, by kind. */
  readonly failuresByKind: Readonly<Record<FailureKind, number>>;
  /** Requests refused with `RATE_LIMITED` within the window. */
  readonly refusedRequests: number;
  /** How many clients are limited now. */
  readonly limitedClientCount: number;
  /** The limited clients with the longest wait, at most `top` of them. */
  readonly limitedClients: readonly LimitedClient[];
  /** The clients with the most attempts, most first, at most `top` of them. */
  readonly topOffenders: readonly ClientEntry[];
}

/**
 * Shared state of failed-auth rate limiting and token revocation. One contract, two
 * implementations: {@link createMemorySecurityStore} (one instance) and
 * {@link createRedisSecurityStore} (many instances sharing Redis). A store does I/O only; the
 * decisions are the pure functions of `policy/`. Every method may reject when the backing
 * service fails; the monitor decides whether to fail open or closed.
 */
export interface SecurityStore {
  /** Reads what {@link SecurityLookup} asks for, in one round trip. */
  lookup(query: SecurityLookup): Promise<SecurityLookupResult>;
  /** Records one failure (or refusal) atomically; returns the client's recent failures after it. */
  recordFailure(event: FailureEvent): Promise<readonly number[]>;
  /**
   * Revokes the token with this `jti` until `expiresAtMs` (its `exp`), when the entry leaves by
   * itself. A `jti` already past its expiry is ignored. With `issuer`, only that issuer's token
   * with this `jti` is revoked (an entry distinct from the unscoped one); without it, a token with
   * this `jti` from any issuer. A store that ignores `issuer` revokes more, never less.
   */
  revokeToken(jti: string, expiresAtMs: number, nowMs: number, issuer?: string): Promise<void>;
  /**
   * Revokes every token of `subject` whose `iat` is before `beforeSeconds`. A later call with an
   * earlier moment does not undo it. The entry lives `ttlMs` (the longest token lifetime). With
   * `issuer`, only that issuer's tokens of `subject`; without it, those of every issuer.
   */
  revokeSubject(
    subject: string,
    beforeSeconds: number,
    ttlMs: number,
    nowMs: number,
    issuer?: string,
  ): Promise<void>;
  /** Builds the security report. */
  report(query: SecurityReportQuery): Promise<SecurityReport>;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}

/** How long each report bucket is, for a window: a sixth of it, at least one second. */
export function bucketMsOf(windowMs: number): number {
  return Math.max(1000, Math.ceil(windowMs / REPORT_BUCKETS));
}

/** The number of buckets a report sums. */
export const REPORT_BUCKETS = 6;

/** A {@link SecurityReport.failuresByKind} record from a per-kind count. */
export function countsByKind(count: (kind: FailureKind) => number): Record<FailureKind, number> {
  return {
    expired: count('expired'),
    'invalid-signature': count('invalid-signature'),
    malformed: count('malformed'),
    other: count('other'),
  };
}
