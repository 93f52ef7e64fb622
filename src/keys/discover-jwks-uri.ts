import type { JwksLocator } from './create-remote-key-source.js';
import { parseKeyUrl } from './create-remote-key-source.js';
import { KeySourceError } from './key-source.js';

/**
 * A {@link JwksLocator} for OpenID Connect Discovery 1.0: reads
 * `<issuer>/.well-known/openid-configuration` (§4, a trailing `/` of the issuer removed), checks
 * that its `issuer` equals the configured issuer exactly (§4.3: otherwise tokens of another issuer
 * could be accepted), and returns its `jwks_uri`. Runs on the first key load; once it has succeeded
 * its answer is kept for the life of the process.
 * @throws KeySourceError `discovery` when the document is not usable (issuer mismatch, no or a
 *   non-https `jwks_uri`); transport failures as for the JWKS itself.
 */
export function discoverJwksUri(issuer: string, allowInsecureHttp: boolean): JwksLocator {
  parseKeyUrl(issuer, 'oidcIssuer', allowInsecureHttp);
  const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  const configurationUrl = `${base}/.well-known/openid-configuration`;
  return async (fetchJson, signal) => {
    const response = await fetchJson(configurationUrl, {
      method: 'GET',
      redirect: 'manual',
      signal: signal(),
      headers: { accept: 'application/json' },
    });
    const document: unknown = await response.json();
    const fail = (what: string): never => {
      throw new KeySourceError('discovery', `claimgate: ${configurationUrl} ${what}`);
    };
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      return fail('is not a JSON object.');
    }
    const fields = document as Record<string, unknown>;
    if (fields['issuer'] !== issuer) {
      return fail(
        `names issuer ${JSON.stringify(fields['issuer'])}, not the configured ${JSON.stringify(issuer)}; they must be equal exactly.`,
      );
    }
    const jwksUri = fields['jwks_uri'];
    if (typeof jwksUri !== 'string') return fail('has no "jwks_uri".');
    try {
      return parseKeyUrl(jwksUri, 'jwks_uri', allowInsecureHttp);
    } catch (error) {
      return fail(`has an unusable "jwks_uri": ${error instanceof Error ? error.message : ''}`);
    }
  };
}
