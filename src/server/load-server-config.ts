import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createClientKeyResolver,
  DEFAULT_RATE_LIMIT,
  parseRateLimit,
  type IssuerPolicy,
  type KeyConfig,
  type RateLimitPolicy,
  type TrustProxyOptions,
} from '../index.js';
import { ConfigError } from './config-error.js';
import { loadIssuersFile } from './load-issuers-file.js';

export { ConfigError } from './config-error.js';

/** The example server's configuration, resolved from the environment once at start-up. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  /** Reject a request as a whole (401) when its token is refused, instead of per field. */
  readonly rejectInvalidTokens: boolean;
  /**
   * Reject an operation as a whole (401/403, no resolver runs) when any selected field would be
   * denied, instead of partial results. From `AUTH_WHOLE_OPERATION`.
   * @default false
   */
  readonly wholeOperation: boolean;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /**
   * Where development mode keeps its ES256 signing key (`dev-key.json`), shared with
   * `claimgate mint`. From `CLAIMGATE_DEV_DIR`.
   * @default ".claimgate" in the working directory (git-ignored)
   */
  readonly devKeyDirectory: string;
  /**
   * `undefined` in development mode (the server then signs and verifies with the dev key) and when
   * `issuers` is set.
   */
  readonly verification:
    | {
        readonly algorithms: readonly string[];
        readonly key: KeyConfig;
        /** `JWT_PERMISSION_CLAIMS`: where permissions are read; unset keeps the library default. */
        readonly permissionClaims?: readonly string[] | undefined;
      }
    | undefined;
  /** Several trusted issuers, from the JSON file named by `CLAIMGATE_CONFIG`. */
  readonly issuers?: readonly IssuerPolicy[] | undefined;
  /** Failed-auth rate limiting and revocation state. */
  readonly security: SecurityConfig;
}

/** Where the example server keeps rate-limit and revocation state, and its limit. */
export interface SecurityConfig {
  /** `REDIS_URL`: Redis shared by every instance; `undefined` keeps state in this process. */
  readonly redisUrl: string | undefined;
  /** `REDIS_KEY_PREFIX`, default `claimgate:`. */
  readonly redisKeyPrefix: string;
  /** `AUTH_RATE_LIMIT` (`<failures>/<seconds>`, default `5/300`), `false` for `off`. */
  readonly rateLimit: RateLimitPolicy | false;
  /** `AUTH_TRUST_PROXY`: a hop count or a list of proxy addresses / CIDR ranges. */
  readonly trustProxy: TrustProxyOptions | undefined;
}

/** The variables that each configure the verification keys; at most one may be set. */
const KEY_VARIABLES = [
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_JWKS_URL',
  'JWT_OIDC_ISSUER',
  'CLAIMGATE_CONFIG',
] as const;

/** The issuer and audience of dev tokens when JWT_ISSUER / JWT_AUDIENCE are unset. */
export const DEV_ISSUER = 'claimgate-dev';
export const DEV_AUDIENCE = 'claimgate-example';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the example server's configuration from `env`. A variable set to the empty string counts
 * as unset.
 * @throws ConfigError naming the variable to change.
 */
export function loadServerConfig(env: Env): ServerConfig {
  const get = variablesOf(env);
  const production = get('NODE_ENV') === 'production';
  const port = parsePort(get('PORT'));
  const host = get('HOST') ?? 'localhost';
  const secret = get('JWT_SECRET');
  const publicKeyInput = get('JWT_PUBLIC_KEY');
  const algorithmsInput = get('JWT_ALGORITHMS');
  const rejectInput = get('AUTH_REJECT_INVALID_TOKENS');
  if (rejectInput !== undefined && !['true', 'false'].includes(rejectInput)) {
    throw new ConfigError('AUTH_REJECT_INVALID_TOKENS must be "true" or "false".');
  }
  const wholeOperationInput = get('AUTH_WHOLE_OPERATION');
  if (wholeOperationInput !== undefined && !['true', 'false'].includes(wholeOperationInput)) {
    throw new ConfigError('AUTH_WHOLE_OPERATION must be "true" or "false".');
  }
  const algorithms = algorithmsInput
    ?.split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');

  if (secret !== undefined && publicKeyInput !== undefined) {
    throw new ConfigError('Set JWT_SECRET (HMAC) or JWT_PUBLIC_KEY (PEM), not both.');
  }
  const keyVariables = KEY_VARIABLES.filter((name) => get(name) !== undefined);
  if (keyVariables.length > 1) {
    throw new ConfigError(
      `Set only one of ${KEY_VARIABLES.join(', ')} (got ${keyVariables.join(' and ')}).`,
    );
  }
  const jwksUrl = get('JWT_JWKS_URL');
  const oidcIssuer = get('JWT_OIDC_ISSUER');
  const configFile = get('CLAIMGATE_CONFIG');
  let verification: ServerConfig['verification'];
  let issuers: IssuerPolicy[] | undefined;
  if (configFile !== undefined) {
    if (
      algorithms !== undefined ||
      get('JWT_ISSUER') !== undefined ||
      get('JWT_AUDIENCE') !== undefined
    ) {
      throw new ConfigError(
        'CLAIMGATE_CONFIG sets algorithms, issuer and audience per issuer: unset JWT_ALGORITHMS, JWT_ISSUER and JWT_AUDIENCE.',
      );
    }
    if (get('JWT_PERMISSION_CLAIMS') !== undefined) {
      throw new ConfigError(
        'CLAIMGATE_CONFIG sets permissionClaims per issuer: unset JWT_PERMISSION_CLAIMS.',
      );
    }
    issuers = loadIssuersFile(configFile);
  } else if (jwksUrl !== undefined) {
    // RS256 is what Auth0, Keycloak, Entra ID, Cognito and Okta sign access tokens with by default.
    verification = { algorithms: algorithms ?? ['RS256'], key: { jwksUrl } };
  } else if (oidcIssuer !== undefined) {
    verification = { algorithms: algorithms ?? ['RS256'], key: { oidcIssuer } };
  } else if (secret !== undefined) {
    verification = { algorithms: algorithms ?? ['HS256'], key: { secret } };
  } else if (publicKeyInput !== undefined) {
    const pem = readPem(publicKeyInput);
    verification = {
      algorithms: algorithms ?? [defaultAlgorithmFor(pem)],
      key: { publicKey: pem },
    };
  } else if (production) {
    throw new ConfigError(
      'NODE_ENV=production needs a verification key: set JWT_SECRET (at least 32 bytes) or JWT_PUBLIC_KEY (PEM text or file path), JWT_JWKS_URL, JWT_OIDC_ISSUER or CLAIMGATE_CONFIG.',
    );
  } else if (algorithms !== undefined) {
    throw new ConfigError(
      'JWT_ALGORITHMS is set but no key is: set JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL or JWT_OIDC_ISSUER too.',
    );
  }

  const permissionClaims = parsePermissionClaims(get('JWT_PERMISSION_CLAIMS'));
  if (permissionClaims !== undefined) {
    if (verification === undefined) {
      throw new ConfigError(
        'JWT_PERMISSION_CLAIMS is set but no key is: set JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL or JWT_OIDC_ISSUER too (dev tokens carry `permissions`).',
      );
    }
    verification = { ...verification, permissionClaims };
  }

  const issuer = get('JWT_ISSUER');
  const audience = get('JWT_AUDIENCE');
  // With CLAIMGATE_CONFIG each issuer's policy carries them (checked by the verifier in production);
  // JWT_OIDC_ISSUER names the issuer.
  if (
    production &&
    issuers === undefined &&
    ((issuer ?? oidcIssuer) === undefined || audience === undefined)
  ) {
    // RFC 8725 §3.8–3.9: without them a token minted for another service or issuer is accepted.
    throw new ConfigError(
      'NODE_ENV=production needs JWT_ISSUER and JWT_AUDIENCE: set them to the `iss` and `aud` your identity provider puts in its tokens (JWT_OIDC_ISSUER also sets the issuer).',
    );
  }

  return {
    port,
    host,
    security: loadSecurityConfig(get),
    production,
    rejectInvalidTokens: rejectInput === 'true',
    wholeOperation: wholeOperationInput === 'true',
    issuer,
    audience,
    devKeyDirectory: resolve(get('CLAIMGATE_DEV_DIR') ?? '.claimgate'),
    verification,
    ...(issuers === undefined ? {} : { issuers }),
  };
}

/** A comma list of claim names or dotted paths, e.g. `permissions,scope` or `realm_access.roles`. */
function parsePermissionClaims(value: string | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const paths = value.split(',').map((path) => path.trim());
  if (paths.some((path) => !/^[A-Za-z0-9_:$@/-]+(\.[A-Za-z0-9_:$@/-]+)*$/.test(path))) {
    throw new ConfigError(
      `JWT_PERMISSION_CLAIMS must be a comma list of claim names or dotted paths, e.g. "permissions,scope" or "realm_access.roles" (got ${JSON.stringify(value)}).`,
    );
  }
  return paths;
}

/**
 * The `security` part of {@link loadServerConfig} alone, with the same variables, defaults and
 * checks (`REDIS_URL`, `REDIS_KEY_PREFIX`, `AUTH_RATE_LIMIT`, `AUTH_TRUST_PROXY`), for tools that
 * reach the server's store without verifying tokens (`claimgate revoke`): the verification keys,
 * and `NODE_ENV=production`'s demands on them, do not concern them.
 * @throws ConfigError naming the variable to change.
 */
export function loadServerSecurityConfig(env: Env): SecurityConfig {
  return loadSecurityConfig(variablesOf(env));
}

/** Reads a variable of `env`; the empty string (or blanks) counts as unset. */
function variablesOf(env: Env): (name: string) => string | undefined {
  return (name) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(
      `PORT must be an integer from 0 to 65535 (got ${JSON.stringify(value)}).`,
    );
  }
  return port;
}

function readPem(input: string): string {
  if (input.includes('-----BEGIN')) return input.replace(/\\n/g, '\n');
  if (!existsSync(input)) {
    throw new ConfigError(
      'JWT_PUBLIC_KEY is neither PEM text (-----BEGIN PUBLIC KEY-----) nor the path of a readable file.',
    );
  }
  return readFileSync(input, 'utf8');
}

/** The one algorithm a public key's type implies: RS256, ES256/384/512 by curve, or EdDSA. */
function defaultAlgorithmFor(pem: string): string {
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY is not a valid PEM public key or certificate.');
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    case 'ed25519':
      return 'EdDSA';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return 'ES256';
      if (curve === 'secp384r1') return 'ES384';
      if (curve === 'secp521r1') return 'ES512';
      break;
    }
  }
  throw new ConfigError(
    `JWT_PUBLIC_KEY has a key type claimgate cannot infer an algorithm for; set JWT_ALGORITHMS.`,
  );
}

function loadSecurityConfig(get: (name: string) => string | undefined): SecurityConfig {
  const redisUrl = get('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL must start with redis:// or rediss://.');
  }
  const redisKeyPrefix = get('REDIS_KEY_PREFIX') ?? 'claimgate:';
  if (/[{}]/.test(redisKeyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX must not contain { or }.');
  }
  let rateLimit: RateLimitPolicy | false = DEFAULT_RATE_LIMIT;
  const rateLimitInput = get('AUTH_RATE_LIMIT');
  if (rateLimitInput !== undefined) {
    try {
      rateLimit = parseRateLimit(rateLimitInput);
    } catch {
      throw new ConfigError(
        'AUTH_RATE_LIMIT must be "<failures>/<seconds>" (e.g. 5/300, at most 1000 failures and 604800 seconds) or "off".',
      );
    }
  }
  return {
    redisUrl,
    redisKeyPrefix,
    rateLimit,
    trustProxy: parseTrustProxy(get('AUTH_TRUST_PROXY')),
  };
}

function parseTrustProxy(value: string | undefined): TrustProxyOptions | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value.trim());
    if (hops > 32) throw new ConfigError('AUTH_TRUST_PROXY hop count must be from 0 to 32.');
    return { hops };
  }
  const proxies = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (proxies.length === 0) {
    throw new ConfigError(
      'AUTH_TRUST_PROXY must be a hop count (e.g. 1) or a comma-separated list of proxy addresses / CIDR ranges.',
    );
  }
  try {
    // Validates each entry now, so a typo fails at start-up with the variable's name.
    createClientKeyResolver({ proxies });
  } catch {
    throw new ConfigError(
      'AUTH_TRUST_PROXY must be a hop count or a comma-separated list of IP addresses / CIDR ranges (e.g. 10.0.0.0/8).',
    );
  }
  return { proxies };
}
