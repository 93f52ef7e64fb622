import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IssuerPolicy, KeyConfig } from '../index.js';
import { ConfigError } from './config-error.js';

/** The key kinds a configuration file may name (functions such as `getKey` cannot come from JSON). */
const FILE_KEY_KINDS = ['jwksUrl', 'oidcIssuer', 'jwksFile', 'jwks', 'jwk', 'publicKey'] as const;

/** Remote JWKS options accepted in a file: numbers (ms, bytes, keys, a fraction), and one boolean. */
const NUMERIC_REMOTE_OPTIONS = [
  'timeoutDuration',
  'cooldownDuration',
  'cacheMaxAge',
  'refreshJitter',
  'maxStaleAge',
  'outageBackoff',
  'maxOutageBackoff',
  'maxResponseBytes',
  'maxKeys',
] as const;

/**
 * Reads the trusted issuers from the JSON file named by `CLAIMGATE_CONFIG`:
 *
 * ```json
 * { "issuers": [
 *   { "issuer": "https://id.example.com/realms/acme", "audience": "api",
 *     "algorithms": ["RS256"], "key": { "oidcIssuer": "https://id.example.com/realms/acme" },
 *     "permissionClaims": ["realm_access.roles"] } ] }
 * ```
 *
 * `algorithms` defaults to `["RS256"]`; a relative `jwksFile` is resolved against the file's
 * directory. Deeper checks (algorithms, URLs, key material) happen in `createMultiIssuerVerifier`.
 * @throws ConfigError naming the file and the entry to fix.
 */
export function loadIssuersFile(path: string): IssuerPolicy[] {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const what = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new ConfigError(`CLAIMGATE_CONFIG: the file ${path} ${what}.`);
  }
  const issuers = isRecord(document) ? document['issuers'] : undefined;
  if (!Array.isArray(issuers) || issuers.length === 0) {
    throw new ConfigError(
      `CLAIMGATE_CONFIG: ${path} needs { "issuers": [ ... ] } with at least one issuer.`,
    );
  }
  return issuers.map((entry, index) => readIssuer(entry, `${path}: issuers[${index}]`, path));
}

function readIssuer(entry: unknown, where: string, file: string): IssuerPolicy {
  if (!isRecord(entry)) throw new ConfigError(`CLAIMGATE_CONFIG: ${where} must be an object.`);
  const fail = (message: string): never => {
    throw new ConfigError(`CLAIMGATE_CONFIG: ${where}: ${message}`);
  };
  const known = new Set([
    'issuer',
    'audience',
    'algorithms',
    'key',
    'permissionClaims',
    'clockTolerance',
    'maxTokenAge',
    'requireExpiration',
  ]);
  const unknown = Object.keys(entry).filter((name) => !known.has(name));
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}.`);
  const { issuer, audience, algorithms = ['RS256'], key, permissionClaims } = entry;
  if (typeof issuer !== 'string' || issuer === '') fail('"issuer" must be a non-empty string.');
  if (audience !== undefined && !isStringOrStrings(audience)) {
    fail('"audience" must be a string or a list of strings.');
  }
  if (!isStrings(algorithms)) fail('"algorithms" must be a list of strings, e.g. ["RS256"].');
  if (permissionClaims !== undefined && !Array.isArray(permissionClaims)) {
    fail('"permissionClaims" must be a list of claim paths, e.g. ["realm_access.roles"].');
  }
  for (const name of ['clockTolerance', 'maxTokenAge'] as const) {
    if (entry[name] !== undefined && typeof entry[name] !== 'number') {
      fail(`"${name}" must be a number of seconds.`);
    }
  }
  if (entry['requireExpiration'] !== undefined && typeof entry['requireExpiration'] !== 'boolean') {
    fail('"requireExpiration" must be true or false.');
  }
  return {
    ...(entry as object),
    issuer: issuer as string,
    algorithms: algorithms as string[],
    key: readKey(key, fail, file),
  };
}

function readKey(key: unknown, fail: (message: string) => never, file: string): KeyConfig {
  if (!isRecord(key))
    return fail(`"key" must be an object with one of ${FILE_KEY_KINDS.join(', ')}.`);
  const kinds = FILE_KEY_KINDS.filter((kind) => kind in key);
  if (kinds.length !== 1) {
    return fail(`"key" needs exactly one of ${FILE_KEY_KINDS.join(', ')} (got ${kinds.length}).`);
  }
  const kind = kinds[0] as (typeof FILE_KEY_KINDS)[number];
  const allowed = new Set<string>([kind]);
  if (kind === 'jwksUrl' || kind === 'oidcIssuer') {
    for (const name of [...NUMERIC_REMOTE_OPTIONS, 'allowInsecureHttp', 'headers'])
      allowed.add(name);
    for (const name of NUMERIC_REMOTE_OPTIONS) {
      if (key[name] !== undefined && typeof key[name] !== 'number') {
        fail(`"key.${name}" must be a number.`);
      }
    }
    if (key['allowInsecureHttp'] !== undefined && typeof key['allowInsecureHttp'] !== 'boolean') {
      fail('"key.allowInsecureHttp" must be true or false.');
    }
    const headers = key['headers'];
    if (
      headers !== undefined &&
      (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string'))
    ) {
      fail('"key.headers" must map header names to strings.');
    }
  }
  const extra = Object.keys(key).filter((name) => !allowed.has(name));
  if (extra.length > 0) fail(`"key" has unknown field(s) ${extra.join(', ')}.`);
  const value = key[kind];
  if (kind === 'jwks' || kind === 'jwk') {
    if (!isRecord(value)) fail(`"key.${kind}" must be a JSON object.`);
  } else if (typeof value !== 'string' || value === '') {
    fail(`"key.${kind}" must be a non-empty string.`);
  }
  if (kind === 'jwksFile') return { jwksFile: resolve(dirname(file), value as string) };
  return key as KeyConfig;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringOrStrings(value: unknown): value is string | string[] {
  return typeof value === 'string' || isStrings(value);
}
