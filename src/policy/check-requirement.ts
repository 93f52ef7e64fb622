import { ForbiddenError, UnauthenticatedError, type AuthError } from '../errors/auth-error.js';
import type { AuthState } from '../token/auth-state.js';
import type { Requirement } from './requirement.js';

/** The outcome of {@link checkRequirement}: allowed, or denied with the typed error to raise. */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly error: AuthError };

const ALLOWED: Decision = Object.freeze({ allowed: true });

/** A requirement compiled once (at schema build) into a synchronous check. */
export type RequirementCheck = (auth: AuthState) => Decision;

/**
 * Decides whether `auth` satisfies `requirement`. Pure and synchronous.
 *
 * - anonymous: denied with `UNAUTHENTICATED`;
 * - a refused token: denied with that token's error (`TOKEN_EXPIRED`, `TOKEN_INVALID`, ...);
 * - authenticated: denied with `FORBIDDEN` naming the first clause none of whose permissions is held.
 */
export function checkRequirement(requirement: Requirement, auth: AuthState): Decision {
  return compileRequirement(requirement)(auth);
}

/**
 * Compiles `requirement` into a {@link RequirementCheck}: clauses are frozen into arrays once, so the
 * per-call work is a few Set lookups and no allocation on success.
 */
export function compileRequirement(requirement: Requirement): RequirementCheck {
  const clauses = requirement.clauses.map((clause) => Object.freeze([...clause]));
  // Errors for a given failed clause are immutable; build them lazily per call so that the stack
  // does not point at schema build time, but keep the permission list shared.
  return (auth) => {
    if (auth.status === 'anonymous') return { allowed: false, error: new UnauthenticatedError() };
    if (auth.status === 'failed') return { allowed: false, error: auth.error };
    const held = auth.principal.permissions;
    for (const clause of clauses) {
      if (!clause.some((permission) => held.has(permission))) {
        return { allowed: false, error: new ForbiddenError(clause) };
      }
    }
    return ALLOWED;
  };
}
