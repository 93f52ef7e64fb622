import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { AuthErrorCode, TokenFailureReason } from '../errors/auth-error.js';
import type { AsymmetricAlgorithm } from '../keys/algorithms.js';
import type { TokenVerifierOptions } from '../token/create-token-verifier.js';

/** Every way a token can fail that the test issuer mints on purpose. */
export type TokenFailureKind =
  'expired' | 'not-yet-valid' | 'wrong-audience' | 'wrong-issuer' | 'unknown-kid' | 'bad-signature';

/** All {@link TokenFailureKind}s, for table-driven tests. */
export const TOKEN_FAILURE_KINDS: readonly TokenFailureKind[] = [
  'expired',
  'not-yet-valid',
  'wrong-audience',
  'wrong-issuer',
  'unknown-kid',
  'bad-signature',
];

/**
 * What a verifier made with {@link TestIssuer.verifierOptions} raises for each failure kind:
 * `code` (in `extensions.code`), and the `reason` and `claim` of a `TokenInvalidError`.
 */
export const EXPECTED_TOKEN_FAILURES: Readonly<
  Record<
    TokenFailureKind,
    { readonly code: AuthErrorCode; readonly reason: TokenFailureReason; readonly claim?: string }
  >
> = {
  expired: { code: 'TOKEN_EXPIRED', reason: 'expired' },
  'not-yet-valid': { code: 'TOKEN_INVALID', reason: 'not-yet-valid', claim: 'nbf' },
  'wrong-audience': { code: 'TOKEN_INVALID', reason: 'claim', claim: 'aud' },
  'wrong-issuer': { code: 'TOKEN_INVALID', reason: 'claim', claim: 'iss' },
  'unknown-kid': { code: 'TOKEN_INVALID', reason: 'key' },
  'bad-signature': { code: 'TOKEN_INVALID', reason: 'signature' },
};

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** The signing algorithm; a key pair is generated for it. @default "ES256" */
  readonly alg?: AsymmetricAlgorithm;
  /** The `iss` of minted tokens. @default "https://issuer.claimgate.test/" */
  readonly issuer?: string;
  /** The `aud` of minted tokens. @default "claimgate-test" */
  readonly audience?: string;
}

/** What {@link TestIssuer.mint} signs. */
export interface TestTokenOptions {
  /** The `sub` claim. @default "test-user" */
  readonly subject?: string;
  /** The `permissions` claim. @default [] */
  readonly permissions?: readonly string[];
  /** Further claims; they override the defaults above and `iss`/`aud`/`exp`. */
  readonly claims?: Readonly<JWTPayload>;
  /** Lifetime in seconds from now. @default 3600 */
  readonly ttlSeconds?: number;
  /** Extra protected-header parameters (`alg` is always the issuer's). */
  readonly header?: Readonly<Partial<JWTHeaderParameters>>;
}

/**
 * A token issuer for tests: a fresh key pair, a JWKS, and mint helpers for every failure kind.
 * Its functions do not use `this`: destructure them freely.
 */
export interface TestIssuer {
  readonly alg: AsymmetricAlgorithm;
  readonly issuer: string;
  readonly audience: string;
  /** The `kid` of the signing key (its RFC 7638 thumbprint). */
  readonly kid: string;
  /** The public key as SPKI PEM, for `key: { publicKey }` (which ignores `kid`). */
  readonly publicKeyPem: string;
  /** The public JWKS (one key, with `kid`, `alg` and `use`), e.g. to serve on loopback. */
  readonly jwks: JSONWebKeySet;
  /**
   * Options for `createTokenVerifier` that trust this issuer: its algorithm, issuer and audience,
   * keys resolved from {@link jwks} by `kid` (so `unknown-kid` fails as it would against an IdP).
   */
  readonly verifierOptions: (overrides?: Partial<TokenVerifierOptions>) => TokenVerifierOptions;
  /** A token this issuer's verifier accepts. */
  readonly mint: (options?: TestTokenOptions) => Promise<string>;
  /** A token that fails verification in the way `kind` names (see {@link EXPECTED_TOKEN_FAILURES}). */
  readonly mintFailure: (kind: TokenFailureKind, options?: TestTokenOptions) => Promise<string>;
  readonly mintExpired: (options?: TestTokenOptions) => Promise<string>;
  readonly mintNotYetValid: (options?: TestTokenOptions) => Promise<string>;
  readonly mintWrongAudience: (options?: TestTokenOptions) => Promise<string>;
  readonly mintWrongIssuer: (options?: TestTokenOptions) => Promise<string>;
  readonly mintUnknownKid: (options?: TestTokenOptions) => Promise<string>;
  readonly mintBadSignature: (options?: TestTokenOptions) => Promise<string>;
}

// Failures are placed well beyond claimgate's default clock tolerance (10 s).
const FAR_SECONDS = 3600;

/**
 * Creates a {@link TestIssuer} with a key pair generated for this run.
 * @example
 * const issuer = await createTestIssuer();
 * const verifier = await createTokenVerifier(issuer.verifierOptions());
 * for (const kind of TOKEN_FAILURE_KINDS) {
 *   await expect(verifier.verify(await issuer.mintFailure(kind)))
 *     .rejects.toMatchObject({ code: EXPECTED_TOKEN_FAILURES[kind].code });
 * }
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const issuer = options.issuer ?? 'https://issuer.claimgate.test/';
  const audience = options.audience ?? 'claimgate-test';
  const signing = await generateKeyPair(alg, { extractable: true });
  // A second key of the same kind: signatures it makes under the issuer's kid do not verify.
  const impostor = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(signing.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] };
  const publicKeyPem = await exportSPKI(signing.publicKey);
  const getKey = createLocalJWKSet(jwks);

  const sign = (
    token: TestTokenOptions,
    change: { payload?: JWTPayload; kid?: string; key?: CryptoKey } = {},
  ): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      sub: token.subject ?? 'test-user',
      permissions: [...(token.permissions ?? [])],
      iss: issuer,
      aud: audience,
      iat: now,
      exp: now + (token.ttlSeconds ?? FAR_SECONDS),
      ...token.claims,
      ...change.payload,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ typ: 'JWT', ...token.header, alg, kid: change.kid ?? kid })
      .sign(change.key ?? signing.privateKey);
  };

  const failures: Record<TokenFailureKind, (token: TestTokenOptions) => Promise<string>> = {
    expired: (token) => {
      const now = Math.floor(Date.now() / 1000);
      return sign(token, { payload: { iat: now - 2 * FAR_SECONDS, exp: now - FAR_SECONDS } });
    },
    'not-yet-valid': (token) =>
      sign(token, { payload: { nbf: Math.floor(Date.now() / 1000) + FAR_SECONDS } }),
    'wrong-audience': (token) => sign(token, { payload: { aud: `${audience}-other` } }),
    'wrong-issuer': (token) => sign(token, { payload: { iss: `${issuer}other` } }),
    'unknown-kid': (token) => sign(token, { kid: `${kid}-unknown`, key: impostor.privateKey }),
    'bad-signature': (token) => sign(token, { key: impostor.privateKey }),
  };

  return {
    alg,
    issuer,
    audience,
    kid,
    publicKeyPem,
    jwks,
    verifierOptions: (overrides = {}) => ({
      algorithms: [alg],
      key: { getKey },
      issuer,
      audience,
      ...overrides,
    }),
    mint: (token = {}) => sign(token),
    mintFailure: (kind, token = {}) => failures[kind](token),
    mintExpired: (token = {}) => failures.expired(token),
    mintNotYetValid: (token = {}) => failures['not-yet-valid'](token),
    mintWrongAudience: (token = {}) => failures['wrong-audience'](token),
    mintWrongIssuer: (token = {}) => failures['wrong-issuer'](token),
    mintUnknownKid: (token = {}) => failures['unknown-kid'](token),
    mintBadSignature: (token = {}) => failures['bad-signature'](token),
  };
}
