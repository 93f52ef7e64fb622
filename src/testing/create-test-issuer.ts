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
  type JWK,
  type JWTPayload,
} from 'jose';
import type { AuthErrorCode, TokenFailureReason } from '../errors/auth-error.js';
import type { AsymmetricAlgorithm } from '../keys/algorithms.js';
import type { RemoteJwksOptions } from '../keys/create-remote-key-source.js';
import type { TokenVerifierOptions } from '../token/create-token-verifier.js';
import { serveLoopbackJwks } from './serve-test-jwks.js';

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

/** Options of {@link TestIssuer.rotateKey}. */
export interface RotateKeyOptions {
  /**
   * Keep publishing the previous signing keys, so tokens minted before the rotation still verify
   * (an IdP's overlap window). `false` withdraws them: their tokens then fail as `unknown-kid`.
   * @default true
   */
  readonly keepPrevious?: boolean;
}

/**
 * The issuer's JWKS served over HTTP on loopback, from {@link TestIssuer.serveJwks}. The JWKS is
 * read at each request, so {@link TestIssuer.rotateKey} shows at once.
 */
export interface TestJwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json`, for `key: { jwksUrl }`. */
  readonly jwksUrl: string;
  /**
   * `http://127.0.0.1:<port>`, for `key: { oidcIssuer }`: its
   * `/.well-known/openid-configuration` names this URL as `issuer` and {@link jwksUrl} as
   * `jwks_uri`. It is not the `iss` of minted tokens (that is {@link TestIssuer.issuer}, fixed
   * before the port is known): pass `issuer: testIssuer.issuer` too, as
   * {@link oidcVerifierOptions} does.
   */
  readonly issuerUrl: string;
  /** `<issuerUrl>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** Requests the JWKS path has answered (to assert caching or refetches). */
  readonly fetchCount: number;
  /** Requests the discovery path has answered. */
  readonly discoveryCount: number;
  /**
   * Options for `createTokenVerifier` that fetch this issuer's keys from {@link jwksUrl}, with
   * `remote` options for the key source (e.g. `{ cooldownDuration: 0 }` to pick up a
   * {@link TestIssuer.rotateKey} at once).
   */
  readonly verifierOptions: (
    overrides?: Partial<TokenVerifierOptions>,
    remote?: RemoteJwksOptions,
  ) => TokenVerifierOptions;
  /**
   * Options for `createTokenVerifier` that discover this issuer's keys through
   * `{ oidcIssuer: issuerUrl }`, with `issuer` set to the `iss` of minted tokens.
   */
  readonly oidcVerifierOptions: (
    overrides?: Partial<TokenVerifierOptions>,
    remote?: RemoteJwksOptions,
  ) => TokenVerifierOptions;
  /** Stops the server (open connections are dropped). Idempotent. */
  readonly close: () => Promise<void>;
}

/**
 * A token issuer for tests: a fresh key pair, a JWKS, and mint helpers for every failure kind.
 * Its functions do not use `this`: destructure them freely. `kid`, `publicKeyPem` and `jwks` are
 * read at access time: after {@link rotateKey} they describe the new key (a destructured copy
 * does not follow).
 */
export interface TestIssuer {
  readonly alg: AsymmetricAlgorithm;
  readonly issuer: string;
  readonly audience: string;
  /** The `kid` of the current signing key (its RFC 7638 thumbprint). */
  readonly kid: string;
  /** The current public key as SPKI PEM, for `key: { publicKey }` (which ignores `kid`). */
  readonly publicKeyPem: string;
  /**
   * The public JWKS (each published key with `kid`, `alg` and `use`): one key, until
   * {@link rotateKey} adds the next.
   */
  readonly jwks: JSONWebKeySet;
  /**
   * Options for `createTokenVerifier` that trust this issuer: its algorithm, issuer and audience,
   * keys resolved from {@link jwks} by `kid` (so `unknown-kid` fails as it would against an IdP).
   */
  readonly verifierOptions: (overrides?: Partial<TokenVerifierOptions>) => TokenVerifierOptions;
  /**
   * Serves {@link jwks} and an OpenID Connect discovery document over HTTP on 127.0.0.1 (a free
   * port, node:http only), for verifiers configured with `{ jwksUrl }` or `{ oidcIssuer }`.
   * Each call starts another server; `close()` each one.
   */
  readonly serveJwks: () => Promise<TestJwksServer>;
  /**
   * Generates a new signing key and publishes it: tokens minted from now on carry its `kid`.
   * @returns the new `kid`.
   */
  readonly rotateKey: (options?: RotateKeyOptions) => Promise<string>;
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

  interface SigningKey {
    readonly kid: string;
    readonly privateKey: CryptoKey;
    readonly publicKeyPem: string;
    readonly publicJwk: JWK;
  }
  const generate = async (): Promise<SigningKey> => {
    const pair = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(pair.publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return {
      kid,
      privateKey: pair.privateKey,
      publicKeyPem: await exportSPKI(pair.publicKey),
      publicJwk: { ...jwk, kid, alg, use: 'sig' },
    };
  };

  // The newest key signs; every key in `published` is in the JWKS.
  let signing = await generate();
  let published: readonly SigningKey[] = [signing];
  let jwks: JSONWebKeySet = { keys: [signing.publicJwk] };
  let localKeys = createLocalJWKSet(jwks);
  // A second key of the same kind: signatures it makes under the issuer's kid do not verify.
  const impostor = await generateKeyPair(alg, { extractable: true });

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
      .setProtectedHeader({ typ: 'JWT', ...token.header, alg, kid: change.kid ?? signing.kid })
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
    'unknown-kid': (token) =>
      sign(token, { kid: `${signing.kid}-unknown`, key: impostor.privateKey }),
    'bad-signature': (token) => sign(token, { key: impostor.privateKey }),
  };

  const common = (overrides: Partial<TokenVerifierOptions>) => ({
    algorithms: [alg],
    issuer,
    audience,
    ...overrides,
  });
  const verifierOptions = (
    overrides: Partial<TokenVerifierOptions> = {},
  ): TokenVerifierOptions => ({
    // Read the key set at each call, so that a rotation shows in verifiers made before it.
    key: { getKey: (header, token) => localKeys(header, token) },
    ...common(overrides),
  });

  return {
    alg,
    issuer,
    audience,
    get kid() {
      return signing.kid;
    },
    get publicKeyPem() {
      return signing.publicKeyPem;
    },
    get jwks() {
      return jwks;
    },
    verifierOptions,
    serveJwks: async () => {
      const endpoint = await serveLoopbackJwks(() => jwks, [alg]);
      return {
        jwksUrl: endpoint.jwksUrl,
        issuerUrl: endpoint.issuerUrl,
        discoveryUrl: endpoint.discoveryUrl,
        get fetchCount() {
          return endpoint.fetchCount;
        },
        get discoveryCount() {
          return endpoint.discoveryCount;
        },
        verifierOptions: (overrides = {}, remote = {}) => ({
          key: { ...remote, jwksUrl: endpoint.jwksUrl },
          ...common(overrides),
        }),
        oidcVerifierOptions: (overrides = {}, remote = {}) => ({
          key: { ...remote, oidcIssuer: endpoint.issuerUrl },
          ...common(overrides),
        }),
        close: endpoint.close,
      };
    },
    rotateKey: async (rotation = {}) => {
      const next = await generate();
      published = rotation.keepPrevious === false ? [next] : [...published, next];
      signing = next;
      jwks = { keys: published.map((key) => key.publicJwk) };
      localKeys = createLocalJWKSet(jwks);
      return next.kid;
    },
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
