import { decodeJwt } from 'jose';
import { revocationClaimsOf, type RevocationClaims } from '../policy/revocation.js';

/**
 * Reads `jti`, `sub`, `iat` and `iss` from a token's payload WITHOUT verifying it, so the revocation
 * lookup can share the rate-limit read's round trip (issue #5). The result only chooses which
 * revocation entries to fetch; the decision is made after verification, on the verified claims.
 * Returns `undefined` for a token whose payload cannot be decoded (verification refuses it).
 */
export function peekRevocationClaims(token: string): RevocationClaims | undefined {
  try {
    return revocationClaimsOf(decodeJwt(token));
  } catch {
    return undefined;
  }
}
