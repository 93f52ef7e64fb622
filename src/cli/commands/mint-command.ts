import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { loadOrCreateDevKey, mintDevToken } from '../../server/dev-keys.js';
import {
  ConfigError,
  DEV_AUDIENCE,
  DEV_ISSUER,
  loadServerConfig,
} from '../../server/load-server-config.js';
import {
  expectedIssuerAndAudience,
  isDevelopmentMode,
} from '../../server/create-server-verifier.js';
import { EXIT, parseCommandArgs, parseDuration, UsageError, type Command } from '../cli-io.js';

const HELP = `Usage: claimgate mint [--sub <id>] [--permission <p>]... [--ttl <duration>] [--claim k=v]... [--json]

Mints a DEVELOPMENT token signed with the example server's dev key (.claimgate/dev-key.json, or
CLAIMGATE_DEV_DIR; created if missing), with the issuer and audience the server expects, so
\`npm start\` accepts it. Refuses to run when NODE_ENV=production.

Options:
  --sub <id>           the subject (sub)                               default: dev-user
  --permission <p>     a permission (repeatable), in the permissions claim
  --ttl <duration>     lifetime: seconds or 90m, 8h, 1d                 default: 1h
  --claim <k=v>        another claim (repeatable); v is parsed as JSON when it can be
  --json               print { token, header, payload } as JSON instead of the bare token
  -h, --help           show this help

Exit status: 0 minted (the token is the only line on standard output), 2 usage error or refused.
`;

/** Claims `mint` sets itself; `--claim` may not override them. */
const RESERVED = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'permissions']);

/** `claimgate mint`: see its help text for arguments and exit statuses. */
export const mintCommand: Command = {
  name: 'mint',
  summary: 'mint a development token signed with the example server’s dev key',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      {
        sub: { type: 'string', default: 'dev-user' },
        permission: { type: 'string', multiple: true, default: [] },
        ttl: { type: 'string', default: '1h' },
        claim: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean' },
      },
      io,
      HELP,
    );
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`mint takes no arguments (got ${positionals[0]}).`);
    if (io.env['NODE_ENV'] === 'production') {
      throw new UsageError(
        'mint refuses to run with NODE_ENV=production: dev tokens are for development only.',
      );
    }
    let config;
    try {
      config = loadServerConfig(io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`configuration: ${error.message}`);
      throw error;
    }
    if (!isDevelopmentMode(config)) {
      io.err(
        'claimgate mint: warning: verification keys are configured (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL, JWT_OIDC_ISSUER or CLAIMGATE_CONFIG), so the example server will refuse this dev token.\n',
      );
    }
    const ttlSeconds = parseDuration(values.ttl, '--ttl');
    const claims = parseClaims(values.claim);
    const { issuer, audience } = expectedIssuerAndAudience(config);
    const key = await loadOrCreateDevKey(config.devKeyDirectory);
    const token = await mintDevToken(key, {
      subject: values.sub,
      permissions: values.permission,
      issuer: issuer ?? DEV_ISSUER,
      audience: audience ?? DEV_AUDIENCE,
      ttlSeconds,
      claims,
    });
    if (values.json === true) {
      const result = { token, header: decodeProtectedHeader(token), payload: decodeJwt(token) };
      io.out(`${JSON.stringify(result, null, 2)}\n`);
    } else io.out(`${token}\n`);
    return EXIT.ok;
  },
};

function parseClaims(pairs: readonly string[]): JWTPayload {
  // A Map, then fromEntries: a claim named __proto__ stays an own property.
  const claims = new Map<string, unknown>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at <= 0 ? '' : pair.slice(0, at);
    if (name === '')
      throw new UsageError(`--claim needs name=value (got ${JSON.stringify(pair)}).`);
    if (RESERVED.has(name)) {
      throw new UsageError(`--claim cannot set ${name}; use --sub, --ttl or --permission.`);
    }
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: the claim is the string itself.
    }
    claims.set(name, value);
  }
  return Object.fromEntries(claims);
}
