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
  /**
   * The generation of the usable key set, for caches of verified tokens: a number that changes
   * whenever a token verified earlier might no longer verify with the keys in use now. A remote JWKS
   * moves it on when a refetch brings a set that differs from the one it replaces (a key withdrawn,
   * replaced or added) and when its set passes `maxStaleAge` and stops being trusted; an identical
   * refetch leaves it alone. A verdict cached under one generation is valid only while the
   * generation is the same. Synchronous, O(1) and allocation-free; like {@link isReady} it also
   * starts a due background refresh, so an instance answered from a cache still learns of a
   * withdrawn key. Absent for sources whose keys never change (secrets, PEM keys, local JWK Sets,
   * custom resolvers).
   */
  keyGeneration?(): number;
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
