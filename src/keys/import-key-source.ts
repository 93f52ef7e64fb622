import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, importSPKI, importX509, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import {
  normalizeAlgorithms,
  type AlgorithmAllowList,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
} from './algorithms.js';
import { isRepeatedByte, isWellKnownSecret } from './well-known-secrets.js';

/**
 * Where a verifier's keys come from. `getKey` is jose's `JWTVerifyGetKey` seam: remote JWKS and
 * custom resolvers plug in there.
 */
export type KeyConfig =
  | {
      /** An HMAC secret: a string is taken as its UTF-8 bytes. At least the hash size long. */
      readonly secret: string | Uint8Array;
    }
  | {
      /** A PEM public key (`BEGIN PUBLIC KEY`) or X.509 certificate (`BEGIN CERTIFICATE`). */
      readonly publicKey: string;
    }
  | {
      /** A key resolver called by jose with the protected header, after the allow-list check. */
      readonly getKey: JWTVerifyGetKey;
    };

/** A function that resolves the key for a token's protected header. */
export type KeySource = JWTVerifyGetKey;

/** Minimum HMAC key sizes (RFC 7518 §3.2: a key of the same size as the hash output or larger). */
const HMAC_MIN_BYTES: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const HMAC_HASH: Readonly<Record<HmacAlgorithm, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};
const EC_CURVE: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};
const MIN_RSA_BITS = 2048;

/**
 * Imports the configured keys once, at start-up, into non-extractable `CryptoKey`s (one per allowed
 * algorithm), and returns the {@link KeySource} a verifier calls per token. No key material is
 * parsed or imported per request.
 * @throws TypeError when the key does not fit the algorithms: a secret shorter than the hash size,
 *   on the list of well-known example secrets or one byte repeated, PEM text as a secret, a secret with public-key
 *   algorithms, an RSA key under 2048 bits, a curve that does not match.
 */
export async function importKeySource(
  key: KeyConfig,
  algorithms: AlgorithmAllowList | readonly string[],
): Promise<KeySource> {
  const allow = 'family' in algorithms ? algorithms : normalizeAlgorithms(algorithms);
  if ('getKey' in key) {
    if (typeof key.getKey !== 'function')
      throw new TypeError('claimgate: `key.getKey` must be a function.');
    return key.getKey;
  }
  if ('secret' in key) {
    if (allow.family !== 'hmac') {
      throw new TypeError(
        'claimgate: an HMAC secret was configured with public-key algorithms; set `algorithms` to HS256, HS384 or HS512, or configure a public key.',
      );
    }
    return byAlgorithm(await importSecret(key.secret, allow.algorithms));
  }
  if ('publicKey' in key) {
    if (allow.family !== 'asymmetric') {
      throw new TypeError(
        "claimgate: a public key was configured with HMAC algorithms; a public key must never be used as an HMAC secret (RFC 8725 §2.1). Set `algorithms` to the key's algorithm, e.g. RS256.",
      );
    }
    return byAlgorithm(await importPublicKey(key.publicKey, allow.algorithms));
  }
  throw new TypeError('claimgate: `key` needs one of `secret`, `publicKey` or `getKey`.');
}

function byAlgorithm(keys: ReadonlyMap<string, CryptoKey>): KeySource {
  return (header) => {
    const found = header.alg === undefined ? undefined : keys.get(header.alg);
    // jose has already refused an algorithm outside the allow-list; this guards the seam itself.
    if (found === undefined) throw new errors.JWKSNoMatchingKey();
    return found;
  };
}

async function importSecret(
  secret: string | Uint8Array,
  algorithms: readonly HmacAlgorithm[],
): Promise<Map<string, CryptoKey>> {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError('claimgate: `key.secret` must be a string or a Uint8Array.');
  }
  if (isWellKnownSecret(bytes)) {
    throw new TypeError(
      'claimgate: the HMAC secret is a well-known example value (e.g. from jwt.io or a tutorial) that anyone can sign with; generate a random one with `openssl rand -base64 64`.',
    );
  }
  if (new TextDecoder().decode(bytes).includes('-----BEGIN')) {
    throw new TypeError(
      'claimgate: the HMAC secret is PEM text; a public key must never be used as an HMAC secret (RFC 8725 §2.1). Configure it as `key.publicKey` with a public-key algorithm.',
    );
  }
  for (const alg of algorithms) {
    const min = HMAC_MIN_BYTES[alg];
    if (bytes.byteLength < min) {
      throw new TypeError(
        `claimgate: the HMAC secret is ${bytes.byteLength} bytes; ${alg} needs at least ${min} bytes (RFC 7518 §3.2). Generate one with \`openssl rand -base64 ${min}\`.`,
      );
    }
  }
  if (isRepeatedByte(bytes)) {
    throw new TypeError(
      'claimgate: the HMAC secret is one byte repeated (e.g. all zeros), which anyone can guess; generate a random one with `openssl rand -base64 64`.',
    );
  }
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    keys.set(
      alg,
      await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: HMAC_HASH[alg] }, false, [
        'verify',
      ]),
    );
  }
  return keys;
}

async function importPublicKey(
  pem: string,
  algorithms: readonly AsymmetricAlgorithm[],
): Promise<Map<string, CryptoKey>> {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) {
    throw new TypeError(
      'claimgate: `key.publicKey` must be PEM text (BEGIN PUBLIC KEY or BEGIN CERTIFICATE).',
    );
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new TypeError(
      'claimgate: `key.publicKey` holds a private key; configure the public key (`openssl pkey -pubout`).',
    );
  }
  const isCertificate = pem.includes('-----BEGIN CERTIFICATE-----');
  let details: KeyObject;
  try {
    details = createPublicKey(pem);
  } catch {
    throw new TypeError('claimgate: `key.publicKey` is not a valid PEM public key or certificate.');
  }
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    assertKeyFits(details, alg);
    keys.set(alg, isCertificate ? await importX509(pem, alg) : await importSPKI(pem, alg));
  }
  return keys;
}

function assertKeyFits(key: KeyObject, alg: AsymmetricAlgorithm): void {
  const type = key.asymmetricKeyType;
  const fail = (what: string): never => {
    throw new TypeError(
      `claimgate: ${alg} needs ${what}, but the configured public key is ${describe(key)}.`,
    );
  };
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' && !(alg.startsWith('PS') && type === 'rsa-pss')) fail('an RSA key');
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new TypeError(
        `claimgate: the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3).`,
      );
    }
  } else if (alg.startsWith('ES')) {
    if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVE[alg]) {
      fail(`an EC key on curve ${EC_CURVE[alg]}`);
    }
  } else if (type !== 'ed25519') {
    fail('an Ed25519 key');
  }
}

function describe(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined
    ? `of type ${key.asymmetricKeyType ?? 'unknown'}`
    : `of type ec on ${curve}`;
}
