import type { TokenFailureReason } from '../errors/auth-error.js';

/**
 * The kinds failed authentications are counted by in the security report: a coarse, closed set
 * derived from {@link TokenFailureReason}.
 */
export type FailureKind = 'expired' | 'invalid-signature' | 'malformed' | 'other';

/** Every {@link FailureKind}, in report order. */
export const FAILURE_KINDS: readonly FailureKind[] = Object.freeze([
  'expired',
  'invalid-signature',
  'malformed',
  'other',
]);

/**
 * The kind a refusal counts as. `undefined` (no reason, e.g. a revoked token) counts as `other`.
 */
export function failureKindOf(reason: TokenFailureReason | undefined): FailureKind {
  switch (reason) {
    case 'expired':
      return 'expired';
    case 'signature':
      return 'invalid-signature';
    case 'malformed':
      return 'malformed';
    default:
      return 'other';
  }
}

/** How many failed authentications a client may have within a sliding window. */
export interface RateLimitPolicy {
  /** Failures that make a client limited, counted within the window. */
  readonly failures: number;
  /** Length of the sliding window, in seconds. */
  readonly windowSeconds: number;
}

/** The seed default: 5 failures within 5 minutes. */
export const DEFAULT_RATE_LIMIT: RateLimitPolicy = Object.freeze({
  failures: 5,
  windowSeconds: 300,
});

/** The outcome of {@link decideRateLimit}. */
export type RateLimitDecision =
  { readonly limited: false } | { readonly limited: true; readonly retryAfterSeconds: number };

const NOT_LIMITED: RateLimitDecision = Object.freeze({ limited: false });

/**
 * Validates a rate-limit policy once, at start-up.
 * @throws TypeError when `failures` is not a positive integer or `windowSeconds` not a positive
 *   integer number of seconds.
 */
export function normalizeRateLimit(policy: RateLimitPolicy): RateLimitPolicy {
  const { failures, windowSeconds } = policy;
  if (!Number.isSafeInteger(failures) || failures < 1 || failures > 1000) {
    throw new TypeError('claimgate: rate limit `failures` must be an integer from 1 to 1000.');
  }
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 86_400 * 7) {
    throw new TypeError(
      'claimgate: rate limit `windowSeconds` must be an integer from 1 to 604800 (7 days).',
    );
  }
  return Object.freeze({ failures, windowSeconds });
}

/**
 * Parses `<failures>/<seconds>` (`"5/300"`), or `"off"` for no limit.
 * @throws TypeError for anything else, saying the expected form.
 */
export function parseRateLimit(text: string): RateLimitPolicy | false {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'off') return false;
  const match = /^(\d{1,4})\s*\/\s*(\d{1,6})$/.exec(trimmed);
  if (match === null) {
    throw new TypeError(
      `claimgate: rate limit ${JSON.stringify(text)} is not "<failures>/<seconds>" (e.g. "5/300") or "off".`,
    );
  }
  return normalizeRateLimit({ failures: Number(match[1]), windowSeconds: Number(match[2]) });
}

/**
 * Decides whether a client is limited, from the timestamps of its most recent failures (in
 * milliseconds since the epoch, any order; only the newest `policy.failures` matter). Pure.
 *
 * A client is limited while `policy.failures` of its failures lie within the window ending at
 * `nowMs`; it may retry once the oldest of those leaves the window.
 */
export function decideRateLimit(
  recentFailures: readonly number[],
  policy: RateLimitPolicy,
  nowMs: number,
): RateLimitDecision {
  if (recentFailures.length < policy.failures) return NOT_LIMITED;
  const windowMs = policy.windowSeconds * 1000;
  const newest = [...recentFailures].sort((a, b) => b - a);
  // The failures-th newest failure is the one whose expiry lifts the limit.
  const pivot = newest[policy.failures - 1];
  if (pivot === undefined || pivot <= nowMs - windowMs) return NOT_LIMITED;
  const retryAfterSeconds = Math.max(1, Math.ceil((pivot + windowMs - nowMs) / 1000));
  return { limited: true, retryAfterSeconds };
}
