import type { KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm, HmacAlgorithm } from './algorithms.js';
import { isRepeatedByte, isWellKnownSecret } from './well-known-secrets.js';

/**
 * The rules a key must meet for an algorithm, shared by every key path: the keys configured at
 * start-up (`importKeySource`) and the keys a custom `getKey` resolver returns per token
 * (`guardResolver`). Each check returns what is wrong as a sentence for the operator's logs, or
 * `undefined` when the key fits; it never includes key material.
 */

/** Minimum HMAC key sizes (RFC 7518 §3.2: a key of the same size as the hash output or larger). */
export const HMAC_MIN_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

/** The WebCrypto hash of each HMAC algorithm. */
export const HMAC_HASH: Readonly<Record<HmacAlgorithm, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/** The curve each ECDSA algorithm needs, as node:crypto names it (RFC 7518 §3.4). */
export const EC_CURVE: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/** The smallest RSA modulus accepted (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;

/** Lenient UTF-8 (stateless without `stream`, so one serves every call). */
const utf8 = new TextDecoder();

/**
 * What makes `bytes` unfit as an HMAC secret for `algorithms`, checked in this order: a well-known
 * example value, PEM text (a public key used as a secret, RFC 8725 §2.1), shorter than the hash
 * size of any of the algorithms, one byte repeated. Synchronous and linear in the secret's length.
 */
export function hmacSecretProblem(
  bytes: Uint8Array,
  algorithms: readonly HmacAlgorithm[],
): string | undefined {
  if (isWellKnownSecret(bytes)) {
    return 'the HMAC secret is a well-known example value (e.g. from jwt.io or a tutorial) that anyone can sign with; generate a random one with `openssl rand -base64 64`.';
  }
  if (utf8.decode(bytes).includes('-----BEGIN')) {
    return 'the HMAC secret is PEM text; a public key must never be used as an HMAC secret (RFC 8725 §2.1). Configure it as `key.publicKey` with a public-key algorithm.';
  }
  for (const alg of algorithms) {
    const min = HMAC_MIN_BYTES[alg];
    if (bytes.byteLength < min) {
      return `the HMAC secret is ${bytes.byteLength} bytes; ${alg} needs at least ${min} bytes (RFC 7518 §3.2). Generate one with \`openssl rand -base64 ${min}\`.`;
    }
  }
  if (isRepeatedByte(bytes)) {
    return 'the HMAC secret is one byte repeated (e.g. all zeros), which anyone can guess; generate a random one with `openssl rand -base64 64`.';
  }
  return undefined;
}

/**
 * What makes the public key `key` unfit for `alg`: the wrong type, an RSA modulus under
 * {@link MIN_RSA_BITS}, or an EC curve other than the algorithm's. `subject` names the key in the
 * sentence, e.g. "the configured public key".
 */
export function publicKeyProblem(
  key: KeyObject,
  alg: AsymmetricAlgorithm,
  subject: string,
): string | undefined {
  const type = key.asymmetricKeyType;
  const needs = (what: string): string =>
    `${alg} needs ${what}, but ${subject} is ${describe(key)}.`;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' && !(alg.startsWith('PS') && type === 'rsa-pss')) return needs('an RSA key');
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      return `the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3).`;
    }
    return undefined;
  }
  if (alg.startsWith('ES')) {
    return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVE[alg]
      ? undefined
      : needs(`an EC key on curve ${EC_CURVE[alg]}`);
  }
  return type === 'ed25519' ? undefined : needs('an Ed25519 key');
}

function describe(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined
    ? `of type ${key.asymmetricKeyType ?? 'unknown'}`
    : `of type ec on ${curve}`;
}
