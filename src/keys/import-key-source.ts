import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  errors,
  importSPKI,
  importX509,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import {
  normalizeAlgorithms,
  type AlgorithmAllowList,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
} from './algorithms.js';
import {
  createRemoteKeySource,
  parseKeyUrl,
  resolveRemoteJwksOptions,
  type RemoteJwksOptions,
} from './create-remote-key-source.js';
import { discoverJwksUri } from './discover-jwks-uri.js';
import { guardResolver } from './guard-resolver.js';
import { importJwks } from './import-jwks.js';
import { HMAC_HASH, hmacSecretProblem, publicKeyProblem } from './key-requirements.js';
import { staticKeySource, type ImportedKeySource } from './key-source.js';

export type { ImportedKeySource, KeySource } from './key-source.js';

/**
 * Where a verifier's keys come from: one shape for every source. A JWK Set's keys are chosen by
 * the token's `kid` and `alg`; all other sources by `alg` alone.
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
      /** A single public JWK (RFC 7517 §4), e.g. copied from an IdP's JWKS. */
      readonly jwk: JWK;
    }
  | {
      /** A JWK Set (RFC 7517 §5) held in memory. */
      readonly jwks: JSONWebKeySet;
    }
  | {
      /** The path of a JSON file holding a JWK Set, read once at start-up. */
      readonly jwksFile: string;
    }
  | ({
      /** The URL of a remote JWK Set (an IdP's `jwks_uri`), fetched and cached. */
      readonly jwksUrl: string | URL;
    } & RemoteJwksOptions)
  | ({
      /**
       * An OpenID Connect issuer URL: the JWKS URL is discovered from
       * `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal this exactly.
       */
      readonly oidcIssuer: string;
    } & RemoteJwksOptions)
  | {
      /**
       * A key resolver called by jose with the protected header, after the allow-list check. An
       * error that is not a verdict on the token (e.g. a network failure) becomes
       * `AUTH_UNAVAILABLE`. The key it returns is checked against the token's `alg` by the rules of
       * the other sources: one that fits only another allowed algorithm is `TOKEN_INVALID`
       * (`key`); one no allowed algorithm can use is `AUTH_UNAVAILABLE` (`resolver`).
       */
      readonly getKey: JWTVerifyGetKey;
    };

/**
 * Imports the configured keys once, at start-up, into non-extractable `CryptoKey`s, and returns
 * the {@link ImportedKeySource} a verifier calls per token. No local key material is parsed or imported per
 * request. A remote JWKS (`jwksUrl`, `oidcIssuer`) is not fetched here: call `warmUp()` on the
 * result, or let the first token load it.
 * @throws TypeError when the key does not fit the algorithms: a secret shorter than the hash size,
 *   on the list of well-known example secrets or one byte repeated, PEM text as a secret, a secret
 *   with public-key algorithms, an RSA key under 2048 bits, a curve that does not match, a
 *   malformed JWK Set, a private key, a non-https JWKS URL.
 */
export async function importKeySource(
  key: KeyConfig,
  algorithms: AlgorithmAllowList | readonly string[],
): Promise<ImportedKeySource> {
  const allow = 'family' in algorithms ? algorithms : normalizeAlgorithms(algorithms);
  if (key === null || typeof key !== 'object') {
    throw new TypeError('claimgate: `key` must be an object such as { jwksUrl } or { publicKey }.');
  }
  if ('getKey' in key) {
    if (typeof key.getKey !== 'function')
      throw new TypeError('claimgate: `key.getKey` must be a function.');
    return staticKeySource(guardResolver(key.getKey, allow));
  }
  if ('secret' in key) {
    if (allow.family !== 'hmac') {
      throw new TypeError(
        'claimgate: an HMAC secret was configured with public-key algorithms; set `algorithms` to HS256, HS384 or HS512, or configure a public key.',
      );
    }
    return staticKeySource(byAlgorithm(await importSecret(key.secret, allow.algorithms)));
  }
  const kind = PUBLIC_KEY_KINDS.find((name) => name in key);
  if (kind === undefined) {
    throw new TypeError(
      'claimgate: `key` needs one of `secret`, `publicKey`, `jwk`, `jwks`, `jwksFile`, `jwksUrl`, `oidcIssuer` or `getKey`.',
    );
  }
  const asymmetric = requireAsymmetric(allow, kind);
  if ('publicKey' in key) {
    return staticKeySource(byAlgorithm(await importPublicKey(key.publicKey, asymmetric)));
  }
  if ('jwk' in key) {
    const imported = await importJwks({ keys: [key.jwk] }, asymmetric, {
      strict: true,
      label: '`key.jwk`',
    });
    return staticKeySource(imported.getKey);
  }
  if ('jwks' in key) {
    const imported = await importJwks(key.jwks, asymmetric, { strict: true, label: '`key.jwks`' });
    return staticKeySource(imported.getKey);
  }
  if ('jwksFile' in key) {
    const imported = await importJwks(await readJsonFile(key.jwksFile), asymmetric, {
      strict: true,
      label: `file ${key.jwksFile}`,
    });
    return staticKeySource(imported.getKey);
  }
  if ('jwksUrl' in key) {
    const options = resolveRemoteJwksOptions(key);
    const url = parseKeyUrl(key.jwksUrl, 'jwksUrl', options.allowInsecureHttp);
    return createRemoteKeySource(() => Promise.resolve(url), asymmetric, options);
  }
  if ('oidcIssuer' in key) {
    const options = resolveRemoteJwksOptions(key);
    if (typeof key.oidcIssuer !== 'string') {
      throw new TypeError('claimgate: `key.oidcIssuer` must be the issuer URL as a string.');
    }
    const locate = discoverJwksUri(key.oidcIssuer, options.allowInsecureHttp);
    return createRemoteKeySource(locate, asymmetric, options);
  }
  // Unreachable: `kind` is one of the branches above.
  throw new TypeError(`claimgate: unsupported key kind \`${kind}\`.`);
}

/** The key kinds that hold public keys: they need public-key algorithms. */
const PUBLIC_KEY_KINDS = ['publicKey', 'jwk', 'jwks', 'jwksFile', 'jwksUrl', 'oidcIssuer'] as const;

function requireAsymmetric(
  allow: AlgorithmAllowList,
  name: string,
): readonly AsymmetricAlgorithm[] {
  if (allow.family !== 'asymmetric') {
    throw new TypeError(
      `claimgate: \`key.${name}\` holds public keys but \`algorithms\` lists HMAC algorithms; a public key must never be used as an HMAC secret (RFC 8725 §2.1). Set \`algorithms\` to the keys' algorithms, e.g. RS256.`,
    );
  }
  return allow.algorithms;
}

async function readJsonFile(path: string): Promise<unknown> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError('claimgate: `key.jwksFile` must be a file path.');
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TypeError(`claimgate: cannot read the JWKS file ${path}; check \`key.jwksFile\`.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TypeError(`claimgate: the JWKS file ${path} is not valid JSON.`);
  }
}

function byAlgorithm(keys: ReadonlyMap<string, CryptoKey>): JWTVerifyGetKey {
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
  const problem = hmacSecretProblem(bytes, algorithms);
  if (problem !== undefined) throw new TypeError(`claimgate: ${problem}`);
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
  const problem = publicKeyProblem(key, alg, 'the configured public key');
  if (problem !== undefined) throw new TypeError(`claimgate: ${problem}`);
}
