import { isAuthError, TokenInvalidError } from '../../index.js';
import { loadDevKey } from '../../server/dev-keys.js';
import { ConfigError, loadServerConfig } from '../../server/load-server-config.js';
import { createServerVerifier, isDevelopmentMode } from '../../server/create-server-verifier.js';
import { EXIT, parseCommandArgs, readTokenArgument, UsageError, type Command } from '../cli-io.js';

const HELP = `Usage: claimgate verify <token | -> [--json]

Verifies a JWT exactly as the example server would: the same environment variables (JWT_SECRET,
JWT_PUBLIC_KEY, JWT_JWKS_URL, JWT_OIDC_ISSUER or CLAIMGATE_CONFIG; JWT_ALGORITHMS, JWT_ISSUER,
JWT_AUDIENCE, NODE_ENV) and, when no key is configured, the development key in .claimgate/
(CLAIMGATE_DEV_DIR). Prints the caller on success and the typed
error code (TOKEN_EXPIRED, TOKEN_INVALID with its reason) on failure.

Arguments:
  <token>      the compact JWT (a leading "Bearer " is ignored); - reads it from standard input
Options:
  --json       print { valid, subject, issuer, permissions, expiresAt } or { valid, code, reason, claim }
  -h, --help   show this help

Exit status: 0 the token verified, 1 it did not, 2 usage or configuration error, or the keys
could not be loaded (AUTH_UNAVAILABLE).
`;

/** `claimgate verify`: see its help text for arguments and exit statuses. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a token with the example server’s configuration; typed code on failure',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, { json: { type: 'boolean' } }, io, HELP);
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals } = parsed;
    const token = await readTokenArgument(positionals, io, 'verify');
    let config;
    try {
      config = loadServerConfig(io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`configuration: ${error.message}`);
      throw error;
    }
    const development = isDevelopmentMode(config);
    const devKey = development ? await loadDevKey(config.devKeyDirectory) : undefined;
    if (development && devKey === undefined) {
      throw new UsageError(
        `no key is configured and there is no dev key in ${config.devKeyDirectory} yet: set JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL, JWT_OIDC_ISSUER or CLAIMGATE_CONFIG, or run \`npm start\` or \`claimgate mint\` once.`,
      );
    }
    const verifier = await createServerVerifier(config, devKey);
    try {
      const principal = await verifier.verify(token);
      const exp = principal.claims.exp;
      const result = {
        valid: true,
        subject: principal.subject ?? null,
        issuer: principal.issuer ?? null,
        permissions: [...principal.permissions].sort(),
        expiresAt: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : null,
      };
      if (values.json === true) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(
          [
            'VALID',
            `  sub          ${result.subject ?? '(none)'}`,
            `  iss          ${result.issuer ?? '(none)'}`,
            `  permissions  ${result.permissions.join(' ') || '(none)'}`,
            `  expires      ${result.expiresAt ?? '(never)'}`,
            '',
          ].join('\n'),
        );
      }
      return EXIT.ok;
    } catch (error) {
      if (!isAuthError(error)) throw error;
      // Not a verdict on the token: the keys could not be loaded (JWKS or discovery unreachable).
      if (error.code === 'AUTH_UNAVAILABLE') {
        throw new UsageError('AUTH_UNAVAILABLE: the verification keys could not be loaded; retry.');
      }
      const reason = error instanceof TokenInvalidError ? error.reason : undefined;
      const claim = error instanceof TokenInvalidError ? error.claim : undefined;
      if (values.json === true) {
        io.out(
          `${JSON.stringify({ valid: false, code: error.code, reason: reason ?? null, claim: claim ?? null }, null, 2)}\n`,
        );
      } else {
        const details = [reason && `reason: ${reason}`, claim && `claim: ${claim}`].filter(Boolean);
        io.out(`INVALID ${error.code}${details.length > 0 ? ` (${details.join(', ')})` : ''}\n`);
      }
      return EXIT.failure;
    }
  },
};
