import {
  createMultiIssuerVerifier,
  createTokenVerifier,
  type FetchFunction,
  type KeyConfig,
  type TokenVerifier,
} from '../index.js';
import type { DevKey } from './dev-keys.js';
import { DEV_AUDIENCE, DEV_ISSUER, type ServerConfig } from './load-server-config.js';

/** Whether the example server runs in development mode: no key, JWKS, OIDC issuer or issuers file. */
export function isDevelopmentMode(config: ServerConfig): boolean {
  return config.verification === undefined && config.issuers === undefined;
}

/** The `iss` and `aud` the example server expects: as configured, or the dev defaults in dev mode. */
export function expectedIssuerAndAudience(config: ServerConfig): {
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
} {
  const development = isDevelopmentMode(config);
  return {
    issuer: config.issuer ?? (development ? DEV_ISSUER : undefined),
    audience: config.audience ?? (development ? DEV_AUDIENCE : undefined),
  };
}

/** Options of {@link createServerVerifier}. */
export interface ServerVerifierOptions {
  /**
   * The fetch used for remote JWKS and OIDC discovery documents (the example server counts them
   * for `/metrics`); a key configuration's own `fetch` wins.
   * @default the global fetch
   */
  readonly fetch?: FetchFunction | undefined;
}

/** `key` with `fetch` added when it is a remote key source without one of its own. */
function withFetch(key: KeyConfig, fetch: FetchFunction | undefined): KeyConfig {
  if (fetch === undefined || !('jwksUrl' in key || 'oidcIssuer' in key)) return key;
  return key.fetch === undefined ? { ...key, fetch } : key;
}

/**
 * The example server's token verifier, shared with `claimgate verify` so both accept exactly the
 * same tokens: several issuers (`CLAIMGATE_CONFIG`), one configured key, or in development mode
 * the persisted dev key.
 * @throws TypeError in development mode without a dev key, or on a verifier misconfiguration.
 */
export async function createServerVerifier(
  config: ServerConfig,
  devKey: DevKey | undefined,
  options: ServerVerifierOptions = {},
): Promise<TokenVerifier> {
  const production = config.production;
  const keyOf = (key: KeyConfig) => withFetch(key, options.fetch);
  if (config.issuers !== undefined) {
    return createMultiIssuerVerifier({
      issuers: config.issuers.map((policy) => ({ ...policy, key: keyOf(policy.key), production })),
    });
  }
  const { issuer, audience } = expectedIssuerAndAudience(config);
  if (config.verification !== undefined) {
    const { verification } = config;
    return createTokenVerifier({
      ...verification,
      key: keyOf(verification.key),
      issuer,
      audience,
      production,
    });
  }
  if (devKey === undefined) {
    throw new TypeError('claimgate: development mode needs the dev key (.claimgate/dev-key.json).');
  }
  return createTokenVerifier({
    algorithms: [devKey.algorithm],
    key: { publicKey: devKey.publicKeyPem },
    issuer,
    audience,
    production,
  });
}
