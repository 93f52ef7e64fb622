import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IssuerPolicy, KeyConfig } from '../index.js';
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
    { readonly algorithms: readonly string[]; readonly key: KeyConfig } | undefined;
  /** Several trusted issuers, from the JSON file named by `CLAIMGATE_CONFIG`. */
  readonly issuers?: readonly IssuerPolicy[] | undefined;
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
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
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
