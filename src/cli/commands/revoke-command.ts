import {
  createRedisSecurityStore,
  createSecurityMonitor,
  MAX_REVOCATION_HORIZON_SECONDS,
} from '../../index.js';
import { ConfigError, loadServerSecurityConfig } from '../../server/load-server-config.js';
import { EXIT, parseCommandArgs, formatDuration, UsageError, type Command } from '../cli-io.js';

/** How long a subject revocation is kept: the monitor's default, as in the example server. */
const SUBJECT_ENTRY_SECONDS = 86_400;
/** Bounds on the one connection and the one command the command makes. */
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 2000;
/** A number of seconds this large is a timestamp in milliseconds (year 5138 in seconds). */
const MILLISECONDS_THRESHOLD = 1e11;

const HELP = `Usage: claimgate revoke --jti <id> --exp <unix seconds | ISO date | none> [--iss <issuer>] [--json]
       claimgate revoke --sub <subject> [--before <unix seconds | ISO date | now>] [--iss <issuer>] [--json]

Revokes tokens in the example server's Redis store, found through the same environment variables:
REDIS_URL (required) and REDIS_KEY_PREFIX (default claimgate:). Every server instance on that
Redis refuses a revoked token with TOKEN_REVOKED from its next request on. Runs under any NODE_ENV
and needs no verification key.

Without REDIS_URL the example server keeps revocations in memory inside its own process, out of
this command's reach: there, use its admin mutations Mutation.revokeToken / Mutation.revokeSubject.

Options (exactly one of --jti and --sub):
  --jti <id>           revoke the one token with this jti, until --exp
  --exp <time>         that token's exp, required with --jti: the entry is kept until then and
                       leaves Redis by itself. Read jti and exp with \`claimgate decode <token>\`.
                       There is no --token option on purpose: the command takes identifiers only,
                       so no token passes through it or its output. An exp in the past stores
                       nothing (the token is refused as expired anyway) and exits 0. An exp more
                       than ten years ahead is refused (seconds, not milliseconds). --exp none is
                       for a token without exp: the entry is kept one day, after which such a
                       token would be accepted again (prefer tokens that expire).
  --sub <subject>      revoke every token of this subject issued (iat) before --before, or
                       without an iat; tokens issued afterwards are accepted. The entry is kept one
                       day, the longest token lifetime the example server accepts.
  --before <time>      with --sub: the moment                           default: now
                       (now covers every token issued so far, this second included); a future
                       moment is refused, as it would also refuse tokens not issued yet
  --iss <issuer>       revoke only the tokens of this issuer (their iss claim, exactly), for
                       servers that trust several issuers; without it the revocation applies to
                       tokens of every issuer
  --json               print { by, jti, exp, until, stored, redis, keyPrefix } or
                       { by, sub, before, issuedBefore, keptUntil, stored, redis, keyPrefix },
                       with iss after sub or jti when --iss is given (exp is null for --exp none)
  -h, --help           show this help

Times: seconds since the epoch (not milliseconds), an ISO 8601 date (2026-01-31, midnight UTC) or
date-time with its zone (2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00).

Output names the jti or sub you typed, the times, and Redis without its credentials; never a token
or other claims.

Exit status: 0 revoked (or nothing to revoke: an exp in the past), 2 usage or configuration error,
or Redis could not be reached (2s to connect) or did not answer (2s for the command): one line on
standard error. Retry then; revoking twice is harmless.
`;

/** `claimgate revoke`: see its help text for arguments and exit statuses. */
export const revokeCommand: Command = {
  name: 'revoke',
  summary: 'revoke a token (jti) or every token of a subject in the example server’s Redis',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      {
        jti: { type: 'string' },
        exp: { type: 'string' },
        sub: { type: 'string' },
        before: { type: 'string' },
        iss: { type: 'string' },
        json: { type: 'boolean' },
      },
      io,
      HELP,
    );
    if (parsed === undefined) return EXIT.ok;
    const { values, positionals } = parsed;
    if (positionals.length > 0) {
      throw new UsageError(`revoke takes no arguments (got ${JSON.stringify(positionals[0])}).`);
    }
    const nowMs = Date.now();
    const target = readTarget(values, nowMs);

    let security;
    try {
      security = loadServerSecurityConfig(io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`configuration: ${error.message}`);
      throw error;
    }
    const { redisUrl, redisKeyPrefix } = security;
    if (redisUrl === undefined) {
      throw new UsageError(
        'REDIS_URL is not set. Without it the example server keeps revocations in memory inside its own process, where this command cannot reach them: set REDIS_URL (and REDIS_KEY_PREFIX if the server has one) to the server’s Redis, or use the example server’s admin mutations Mutation.revokeToken / Mutation.revokeSubject.',
      );
    }
    const redis = describeRedis(redisUrl);
    const scope = target.iss === undefined ? {} : { iss: target.iss };
    const report = (stored: boolean) =>
      target.by === 'jti'
        ? {
            by: 'jti' as const,
            jti: target.jti,
            ...scope,
            exp: target.exp,
            until: new Date(
              target.exp === null ? nowMs + SUBJECT_ENTRY_SECONDS * 1000 : target.exp * 1000,
            ).toISOString(),
            stored,
            redis,
            keyPrefix: redisKeyPrefix,
          }
        : {
            by: 'subject' as const,
            sub: target.sub,
            ...scope,
            before: target.before,
            issuedBefore: new Date(target.before * 1000).toISOString(),
            keptUntil: new Date(nowMs + SUBJECT_ENTRY_SECONDS * 1000).toISOString(),
            stored,
            redis,
            keyPrefix: redisKeyPrefix,
          };

    if (target.by === 'jti' && target.exp !== null && target.exp * 1000 <= nowMs) {
      // The store would ignore it: an expired token is refused as TOKEN_EXPIRED anyway.
      const result = report(false);
      if (values.json === true) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(
          `Nothing to revoke: the token with jti ${JSON.stringify(target.jti)} expired at ${new Date(target.exp * 1000).toISOString()}, so it is refused anyway.\n`,
        );
      }
      return EXIT.ok;
    }

    let lastConnectionError: string | undefined;
    let store;
    try {
      store = await createRedisSecurityStore({
        url: redisUrl,
        keyPrefix: redisKeyPrefix,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        // Short waits between attempts, so closing does not wait out a long back-off.
        maxReconnectDelayMs: 250,
        onConnectionEvent: (event) => {
          if (event.type === 'error') lastConnectionError = event.message;
        },
      });
    } catch (error) {
      // node-redis rejects a URL it cannot parse (a bad port, database or host).
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`configuration: REDIS_URL is not a usable Redis URL (${reason}).`);
    }
    try {
      if (!store.isReady()) {
        io.err(
          `claimgate revoke: could not connect to Redis at ${redis} within ${formatDuration(CONNECT_TIMEOUT_MS / 1000)}${lastConnectionError === undefined ? '' : ` (${oneLine(lastConnectionError)})`}; nothing was revoked.\n`,
        );
        return EXIT.usage;
      }
      const monitor = createSecurityMonitor({ store, rateLimit: false, now: () => nowMs });
      try {
        if (target.by === 'jti') {
          await monitor.revokeToken({
            jti: target.jti,
            ...(target.exp === null ? {} : { exp: target.exp }),
            ...scope,
          });
        } else await monitor.revokeSubject({ sub: target.sub, before: target.before, ...scope });
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        io.err(
          `claimgate revoke: Redis at ${redis} failed (${oneLine(reason)}); the revocation may not be recorded: retry.\n`,
        );
        return EXIT.usage;
      }
    } finally {
      await store.close();
    }

    const result = report(true);
    if (values.json === true) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.by === 'jti') {
      const until =
        result.exp === null
          ? `${result.until} (one day: the token has no exp, so after that it would be accepted again)`
          : `${result.until} (its exp)`;
      io.out(
        `Revoked the token with jti ${JSON.stringify(result.jti)}${ofIssuer(target.iss)} until ${until}, in Redis at ${redis} under prefix ${JSON.stringify(redisKeyPrefix)}.\n`,
      );
    } else {
      io.out(
        `Revoked every token of sub ${JSON.stringify(result.sub)}${ofIssuer(target.iss)} issued before ${result.issuedBefore}, in Redis at ${redis} under prefix ${JSON.stringify(redisKeyPrefix)} (kept until ${result.keptUntil}).\n`,
      );
    }
    return EXIT.ok;
  },
};

/** What to revoke, from the options; `iss` limits it to one issuer's tokens. */
type Target = { readonly iss: string | undefined } & (
  | { readonly by: 'jti'; readonly jti: string; readonly exp: number | null }
  | { readonly by: 'subject'; readonly sub: string; readonly before: number }
);

/** ` of issuer "…"` for a scoped revocation, nothing for an unscoped one. */
function ofIssuer(iss: string | undefined): string {
  return iss === undefined ? '' : ` of issuer ${JSON.stringify(iss)}`;
}

function readTarget(
  values: {
    readonly jti?: string | undefined;
    readonly exp?: string | undefined;
    readonly sub?: string | undefined;
    readonly before?: string | undefined;
    readonly iss?: string | undefined;
  },
  nowMs: number,
): Target {
  const { jti, exp, sub, before, iss } = values;
  if ((jti === undefined) === (sub === undefined)) {
    throw new UsageError(
      'give exactly one of --jti (one token) and --sub (every token of a subject).',
    );
  }
  if (iss !== undefined && iss.trim() === '') {
    throw new UsageError('--iss must not be empty (omit it to revoke for every issuer).');
  }
  if (jti !== undefined) {
    if (jti === '') throw new UsageError('--jti must not be empty.');
    if (before !== undefined) throw new UsageError('--before goes with --sub, not --jti.');
    if (exp === undefined) {
      throw new UsageError(
        "--jti needs --exp, the token's expiry: the revocation is kept until then (see `claimgate decode <token>`).",
      );
    }
    if (exp.trim() === 'none') return { by: 'jti', jti, exp: null, iss };
    const seconds = parseMoment(exp, '--exp');
    if (seconds > nowMs / 1000 + MAX_REVOCATION_HORIZON_SECONDS) {
      throw new UsageError('--exp is more than ten years away; give the token’s exp.');
    }
    return { by: 'jti', jti, exp: seconds, iss };
  }
  if (sub === '' || sub === undefined) throw new UsageError('--sub must not be empty.');
  if (exp !== undefined) throw new UsageError('--exp goes with --jti, not --sub.');
  // iat has one-second resolution: "now" covers every token issued in this second.
  const endOfThisSecond = Math.floor(nowMs / 1000) + 1;
  const moment =
    before === undefined || before.trim() === 'now'
      ? endOfThisSecond
      : parseMoment(before, '--before');
  if (moment > endOfThisSecond) {
    throw new UsageError(
      '--before is in the future: it would also refuse tokens not issued yet. Use a past moment or now.',
    );
  }
  return { by: 'subject', sub, before: moment, iss };
}

/**
 * Parses seconds since the epoch or an ISO 8601 date / date-time with a zone, to whole seconds
 * (rounded up: a revocation errs on the side of covering more).
 * @throws UsageError for anything else.
 */
function parseMoment(text: string, option: string): number {
  const value = text.trim();
  const usage = `${option} must be seconds since the epoch or an ISO 8601 date (2026-01-31) or date-time with a zone (2026-01-31T12:00:00Z), got ${JSON.stringify(text)}.`;
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    if (seconds >= MILLISECONDS_THRESHOLD) {
      throw new UsageError(`${option} looks like milliseconds; give seconds since the epoch.`);
    }
    if (seconds <= 0) throw new UsageError(usage);
    return seconds;
  }
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i.exec(
      value,
    );
  const ms = match === null ? NaN : Date.parse(value);
  if (match === null || !Number.isFinite(ms) || ms <= 0) throw new UsageError(usage);
  // Date.parse rolls 2026-02-30 over into March: refuse a day its month does not have.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) throw new UsageError(usage);
  return Math.ceil(ms / 1000);
}

/** The Redis URL without its credentials (user name, password), to name it in messages. */
function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
