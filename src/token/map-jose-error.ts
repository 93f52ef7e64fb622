import { errors } from 'jose';
import { AuthError, TokenExpiredError, TokenInvalidError } from '../errors/auth-error.js';

/**
 * Maps what jose threw while verifying a client's token to a typed {@link AuthError}. jose's
 * message is never carried over (it can quote claim values); the jose error is kept as `cause`
 * for the server's own debugging only.
 *
 * Returns `undefined` for anything that is not a verdict on the token (a bug, a failing key
 * resolver): the caller must not blame the client for those.
 */
export function mapJoseError(error: unknown): AuthError | undefined {
  if (error instanceof AuthError) return error;
  if (!(error instanceof errors.JOSEError)) return undefined;
  const cause = { cause: error };
  if (error instanceof errors.JWTExpired) return new TokenExpiredError(cause);
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? new TokenInvalidError('not-yet-valid', { claim: 'nbf', ...cause })
      : new TokenInvalidError('claim', { claim: error.claim, ...cause });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenInvalidError('signature', cause);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenInvalidError('algorithm', cause);
  if (error instanceof errors.JOSENotSupported) {
    // Raised for an unrecognised `alg` and for an unsupported `crit` extension such as `b64`.
    return new TokenInvalidError('algorithm', cause);
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new TokenInvalidError('key', cause);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenInvalidError('malformed', cause);
  }
  return undefined;
}
