/**
 * The security store could not answer and the feature is configured to fail closed. Not the
 * client's fault and not an `AuthError`: the context answers HTTP 503 with `Retry-After`.
 */
export class SecurityUnavailableError extends Error {
  /** The feature that failed closed. */
  readonly feature: 'rate-limit' | 'revocation';

  constructor(feature: 'rate-limit' | 'revocation', options?: { cause?: unknown }) {
    super(
      'claimgate: the security store is unavailable and this feature fails closed.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'SecurityUnavailableError';
    this.feature = feature;
  }
}
