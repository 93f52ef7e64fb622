import { decodeJwt } from 'jose';
import { TokenInvalidError } from '../errors/auth-error.js';
import {
  createTokenVerifier,
  type DetailedTokenVerifier,
  type TokenVerification,
  type TokenVerifierOptions,
} from './create-token-verifier.js';

/** One trusted issuer: its exact `iss` value and the full policy its tokens are verified with. */
export interface IssuerPolicy extends TokenVerifierOptions {
  /** The issuer's `iss` value, compared exactly (no trailing-slash or case folding). */
  readonly issuer: string;
}

/** Options of {@link createMultiIssuerVerifier}. */
export interface MultiIssuerVerifierOptions {
  /** The trusted issuers, each with its own key source, algorithms, audience and claims. */
  readonly issuers: readonly IssuerPolicy[];
}

/**
 * Creates a {@link TokenVerifier} that trusts several issuers (e.g. a user IdP and a
 * machine-to-machine IdP). A token is verified only with the keys and policy of the issuer its
 * `iss` names: `iss` is read unverified only to choose that policy, which then checks `iss` again,
 * exactly, together with the signature. A token of an issuer not configured is `TOKEN_INVALID`
 * without any key being tried (RFC 8725 §3.8).
 * @throws TypeError on misconfiguration: no issuers, a duplicate issuer, or any issuer's policy.
 * @example
 * const verifier = await createMultiIssuerVerifier({
 *   issuers: [
 *     { issuer: 'https://id.example.com/', key: { oidcIssuer: 'https://id.example.com/' },
 *       algorithms: ['RS256'], audience: 'api' },
 *     { issuer: 'https://m2m.example.com/', key: { jwksUrl: 'https://m2m.example.com/jwks' },
 *       algorithms: ['ES256'], audience: 'api', permissionClaims: ['scope'] },
 *   ],
 * });
 */
export async function createMultiIssuerVerifier(
  options: MultiIssuerVerifierOptions,
): Promise<DetailedTokenVerifier> {
  const policies = options?.issuers;
  if (!Array.isArray(policies) || policies.length === 0) {
    throw new TypeError('claimgate: `issuers` must list at least one issuer policy.');
  }
  const verifiers = new Map<string, DetailedTokenVerifier>();
  for (const policy of policies as readonly IssuerPolicy[]) {
    if (typeof policy?.issuer !== 'string' || policy.issuer === '') {
      throw new TypeError(
        'claimgate: every entry of `issuers` needs `issuer`, a non-empty string.',
      );
    }
    if (verifiers.has(policy.issuer)) {
      throw new TypeError(`claimgate: issuer ${JSON.stringify(policy.issuer)} is listed twice.`);
    }
    verifiers.set(policy.issuer, await createTokenVerifier(policy));
  }
  const all = [...verifiers.values()];

  /** The verifier of the issuer `token` names (its `iss`, read unverified only to choose). */
  const select = (token: string): DetailedTokenVerifier => {
    let iss: unknown;
    try {
      ({ iss } = decodeJwt(token));
    } catch {
      throw new TokenInvalidError('malformed');
    }
    const verifier = typeof iss === 'string' ? verifiers.get(iss) : undefined;
    if (verifier === undefined) throw new TokenInvalidError('claim', { claim: 'iss' });
    return verifier;
  };

  return {
    async verify(token) {
      return select(token).verify(token);
    },
    // Each issuer's verifier has its own verified-token cache (its policy's `cache` option).
    async verifyWithDetails(token): Promise<TokenVerification> {
      let verifier: DetailedTokenVerifier;
      try {
        verifier = select(token);
      } catch (error) {
        if (!(error instanceof TokenInvalidError)) throw error;
        return { ok: false, error, algorithm: undefined, kid: undefined, cacheHit: false };
      }
      return verifier.verifyWithDetails(token);
    },
    isReady: () => all.every((verifier) => verifier.isReady()),
    async warmUp() {
      // Warm every issuer even when one fails; report the first failure.
      const results = await Promise.allSettled(all.map((verifier) => verifier.warmUp()));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}
