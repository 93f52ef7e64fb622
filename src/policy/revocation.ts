/**
 * What the store knows about the revocations that could apply to one token: its issuer's scoped
 * entries and the unscoped ones (any issuer), already combined.
 */
export interface RevocationStatus {
  /** Whether the token's `jti` is revoked (for its issuer, or for any issuer). */
  readonly jtiRevoked: boolean;
  /**
   * Tokens of the subject issued before this moment (seconds since the epoch, compared with
   * `iat`) are revoked; `undefined` when the subject has no such revocation. The later of the
   * issuer-scoped and the unscoped moments.
   */
  readonly subjectRevokedBefore: number | undefined;
}

/** The claims revocation is keyed on: never the raw token string (one token has many forms). */
export interface RevocationClaims {
  readonly jti: string | undefined;
  readonly sub: string | undefined;
  /** `iat`, in seconds since the epoch. */
  readonly iat: number | undefined;
  /**
   * `iss`: selects the issuer-scoped entries to consult besides the unscoped ones. Optional in the
   * type so claims built before issuer scoping still compile; absent means "no issuer".
   */
  readonly iss?: string | undefined;
}

/** The outcome of {@link decideRevocation}. */
export type RevocationDecision =
  { readonly revoked: false } | { readonly revoked: true; readonly by: 'jti' | 'subject' };

const NOT_REVOKED: RevocationDecision = Object.freeze({ revoked: false });

/**
 * Decides whether a verified token is revoked. Pure.
 *
 * - by `jti`: the token's own id was revoked;
 * - by subject: its `sub` has a revoked-before moment and the token's `iat` is earlier, or the
 *   token has no `iat` (it cannot prove it is newer).
 */
export function decideRevocation(
  claims: RevocationClaims,
  status: RevocationStatus,
): RevocationDecision {
  if (claims.jti !== undefined && status.jtiRevoked) return { revoked: true, by: 'jti' };
  const before = status.subjectRevokedBefore;
  if (claims.sub !== undefined && before !== undefined) {
    if (claims.iat === undefined || claims.iat < before) return { revoked: true, by: 'subject' };
  }
  return NOT_REVOKED;
}

/**
 * The revocation claims of a payload: `jti`, `sub` and `iss` when they are non-empty strings, `iat`
 * when it is a finite number. Anything else is treated as absent.
 */
export function revocationClaimsOf(payload: Readonly<Record<string, unknown>>): RevocationClaims {
  const { jti, sub, iat, iss } = payload;
  return {
    jti: typeof jti === 'string' && jti !== '' ? jti : undefined,
    sub: typeof sub === 'string' && sub !== '' ? sub : undefined,
    iat: typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined,
    iss: typeof iss === 'string' && iss !== '' ? iss : undefined,
  };
}
