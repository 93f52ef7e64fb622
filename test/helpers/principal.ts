import type { AuthState, Principal } from '../../src/index.js';
import { TokenExpiredError } from '../../src/index.js';

/** A verified caller holding `permissions`, as `claimsToPrincipal` would build it. */
export function principalWith(permissions: readonly string[], subject = 'user-1'): Principal {
  return {
    subject,
    issuer: 'https://issuer.test/',
    permissions: new Set(permissions),
    claims: { sub: subject, permissions: [...permissions] },
  };
}

/** The auth state of a request whose token expired. */
export const EXPIRED_STATE: AuthState = {
  status: 'failed',
  principal: null,
  error: new TokenExpiredError(),
};
