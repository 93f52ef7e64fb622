import type { JWTPayload } from 'jose';
import { TokenInvalidError } from '../errors/auth-error.js';

/**
 * A custom check of one claim, run after the signature and the registered claims verified. It gets
 * the claim's value (`undefined` when absent) and the whole payload, and returns whether the token
 * is acceptable. Returning `false` or throwing makes the token `TOKEN_INVALID`: a validator sees
 * attacker-shaped input only after the signature verified, but it must still fail closed.
 */
export type ClaimValidator = (value: unknown, payload: Readonly<JWTPayload>) => boolean;

/** The largest `exp - iat` accepted by default, in seconds (24 hours). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** The largest clock tolerance a verifier accepts, in seconds (5 minutes). */
export const MAX_CLOCK_TOLERANCE_SECONDS = 5 * 60;

/** The claims policy claimgate adds on top of jose's checks, resolved once. */
export interface ClaimsPolicy {
  readonly maxTokenLifetime: number;
  readonly clockTolerance: number;
  readonly claimValidators: readonly (readonly [string, ClaimValidator])[];
}

/**
 * Checks what jose leaves open (RFC 8725 §3.10, RFC 7519 §4.1), at `now` in seconds:
 * - `exp`, `nbf` and `iat` are finite (`"exp": 1e400` parses to `Infinity`);
 * - `iat` is not in the future (beyond the clock tolerance);
 * - the lifetime `exp - iat` is at most `maxTokenLifetime`, and `exp` is at most that far from now
 *   (which bounds tokens without `iat`);
 * - every custom validator accepts its claim.
 * @throws TokenInvalidError `TOKEN_INVALID`, reason `claim`, naming the claim.
 */
export function checkClaimsPolicy(payload: JWTPayload, policy: ClaimsPolicy, now: number): void {
  const { exp, iat, nbf } = payload;
  for (const [name, value] of [
    ['exp', exp],
    ['nbf', nbf],
    ['iat', iat],
  ] as const) {
    // jose has checked these are numbers when present; it has not checked that they are finite.
    if (value !== undefined && !Number.isFinite(value)) throw invalid(name);
  }
  if (iat !== undefined && iat > now + policy.clockTolerance) throw invalid('iat');
  if (exp !== undefined) {
    if (iat !== undefined && exp - iat > policy.maxTokenLifetime) throw invalid('exp');
    if (exp - now > policy.maxTokenLifetime + policy.clockTolerance) throw invalid('exp');
  }
  for (const [name, validate] of policy.claimValidators) {
    const value = Object.hasOwn(payload, name) ? payload[name] : undefined;
    let accepted: boolean;
    try {
      accepted = validate(value, payload) === true;
    } catch {
      accepted = false; // fail closed; the validator's message is not the client's business
    }
    if (!accepted) throw invalid(name);
  }
}

function invalid(claim: string): TokenInvalidError {
  return new TokenInvalidError('claim', { claim });
}

/**
 * A {@link ClaimValidator} for a claim that must be a list of strings taken from `allowed` (for
 * example a `permissions` claim). An absent claim passes unless `required` is set.
 * @throws TypeError at creation when `allowed` is empty.
 * @example
 * claimValidators: { permissions: isStringListOf(['articles:read', 'articles:write']) }
 */
export function isStringListOf(
  allowed: readonly string[],
  options: { readonly required?: boolean } = {},
): ClaimValidator {
  if (!Array.isArray(allowed) || allowed.length === 0) {
    throw new TypeError('claimgate: isStringListOf needs a non-empty list of allowed strings.');
  }
  const set = new Set(allowed);
  const required = options.required === true;
  return (value) => {
    if (value === undefined) return !required;
    return Array.isArray(value) && value.every((item) => typeof item === 'string' && set.has(item));
  };
}

/** The options {@link resolveClaimsPolicy} reads (a subset of the verifier's). */
export interface ClaimsPolicyOptions {
  readonly issuer?: string | readonly string[] | undefined;
  readonly audience?: string | readonly string[] | undefined;
  readonly requireExpiration?: boolean | undefined;
  readonly maxTokenLifetime?: number | undefined;
  readonly typ?: string | undefined;
  readonly requiredClaims?: readonly string[] | undefined;
  readonly claimValidators?: Readonly<Record<string, ClaimValidator>> | undefined;
  readonly production?: boolean | undefined;
}

/**
 * Resolves and validates the claims-policy options at start-up: claimgate's own checks, plus the
 * `typ` and `requiredClaims` handed to jose.
 * @throws TypeError saying what to change.
 */
export function resolveClaimsPolicy(
  options: ClaimsPolicyOptions,
  clockTolerance: number,
): {
  readonly policy: ClaimsPolicy;
  readonly typ: string | undefined;
  readonly requiredClaims: readonly string[];
} {
  if (options.production === true) {
    const missing = (['issuer', 'audience'] as const).filter((name) => options[name] === undefined);
    if (missing.length > 0) {
      throw new TypeError(
        `claimgate: production mode needs ${missing.map((m) => `\`${m}\``).join(' and ')}: set them to the values your identity provider puts in \`iss\` and \`aud\` (RFC 8725 §3.8–3.9).`,
      );
    }
  }
  if (clockTolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new TypeError(
      `claimgate: \`clockTolerance\` is ${clockTolerance} seconds; at most ${MAX_CLOCK_TOLERANCE_SECONDS} (5 minutes) is accepted. Fix the clocks (NTP) and lower it.`,
    );
  }
  const maxTokenLifetime = options.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!Number.isFinite(maxTokenLifetime) || maxTokenLifetime <= 0) {
    throw new TypeError('claimgate: `maxTokenLifetime` must be a positive number of seconds.');
  }
  const { typ } = options;
  if (typ !== undefined && (typeof typ !== 'string' || typ.trim() === '')) {
    throw new TypeError('claimgate: `typ` must be a non-empty string such as "at+jwt".');
  }
  const required: readonly unknown[] = options.requiredClaims ?? [];
  if (
    !Array.isArray(required) ||
    required.some((claim) => typeof claim !== 'string' || claim === '')
  ) {
    throw new TypeError('claimgate: `requiredClaims` must be a list of claim names.');
  }
  const validators = Object.entries(options.claimValidators ?? {});
  for (const [name, validate] of validators) {
    if (typeof validate !== 'function') {
      throw new TypeError(`claimgate: \`claimValidators.${name}\` must be a function.`);
    }
  }
  const requiredClaims = [
    ...new Set([
      ...(options.requireExpiration === false ? [] : ['exp']),
      ...(required as readonly string[]), // every entry is a non-empty string by now
    ]),
  ];
  return {
    policy: { maxTokenLifetime, clockTolerance, claimValidators: Object.freeze(validators) },
    typ,
    requiredClaims: Object.freeze(requiredClaims),
  };
}
