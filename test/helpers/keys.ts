import { randomBytes } from 'node:crypto';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** A key pair generated for this test run. */
export interface TestKeyPair {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicKeyPem: string;
  readonly publicJwk: JWK;
}

/** Generates a fresh asymmetric key pair for `alg` (RS256, PS256, ES256, ES384, EdDSA, ...). */
export async function generateTestKeyPair(alg: string, modulusLength = 2048): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    modulusLength,
  });
  return {
    alg,
    privateKey,
    publicKey,
    publicKeyPem: await exportSPKI(publicKey),
    publicJwk: { ...(await exportJWK(publicKey)), alg, use: 'sig' },
  };
}

/** A random HMAC secret of `bytes` bytes, as a base64url string (its UTF-8 bytes are the key). */
export function generateTestSecret(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** What {@link mintToken} signs. `exp` defaults to one hour from now; `null` omits a claim. */
export interface MintOptions {
  readonly alg: string;
  readonly key: CryptoKey | Uint8Array;
  readonly claims?: JWTPayload & Record<string, unknown>;
  readonly header?: Partial<JWTHeaderParameters>;
  /** `exp` in seconds since the epoch; `null` for no `exp`. @default now + 3600 */
  readonly exp?: number | null;
}

/** Signs a compact JWT with jose for a test. */
export async function mintToken(options: MintOptions): Promise<string> {
  const exp = options.exp === undefined ? nowSeconds() + 3600 : options.exp;
  const claims: JWTPayload = { iat: nowSeconds(), ...options.claims };
  if (exp !== null) claims.exp = exp;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', ...options.header, alg: options.alg })
    .sign(options.key);
}

/** The UTF-8 bytes of a string secret, as jose signs with them. */
export function secretBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * A key resolver that returns `key` and counts its calls: jose calls it once per signature
 * verification, so `calls` counts the verifications a verifier really started.
 */
export function countingKeyResolver(key: CryptoKey | Uint8Array): {
  readonly getKey: JWTVerifyGetKey;
  readonly calls: number;
} {
  let calls = 0;
  return {
    getKey: () => {
      calls += 1;
      return key;
    },
    get calls() {
      return calls;
    },
  };
}
