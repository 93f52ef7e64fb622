import type { JWTPayload } from 'jose';
import type { AuthError } from '../errors/auth-error.js';

/** The verified caller: built once per request from a token that verified. */
export interface Principal {
  /** The `sub` claim, when the token has one. */
  readonly subject: string | undefined;
  /** The `iss` claim, when the token has one. */
  readonly issuer: string | undefined;
  /** Every permission the token grants (the configured claims, merged). */
  readonly permissions: ReadonlySet<string>;
  /** The verified claims. Never log or return them as a whole. */
  readonly claims: Readonly<JWTPayload>;
}

/** A request that presented a token which verified. */
export interface AuthenticatedState {
  readonly status: 'authenticated';
  readonly principal: Principal;
}

/** A request that presented no credentials. */
export interface AnonymousState {
  readonly status: 'anonymous';
  readonly principal: null;
}

/** A request whose token was refused; `error` says why with a typed code. */
export interface FailedState {
  readonly status: 'failed';
  readonly principal: null;
  readonly error: AuthError;
}

/**
 * The outcome of authenticating one request, kept in the GraphQL context as `context.auth`.
 * `principal` is non-null exactly when `status` is `'authenticated'`.
 */
export type AuthState = AuthenticatedState | AnonymousState | FailedState;

/** The state of a request without credentials. Shared: it carries nothing request-specific. */
export const ANONYMOUS: AnonymousState = Object.freeze({ status: 'anonymous', principal: null });
