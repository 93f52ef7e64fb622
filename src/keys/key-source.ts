import type { JWTVerifyGetKey } from 'jose';
import type { KeySourceFailureReason } from '../errors/auth-error.js';

/** A function that resolves the key for a token's protected header (jose's `JWTVerifyGetKey`). */
export type KeySource = JWTVerifyGetKey;

/**
 * What `importKeySource` returns: a {@link KeySource} (called by jose with the protected
 * header after the algorithm allow-list check) plus a readiness signal. Local keys are ready at
 * once; a remote JWKS is ready after its first successful fetch.
 */
export interface ImportedKeySource extends KeySource {
  /**
   * Whether keys are loaded, so tokens can be verified without waiting on the network. A remote
   * JWKS turns unready again when its keys get older than `maxStaleAge` (refreshes failing); once it
   * holds keys, a call also starts the background refresh when one is due, so readiness probes keep
   * an instance without traffic up to date. Before the first load it fetches nothing.
   */
  isReady(): boolean;
  /**
   * Loads the keys now, e.g. at start-up, so the first request does not wait on the network.
   * Resolves at once for static keys and for a remote JWKS that is already loaded and not past
   * `maxStaleAge`.
   * @throws AuthUnavailableError `AUTH_UNAVAILABLE` when the keys cannot be loaded; `cause` says why.
   */
  warmUp(): Promise<void>;
}

/**
 * A key-infrastructure failure with a message naming what failed (endpoint, status, limit), for the
 * server's logs. Never shown to clients: it travels as the `cause` of an `AuthUnavailableError`.
 */
export class KeySourceError extends Error {
  readonly reason: KeySourceFailureReason;

  constructor(reason: KeySourceFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeySourceError';
    this.reason = reason;
  }
}

/** Wraps a resolver whose keys are always available as an {@link ImportedKeySource}. */
export function staticKeySource(getKey: JWTVerifyGetKey): ImportedKeySource {
  const source: JWTVerifyGetKey = (header, token) => getKey(header, token);
  return Object.assign(source, {
    isReady: () => true,
    warmUp: () => Promise.resolve(),
  });
}
