import {
  createLocalJWKSet,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { AsymmetricAlgorithm } from './algorithms.js';
import { KeySourceError } from './key-source.js';

/** The largest number of keys accepted in one JWK Set. @default 100 */
export const DEFAULT_MAX_JWKS_KEYS = 100;

const MIN_RSA_BITS = 2048;

/** How {@link importJwks} treats a key it cannot use safely. */
export interface ImportJwksOptions {
  /**
   * `true` for keys configured locally: a private, weak (RSA under 2048 bits) or broken key is a
   * start-up `TypeError`. `false` for a remote JWKS: such keys are skipped (tokens signed with them
   * are `TOKEN_INVALID`) and the rest stay usable. A set with no usable key is refused either way.
   */
  readonly strict: boolean;
  /** The largest number of keys accepted. @default 100 */
  readonly maxKeys?: number | undefined;
  /** Names the set in error messages, e.g. the JWKS URL or file path. */
  readonly label: string;
}

/** A JWK Set that passed {@link importJwks}: only verification keys that fit the allow-list. */
export interface ImportedJwks {
  /** Resolves a token's key by `kid` and `alg` (jose's local JWKS rules). */
  readonly getKey: JWTVerifyGetKey;
  /** How many keys are usable. */
  readonly keyCount: number;
  /** The usable keys, as given (what {@link getKey} chooses from). */
  readonly keys: readonly JWK[];
}

/**
 * Validates a JWK Set (RFC 7517 §5) and imports every usable key once, so that key material never
 * fails to import per request. A key is used only with its own `alg` when it names one (RFC 7517
 * §4.4), encryption keys (`use: "enc"`) and keys of other families are skipped, and symmetric keys
 * are never taken from a JWKS (RFC 8725 §2.1).
 * @throws TypeError (strict) or KeySourceError `invalid-jwks` / `too-large` (not strict) for a
 *   malformed or oversized set; see {@link ImportJwksOptions.strict} for keys that do not fit.
 */
export async function importJwks(
  input: unknown,
  algorithms: readonly AsymmetricAlgorithm[],
  options: ImportJwksOptions,
): Promise<ImportedJwks> {
  const { strict, label } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_JWKS_KEYS;
  const fail = (reason: 'invalid-jwks' | 'too-large', message: string): never => {
    const text = `claimgate: the JWKS ${label} ${message}`;
    throw strict ? new TypeError(text) : new KeySourceError(reason, text);
  };
  if (!isObject(input) || !Array.isArray(input['keys'])) {
    return fail('invalid-jwks', 'is not a JWK Set: expected an object with a "keys" array.');
  }
  const keys: unknown[] = input['keys'];
  if (keys.length > maxKeys) {
    return fail('too-large', `has ${keys.length} keys; at most ${maxKeys} are accepted.`);
  }
  const usable: JWK[] = [];
  for (const [index, entry] of keys.entries()) {
    if (!isObject(entry) || typeof entry['kty'] !== 'string') {
      return fail(
        'invalid-jwks',
        `has a malformed key at index ${index}: expected a JWK with "kty".`,
      );
    }
    const jwk = entry as JWK;
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string') {
      return fail('invalid-jwks', `has a non-string "kid" at index ${index}.`);
    }
    const name = jwk.kid === undefined ? `at index ${index}` : `"${jwk.kid}"`;
    const unusable = (why: string): void => {
      if (strict) throw new TypeError(`claimgate: the JWKS ${label} key ${name} ${why}`);
    };
    if (jwk.use !== undefined && jwk.use !== 'sig') continue; // an encryption key (RFC 7517 §4.2)
    const candidates = algorithmsFor(jwk, algorithms);
    if (candidates.length === 0) continue; // another family, or an `alg` outside the allow-list
    if ('d' in jwk || 'p' in jwk) {
      unusable('is a private key; publish only public keys.');
      continue;
    }
    if (jwk.kty === 'RSA') {
      const bits = rsaModulusBits(jwk.n);
      if (bits < MIN_RSA_BITS) {
        unusable(`has ${bits} bits; RSA keys need at least ${MIN_RSA_BITS} (RFC 7518 §3.3).`);
        continue;
      }
    }
    let imported = true;
    for (const alg of candidates) {
      try {
        await importJWK({ ...jwk, ext: true }, alg);
      } catch {
        unusable(`cannot be imported for ${alg}.`);
        imported = false;
        break;
      }
    }
    if (imported) usable.push(jwk);
  }
  if (usable.length === 0) {
    // Most often `algorithms` does not match what the issuer signs with (e.g. ES256 vs RS256).
    return fail(
      'invalid-jwks',
      `has no usable signature key for ${algorithms.join(', ')}; check \`algorithms\` against the issuer's keys.`,
    );
  }
  const set: JSONWebKeySet = { keys: usable };
  return { getKey: createLocalJWKSet(set), keyCount: usable.length, keys: usable };
}

/** The allowed algorithms a JWK may verify: its own `alg` only, or those of its key type. */
function algorithmsFor(jwk: JWK, allowed: readonly AsymmetricAlgorithm[]): AsymmetricAlgorithm[] {
  const fits = allowed.filter((alg) => {
    if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
    if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
    if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
    if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
    return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  });
  if (jwk.alg === undefined) return fits;
  return fits.filter((alg) => alg === jwk.alg);
}

function rsaModulusBits(n: unknown): number {
  if (typeof n !== 'string') return 0;
  const bytes = Buffer.from(n, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  const first = bytes[start];
  if (first === undefined) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(first));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
