import { AuthUnavailableError } from '../index.js';
import { createServerLogger } from './create-server-logger.js';
import { ConfigError, loadServerConfig } from './load-server-config.js';
import { startExampleServer } from './start-example-server.js';

// Entry point of `npm start`. Configuration errors end the process with a message saying what to fix.
try {
  const config = loadServerConfig(process.env);
  // Structured JSON logs on stdout; LOG_LEVEL=debug adds successful authentications.
  const logger = createServerLogger({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const server = await startExampleServer(config, {
    logger,
    onKeyLoadFailure: (error) => {
      // The cause names the endpoint and what failed; it never holds a token or a secret.
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const detail = cause instanceof Error ? cause.message : 'unknown error';
      const retryAfterSeconds = error instanceof AuthUnavailableError ? error.retryAfter : 1;
      logger.warn(
        { detail, retryAfterSeconds },
        'verification keys not loaded yet; GET /ready answers 503 until then',
      );
    },
  });
  // A plain line for humans (and scripts that wait for it); everything after it is JSON.
  console.log(
    `claimgate example server ready at ${server.url} (metrics at ${new URL('/metrics', server.url).href})`,
  );
  logger.info(
    {
      securityStore: server.securityStore,
      failedAuthRateLimit:
        server.security.rateLimit === false
          ? 'off'
          : `${server.security.rateLimit.failures}/${server.security.rateLimit.windowSeconds}s`,
    },
    'security settings',
  );
  if (server.devKeys !== undefined) {
    console.warn(
      [
        '',
        `DEVELOPMENT MODE: no JWT_SECRET or JWT_PUBLIC_KEY is set, so tokens are signed with the dev key in ${server.devKeys.file}.`,
        'Mint more with `npx claimgate mint --sub alice --permission admin`; delete the file to rotate the key.',
        'Never run like this in production (NODE_ENV=production refuses).',
        '',
        `Dev token (sub dev-user, articles:read; pre-filled in Sandbox):`,
        `  Authorization: Bearer ${server.devKeys.userToken}`,
        '',
        `Admin dev token (sub dev-admin, admin articles:write audit:read billing:read):`,
        `  Authorization: Bearer ${server.devKeys.adminToken}`,
        '',
        `Open ${server.url} in a browser for Apollo Sandbox.`,
        '',
      ].join('\n'),
    );
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError || error instanceof TypeError) {
    console.error(`claimgate example server: configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
