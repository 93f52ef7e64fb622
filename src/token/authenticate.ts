import { AuthError, TokenInvalidError } from '../errors/auth-error.js';
import { ANONYMOUS, type AuthState } from './auth-state.js';
import type { TokenVerifier } from './create-token-verifier.js';
import { extractBearerToken } from './extract-bearer-token.js';

/**
 * Authenticates one request from its `Authorization` header value: extraction, then at most one
 * verification. Never throws for a client's input: a missing token is `anonymous`, a refused one
 * is `failed` with its typed error.
 * @throws Error only when verification fails for a reason that is not the client's.
 */
export async function authenticate(
  authorization: string | undefined,
  verifier: TokenVerifier,
): Promise<AuthState> {
  const credentials = extractBearerToken(authorization);
  if (credentials.kind === 'none') return ANONYMOUS;
  if (credentials.kind === 'malformed') {
    return { status: 'failed', principal: null, error: new TokenInvalidError('malformed') };
  }
  try {
    return { status: 'authenticated', principal: await verifier.verify(credentials.token) };
  } catch (error) {
    if (error instanceof AuthError) return { status: 'failed', principal: null, error };
    throw error;
  }
}
