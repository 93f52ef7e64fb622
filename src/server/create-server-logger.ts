import { pino, type DestinationStream, type Logger } from 'pino';
import type { AuthenticationEvent, DenialEvent, SecurityEvent } from '../index.js';
import type { CompleteObserver } from './create-server-metrics.js';

/** Options of {@link createServerLogger}. */
export interface ServerLoggerOptions {
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. @default "info" */
  readonly level?: string | undefined;
  /** Where lines go. @default standard output */
  readonly destination?: DestinationStream | undefined;
}

/**
 * Paths pino replaces with `[Redacted]` should a header object ever be logged. The server never logs
 * headers, tokens or claims; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  '*.authorization',
];

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Creates the example server's structured (JSON) logger.
 * @throws TypeError for an unknown level.
 */
export function createServerLogger(options: ServerLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new TypeError(
      `LOG_LEVEL must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(level)}).`,
    );
  }
  return pino(
    {
      level,
      base: { service: 'claimgate-example' },
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    },
    options.destination,
  );
}

/**
 * An observer that logs refusals and denials at `info` and successful authentications at `debug`,
 * with only what the events carry: outcome, reason, algorithm, kid, issuer, coordinate, code.
 */
export function createLoggingObserver(logger: Logger): CompleteObserver {
  return {
    onAuthentication(event: AuthenticationEvent) {
      const { outcome, reason, algorithm, kid, issuer, cacheHit, durationMs } = event;
      const fields = { event: 'authentication', outcome, reason, algorithm, kid, issuer, cacheHit };
      if (outcome === 'ok' || outcome === 'anonymous') {
        logger.debug({ ...fields, durationMs }, 'authenticated');
      } else if (outcome === 'error') {
        logger.error({ ...fields, durationMs }, 'authentication failed unexpectedly');
      } else {
        logger.info({ ...fields, durationMs }, 'token refused');
      }
    },
    onDenial(event: DenialEvent) {
      const { coordinate, code } = event;
      logger.info({ event: 'denial', coordinate, code }, 'field denied');
    },
  };
}

/**
 * Logs security-store trouble: one `warn` line when the store starts failing (with the feature and
 * what requests get: fail-open or fail-closed) and one when it answers again, not one per request.
 */
export function createSecurityEventLogger(logger: Logger): (event: SecurityEvent) => void {
  let failing = false;
  return (event) => {
    if (event.type === 'store-unavailable') {
      if (failing) return;
      failing = true;
      const { feature, outcome, error } = event;
      logger.warn(
        { event: 'security-store', feature, outcome, detail: error },
        'security store unavailable',
      );
    } else {
      failing = false;
      logger.warn(
        { event: 'security-store', failedCalls: event.failedCalls },
        'security store recovered',
      );
    }
  };
}

/** Logs Redis connection trouble once per outage (`warn`) and the reconnection, without flooding. */
export function createRedisConnectionLogger(
  logger: Logger,
): (event: { readonly type: 'error' | 'ready'; readonly message?: string }) => void {
  let failing = false;
  return (event) => {
    if (event.type === 'error') {
      if (!failing) {
        logger.warn(
          { event: 'redis', detail: event.message },
          'Redis connection lost; reconnecting',
        );
      }
      failing = true;
    } else if (failing) {
      failing = false;
      logger.warn({ event: 'redis' }, 'Redis connection restored');
    }
  };
}
