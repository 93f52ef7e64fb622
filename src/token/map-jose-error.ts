import { errors } from 'jose';
import { AuthError, TokenExpiredError, TokenInvalidError } from '../errors/auth-error.js';

/**
 * Maps what jose threw while verifying a client's token to a typed {@link AuthError}. Neither jose's
 * message nor the jose error itself is carried over: jose errors hold the claims payload, which must
 * never reach a response or a log line. `reason` and `claim` say what failed.
 *
 * Returns `undefined` for anything that is not a verdict on the token (a bug, a failing key
 * resolver): the caller must not blame the client for those.
 */
export function mapJoseError(error: unknown): AuthError | undefined {
  if (error instanceof AuthError) return error;
  if (!(error instanceof errors.JOSEError)) return undefined;
  if (error instanceof errors.JWTExpired) return new TokenExpiredError();
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? new TokenInvalidError('not-yet-valid', { claim: 'nbf' })
      : new TokenInvalidError('claim', { claim: error.claim });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenInvalidError('signature');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenInvalidError('algorithm');
  if (error instanceof errors.JOSENotSupported) {
    // Raised for an unrecognised `alg` and for an unsupported `crit` extension such as `b64`.
    return new TokenInvalidError('algorithm');
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new TokenInvalidError('key');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenInvalidError('malformed');
  }
  return undefined;
}
