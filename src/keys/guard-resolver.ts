import { createPublicKey, KeyObject } from 'node:crypto';
import { base64url, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { AuthUnavailableError, TokenInvalidError } from '../errors/auth-error.js';
import { mapJoseError } from '../token/map-jose-error.js';
import {
  isHmacAlgorithm,
  type AlgorithmAllowList,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type SupportedAlgorithm,
} from './algorithms.js';
import { HMAC_HASH, hmacSecretProblem, publicKeyProblem } from './key-requirements.js';
import { KeySourceError } from './key-source.js';

/**
 * What is wrong with one resolved key for each algorithm: a sentence for the operator's logs, or
 * `undefined` when the key fits. Never holds or names key material.
 */
type KeyProblems = (alg: SupportedAlgorithm) => string | undefined;

const HMAC_ALGORITHMS: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];
const SUBJECT = 'the key the resolver returned';

/**
 * Wraps a custom `getKey` resolver so that it is held to the rules every other key source meets,
 * for the algorithm the token names (`header.alg`, already checked against `allow` by jose):
 *
 * - HMAC: raw bytes (`Uint8Array`), a secret `KeyObject`, an HMAC `CryptoKey` or an `oct` JWK, at
 *   least the hash size long, not a well-known example value, not PEM text, not one byte repeated.
 * - RS/PS: an RSA public key of at least 2048 bits; ES256/384/512: an EC public key on
 *   P-256/P-384/P-521; EdDSA: an Ed25519 public key. A `CryptoKey` must also have been imported
 *   for the token's algorithm (name, hash, curve) with the `verify` usage, and a JWK's `alg`,
 *   `use` and `key_ops` must allow it, as jose requires.
 *
 * Verdicts:
 * - The key fits: it is returned unchanged, for jose to verify with.
 * - The key does not fit the token's algorithm but fits another allowed one: the client chose a
 *   header the key does not serve (e.g. `ES256` where the resolver holds an RSA key). That is a
 *   verdict on the token: `TOKEN_INVALID` with reason `key`.
 * - The key fits no allowed algorithm (a 6-byte secret with HS256 only, an RSA-1024 key, a private
 *   key, not a key at all): the resolver is misconfigured, which no token could fix, so it is the
 *   operator's fault, never the client's: `AUTH_UNAVAILABLE` with reason `resolver` (HTTP 503), and a
 *   `KeySourceError` saying what is wrong as its `cause` for the server's logs. The token is
 *   refused either way; it is never verified with a key that breaks the rules.
 *
 * A resolver failure that is not a verdict on the token (a fetch that failed, a bug in the
 * resolver) is `AUTH_UNAVAILABLE` too, never `TOKEN_INVALID`.
 *
 * Cost: what is learned about an immutable key (a `CryptoKey`, a `KeyObject`, a frozen JWK, as jose
 * leaves every public JWK it used) is cached per key object, so a resolver that returns the same
 * key pays for its inspection once. Raw bytes and unfrozen JWKs may change between calls, so they
 * are checked on every call; that check is synchronous and linear in the secret's length.
 */
export function guardResolver(getKey: JWTVerifyGetKey, allow: AlgorithmAllowList): JWTVerifyGetKey {
  const inspected = new WeakMap<object, KeyProblems>();
  const allowed: readonly SupportedAlgorithm[] = allow.algorithms;

  return async (header, token) => {
    const { alg } = header;
    // jose has already refused an algorithm outside the allow-list; this guards the seam itself.
    const tokenAlg = allowed.find((candidate) => candidate === alg);
    if (tokenAlg === undefined) throw new TokenInvalidError('algorithm');
    let key: unknown;
    try {
      key = await getKey(header, token);
    } catch (error) {
      if (mapJoseError(error) !== undefined) throw error;
      throw new AuthUnavailableError('resolver', { cause: error });
    }
    let problems = typeof key === 'object' && key !== null ? inspected.get(key) : undefined;
    if (problems === undefined) {
      const result = inspect(key);
      problems = result.cacheable ? memoize(result.problems) : result.problems;
      if (result.cacheable) inspected.set(key as object, problems);
    }
    const problem = problems(tokenAlg);
    if (problem === undefined) return key as Awaited<ReturnType<JWTVerifyGetKey>>;
    if (allowed.some((other) => other !== tokenAlg && problems(other) === undefined)) {
      throw new TokenInvalidError('key');
    }
    throw new AuthUnavailableError('resolver', {
      cause: new KeySourceError(
        'resolver',
        `claimgate: the getKey resolver returned a key that none of the allowed algorithms (${allowed.join(', ')}) can use; for ${tokenAlg}: ${problem}`,
      ),
    });
  };
}

/** Learns what a resolved key is and which algorithms it fits, as jose would take it. */
function inspect(key: unknown): { problems: KeyProblems; cacheable: boolean } {
  if (key instanceof Uint8Array) {
    return {
      problems: (alg) =>
        isHmacAlgorithm(alg)
          ? hmacSecretProblem(key, [alg])
          : `${alg} needs a public key, but ${SUBJECT} is raw bytes (an HMAC secret).`,
      cacheable: false,
    };
  }
  if (isCryptoKey(key)) return { problems: cryptoKeyProblems(key), cacheable: true };
  if (isKeyObject(key)) return { problems: keyObjectProblems(key), cacheable: true };
  if (isPlainObject(key)) {
    const keyOps = key['key_ops'];
    const frozen = Object.isFrozen(key) && (!Array.isArray(keyOps) || Object.isFrozen(keyOps));
    return { problems: jwkProblems(key), cacheable: frozen };
  }
  const what =
    key === null ? 'null' : typeof key === 'object' ? 'an unsupported object' : typeof key;
  return {
    problems: () =>
      `${SUBJECT} is ${what}; return a CryptoKey, a KeyObject, a JWK or (HMAC) a Uint8Array.`,
    cacheable: false,
  };
}

function cryptoKeyProblems(key: CryptoKey): KeyProblems {
  if (key.type === 'private') return privateKey();
  if (!key.usages.includes('verify')) {
    return unusable(`${SUBJECT} is a CryptoKey without the "verify" usage.`);
  }
  let object: KeyObject;
  try {
    object = KeyObject.from(key);
  } catch {
    return unusable(`${SUBJECT} is a CryptoKey node:crypto cannot read.`);
  }
  const keyProblems = keyObjectProblems(object);
  const { algorithm } = key;
  // What the key is (type, size, curve) first, then what it was imported for (e.g. the hash).
  return (alg) => keyProblems(alg) ?? webCryptoProblem(algorithm, alg);
}

function keyObjectProblems(key: KeyObject): KeyProblems {
  if (key.type === 'secret') return secretProblems(key.export());
  if (key.type !== 'public') return privateKey();
  // jose reads a KeyObject through `toCryptoKey` (Node 22.10+) or its JWK export, and node:crypto
  // cannot export an RSA-PSS key as a JWK: without `toCryptoKey` jose cannot use it at all.
  if (key.asymmetricKeyType === 'rsa-pss' && !('toCryptoKey' in key)) {
    return unusable(
      `${SUBJECT} is an RSA-PSS KeyObject, which jose cannot use on this Node.js version; return it as an RSA key or a CryptoKey.`,
    );
  }
  return (alg) =>
    isHmacAlgorithm(alg)
      ? `${alg} needs an HMAC secret, but ${SUBJECT} is a public key.`
      : publicKeyProblem(key, alg, SUBJECT);
}

function jwkProblems(jwk: Record<string, unknown>): KeyProblems {
  const { kty, use, ext } = jwk;
  const keyOps = jwk['key_ops'];
  const jwkAlg = jwk['alg'];
  if (typeof kty !== 'string') return unusable(`${SUBJECT} is an object without a JWK "kty".`);
  if (use !== undefined && use !== 'sig') {
    return unusable(`${SUBJECT} is a JWK whose "use" is not "sig".`);
  }
  if (ext !== undefined && typeof ext !== 'boolean') {
    return unusable(`${SUBJECT} is a JWK whose "ext" is not a boolean.`);
  }
  if (
    keyOps !== undefined &&
    (!Array.isArray(keyOps) ||
      keyOps.some((op) => typeof op !== 'string') ||
      new Set(keyOps).size !== keyOps.length ||
      !keyOps.includes('verify'))
  ) {
    return unusable(`${SUBJECT} is a JWK whose "key_ops" does not allow "verify".`);
  }
  let problems: KeyProblems;
  if (kty === 'oct') {
    let bytes: Uint8Array | undefined;
    try {
      bytes = typeof jwk['k'] === 'string' ? base64url.decode(jwk['k']) : undefined;
    } catch {
      bytes = undefined;
    }
    if (bytes === undefined) return unusable(`${SUBJECT} is an "oct" JWK without a valid "k".`);
    problems = secretProblems(bytes);
  } else if (jwk['d'] !== undefined || jwk['priv'] !== undefined) {
    return privateKey();
  } else {
    let object: KeyObject;
    try {
      object = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      return unusable(`${SUBJECT} is a JWK node:crypto cannot import.`);
    }
    problems = keyObjectProblems(object);
  }
  if (jwkAlg === undefined) return problems;
  return (alg) =>
    jwkAlg === alg ? problems(alg) : `${SUBJECT} is a JWK whose "alg" is not ${alg}.`;
}

/**
 * The problems of an HMAC secret for each HMAC algorithm, computed now so that no copy of the
 * secret outlives this call.
 */
function secretProblems(bytes: Uint8Array): KeyProblems {
  const byAlgorithm = new Map(HMAC_ALGORITHMS.map((alg) => [alg, hmacSecretProblem(bytes, [alg])]));
  return (alg) =>
    isHmacAlgorithm(alg)
      ? byAlgorithm.get(alg)
      : `${alg} needs a public key, but ${SUBJECT} is an HMAC secret.`;
}

/** Whether a CryptoKey was imported for `alg`, as jose checks before using it. */
function webCryptoProblem(
  algorithm: CryptoKey['algorithm'],
  alg: SupportedAlgorithm,
): string | undefined {
  const expected = webCryptoAlgorithm(alg);
  const actual = algorithm as { readonly name?: unknown } & {
    readonly hash?: { readonly name?: unknown };
    readonly namedCurve?: unknown;
  };
  const fits =
    actual.name === expected.name &&
    (expected.hash === undefined || actual.hash?.name === expected.hash) &&
    (expected.namedCurve === undefined || actual.namedCurve === expected.namedCurve);
  if (fits) return undefined;
  const imported = describeWebCrypto({
    name: String(actual.name),
    ...(typeof actual.hash?.name === 'string' ? { hash: actual.hash.name } : {}),
    ...(typeof actual.namedCurve === 'string' ? { namedCurve: actual.namedCurve } : {}),
  });
  return `${alg} needs a CryptoKey imported for ${describeWebCrypto(expected)}, but ${SUBJECT} was imported for ${imported}.`;
}

interface WebCryptoAlgorithm {
  readonly name: string;
  readonly hash?: string;
  readonly namedCurve?: string;
}

/** The WebCrypto algorithm a key must have been imported for to verify `alg` (RFC 7518, 8037). */
function webCryptoAlgorithm(alg: SupportedAlgorithm): WebCryptoAlgorithm {
  if (isHmacAlgorithm(alg)) return { name: 'HMAC', hash: HMAC_HASH[alg] };
  const asymmetric: AsymmetricAlgorithm = alg;
  const hash = `SHA-${asymmetric.slice(2)}`;
  if (asymmetric.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (asymmetric.startsWith('PS')) return { name: 'RSA-PSS', hash };
  if (asymmetric.startsWith('ES'))
    return { name: 'ECDSA', namedCurve: NIST_CURVE[asymmetric] ?? '' };
  return { name: 'Ed25519' };
}

/** The WebCrypto curve of each ECDSA algorithm (the `EC_CURVE` of node:crypto, by its NIST name). */
const NIST_CURVE: Readonly<Record<string, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
};

function describeWebCrypto({ name, hash, namedCurve }: WebCryptoAlgorithm): string {
  return [name, hash, namedCurve].filter((part) => part !== undefined).join(' ');
}

/** Each algorithm's verdict on an immutable key, worked out once. */
function memoize(problems: KeyProblems): KeyProblems {
  const verdicts = new Map<SupportedAlgorithm, string | undefined>();
  return (alg) => {
    if (verdicts.has(alg)) return verdicts.get(alg);
    const verdict = problems(alg);
    verdicts.set(alg, verdict);
    return verdict;
  };
}

function unusable(why: string): KeyProblems {
  return () => why;
}

function privateKey(): KeyProblems {
  return unusable(`${SUBJECT} is a private key; return the public key.`);
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey'
  );
}

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

/** A plain object, as jose accepts a JWK (no class instances, arrays or typed arrays). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
