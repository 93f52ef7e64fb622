import { createMultiIssuerVerifier, createTokenVerifier, type TokenVerifier } from '../index.js';
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

/**
 * The example server's token verifier, shared with `claimgate verify` so both accept exactly the
 * same tokens: several issuers (`CLAIMGATE_CONFIG`), one configured key, or in development mode
 * the persisted dev key.
 * @throws TypeError in development mode without a dev key, or on a verifier misconfiguration.
 */
export async function createServerVerifier(
  config: ServerConfig,
  devKey: DevKey | undefined,
): Promise<TokenVerifier> {
  const production = config.production;
  if (config.issuers !== undefined) {
    return createMultiIssuerVerifier({
      issuers: config.issuers.map((policy) => ({ ...policy, production })),
    });
  }
  const { issuer, audience } = expectedIssuerAndAudience(config);
  if (config.verification !== undefined) {
    return createTokenVerifier({ ...config.verification, issuer, audience, production });
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
