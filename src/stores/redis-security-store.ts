import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { FailureKind } from '../policy/rate-limit.js';
import { DEFAULT_MAX_OFFENDERS_PER_BUCKET } from './memory-security-store.js';
import {
  bucketMsOf,
  countsByKind,
  REPORT_BUCKETS,
  type FailureEvent,
  type SecurityLookup,
  type SecurityLookupResult,
  type SecurityReport,
  type SecurityReportQuery,
  type SecurityStore,
} from './security-store.js';

/** Options of {@link createRedisSecurityStore}. */
export interface RedisSecurityStoreOptions {
  /**
   * The Redis URL (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS).
   * @default "redis://127.0.0.1:6379"
   */
  readonly url?: string | undefined;
  /**
   * Prefix of every key. Keys are `<prefix>{cg}:...`: the `{cg}` hash tag puts them all in one
   * Redis Cluster slot, so the multi-key scripts are valid on a cluster. Must not contain `{` or `}`.
   * @default "claimgate:"
   */
  readonly keyPrefix?: string | undefined;
  /**
   * Bound on each command, in milliseconds, including one already sent to a server that does
   * not answer: the request then proceeds in the configured fail-open or fail-closed mode.
   * @default 250
   */
  readonly commandTimeoutMs?: number | undefined;
  /**
   * Bound on each connection attempt, in milliseconds.
   * @default 2000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * The longest wait between reconnection attempts, in milliseconds; attempts back off
   * exponentially from 50 ms up to it, forever.
   * @default 2000
   */
  readonly maxReconnectDelayMs?: number | undefined;
  /**
   * The most clients counted per report bucket (approximate top-k).
   * @default 1000
   */
  readonly maxOffendersPerBucket?: number | undefined;
  /**
   * Told about the connection: `error` (each failed attempt or broken connection; the client
   * reconnects by itself) and `ready` (connected, or reconnected). Never receives credentials.
   * @default a log line on stderr for the first error after being ready, and for each `ready` after an error
   */
  readonly onConnectionEvent?:
    ((event: { readonly type: 'error' | 'ready'; readonly message?: string }) => void) | undefined;
}

/** The Redis {@link SecurityStore}, with a way to wait for its first connection. */
export interface RedisSecurityStore extends SecurityStore {
  /** Whether the connection is up now. */
  isReady(): boolean;
}

/** The default of {@link RedisSecurityStoreOptions.commandTimeoutMs}. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 250;

// Reads everything a request needs in one EVALSHA: one command, one round trip.
// KEYS: failures list, revoked-jti key, revoked-subject key, and the same two scoped to the
// token's issuer. ARGV: limit (0: skip), ask jti, ask sub, ask the issuer-scoped entries.
// Replies {failures, jti revoked (0/1), unscoped before or '', scoped before or ''}.
const LOOKUP = `
local n = tonumber(ARGV[1])
local failures = {}
if n > 0 then failures = redis.call('LRANGE', KEYS[1], 0, n - 1) end
local scoped = ARGV[4] == '1'
local jti = 0
if ARGV[2] == '1' then
  jti = redis.call('EXISTS', KEYS[2])
  if jti == 0 and scoped then jti = redis.call('EXISTS', KEYS[4]) end
end
local before = ''
local scopedBefore = ''
if ARGV[3] == '1' then
  before = redis.call('GET', KEYS[3]) or ''
  if scoped then scopedBefore = redis.call('GET', KEYS[5]) or '' end
end
return {failures, jti, before, scopedBefore}
`;

// Records one failure or refusal atomically. KEYS: failures list, kinds bucket, offenders bucket,
// limited set. ARGV: now ms, limit, window ms, kind, client, bucket ttl ms, offender cap.
const RECORD = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local ttl = tonumber(ARGV[6])
local cap = tonumber(ARGV[7])
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('ZINCRBY', KEYS[3], 1, ARGV[5])
local size = redis.call('ZCARD', KEYS[3])
if size > cap then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, size - cap - 1) end
redis.call('PEXPIRE', KEYS[3], ttl)
if ARGV[4] == 'refused' then return redis.call('LRANGE', KEYS[1], 0, limit - 1) end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, limit - 1)
-- Drop failures that left the window (the tail holds the oldest; the list has at most limit items).
while tonumber(redis.call('LINDEX', KEYS[1], -1)) <= now - win do redis.call('RPOP', KEYS[1]) end
redis.call('PEXPIRE', KEYS[1], win)
local list = redis.call('LRANGE', KEYS[1], 0, limit - 1)
if #list >= limit then
  local oldest = now
  for _, t in ipairs(list) do oldest = math.min(oldest, tonumber(t)) end
  if oldest > now - win then
    redis.call('ZADD', KEYS[4], oldest + win, ARGV[5])
    redis.call('PEXPIRE', KEYS[4], win)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
return list
`;

// Keeps the latest revoked-before moment of a subject. KEYS: subject key. ARGV: before s, ttl ms.
const REVOKE_SUBJECT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = tonumber(ARGV[2])
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(ttl, redis.call('PTTL', KEYS[1])))
elseif redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`;

// The report in one script. KEYS: 6 kinds buckets, 6 offender buckets, limited set.
// ARGV: now ms, top.
const REPORT = `
local now = tonumber(ARGV[1])
local top = tonumber(ARGV[2])
local kinds = {}
for i = 1, 6 do kinds[i] = redis.call('HGETALL', KEYS[i]) end
local all = redis.call('ZUNION', 6, KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], 'WITHSCORES')
local offenders = {}
local first = math.max(1, #all - 2 * top + 1)
for i = first, #all do offenders[#offenders + 1] = all[i] end
redis.call('ZREMRANGEBYSCORE', KEYS[13], '-inf', now)
local count = redis.call('ZCARD', KEYS[13])
local limited = redis.call('ZRANGE', KEYS[13], '+inf', '(' .. ARGV[1], 'BYSCORE', 'REV', 'LIMIT', 0, top, 'WITHSCORES')
return {kinds, offenders, count, limited}
`;

interface Script {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  lookup: script(LOOKUP),
  record: script(RECORD),
  revokeSubject: script(REVOKE_SUBJECT),
  report: script(REPORT),
} as const;

/** A short, fixed-length, key-safe digest of an attacker-influenced string (`jti`, `sub`). */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * The digest of an issuer-scoped entry: of the JSON array `[issuer, value]`, an unambiguous
 * encoding of the pair (a concatenation would let `("a:b", "c")` and `("a", "b:c")` collide).
 */
function scopedDigest(issuer: string, value: string): string {
  return digest(JSON.stringify([issuer, value]));
}

/**
 * Creates a {@link SecurityStore} on Redis with node-redis, for many instances sharing state.
 *
 * - Atomic updates: each write is one Lua script (`EVALSHA`, falling back to `EVAL` once after a
 *   server restart flushed the script cache).
 * - Every key starts with `keyPrefix` and carries the `{cg}` hash tag: one Cluster slot. The data
 *   is small (recent failures, report buckets, revocations), so one slot is not a hot spot worth
 *   the multi-slot round trips that sharding it would cost.
 * - `jti` and `sub` are stored as SHA-256 digests: bounded key sizes, no raw identifiers in Redis.
 *   An issuer-scoped entry is keyed by the digest of the JSON array `[iss, value]` (`ji:`, `si:`),
 *   an unscoped one by the digest of the value (`j:`, `s:`, as before scoping existed).
 * - A bounded command timeout (also for commands already sent), no offline queue (commands fail
 *   at once while disconnected), and automatic reconnection with capped exponential backoff.
 *
 * Waits for the first connection at most `connectTimeoutMs`; when Redis is not there yet the
 * store is returned anyway, its calls fail until the connection comes up.
 * @throws TypeError on invalid options.
 */
export async function createRedisSecurityStore(
  options: RedisSecurityStoreOptions = {},
): Promise<RedisSecurityStore> {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const prefix = options.keyPrefix ?? 'claimgate:';
  if (/[{}]/.test(prefix)) {
    throw new TypeError(
      'claimgate: Redis `keyPrefix` must not contain `{` or `}` (claimgate adds its own hash tag).',
    );
  }
  const commandTimeoutMs = positive(
    options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    'commandTimeoutMs',
  );
  const connectTimeoutMs = positive(options.connectTimeoutMs ?? 2000, 'connectTimeoutMs');
  const maxReconnectDelayMs = positive(options.maxReconnectDelayMs ?? 2000, 'maxReconnectDelayMs');
  const cap = positive(
    options.maxOffendersPerBucket ?? DEFAULT_MAX_OFFENDERS_PER_BUCKET,
    'maxOffendersPerBucket',
  );
  const onConnectionEvent = options.onConnectionEvent ?? createDefaultConnectionLogger();
  const base = `${prefix}{cg}:`;
  const keys = {
    failures: (client: string) => `${base}f:${client}`,
    kinds: (bucket: number) => `${base}k:${bucket}`,
    offenders: (bucket: number) => `${base}o:${bucket}`,
    limited: `${base}l`,
    // Unscoped entries (any issuer) keep the keys they had before issuer scoping existed.
    jti: (jti: string, issuer?: string) =>
      issuer === undefined ? `${base}j:${digest(jti)}` : `${base}ji:${scopedDigest(issuer, jti)}`,
    subject: (sub: string, issuer?: string) =>
      issuer === undefined ? `${base}s:${digest(sub)}` : `${base}si:${scopedDigest(issuer, sub)}`,
    // A key in the same slot for an argument a script does not read.
    unused: `${base}-`,
  };

  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 10), maxReconnectDelayMs),
    },
    commandOptions: { timeout: commandTimeoutMs, rejectInFlight: true },
  });
  client.on('error', (error: unknown) => {
    onConnectionEvent({
      type: 'error',
      message: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error',
    });
  });
  client.on('ready', () => onConnectionEvent({ type: 'ready' }));
  const connecting = client.connect().then(
    () => true,
    () => false,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    connecting,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), connectTimeoutMs);
    }),
  ]);
  clearTimeout(timer);

  async function run(s: Script, keyList: readonly string[], args: readonly string[]) {
    const tail = [String(keyList.length), ...keyList, ...args];
    try {
      return await client.sendCommand(['EVALSHA', s.sha1, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', s.source, ...tail]);
    }
  }

  let closed = false;
  return {
    async lookup(query: SecurityLookup): Promise<SecurityLookupResult> {
      const { failuresOf, jti, subject, issuer } = query;
      const reply = await run(
        SCRIPTS.lookup,
        [
          failuresOf === undefined ? keys.unused : keys.failures(failuresOf.clientKey),
          jti === undefined ? keys.unused : keys.jti(jti),
          subject === undefined ? keys.unused : keys.subject(subject),
          jti === undefined || issuer === undefined ? keys.unused : keys.jti(jti, issuer),
          subject === undefined || issuer === undefined
            ? keys.unused
            : keys.subject(subject, issuer),
        ],
        [
          String(failuresOf?.limit ?? 0),
          jti === undefined ? '0' : '1',
          subject === undefined ? '0' : '1',
          issuer === undefined ? '0' : '1',
        ],
      );
      const [failures, jtiExists, before, scopedBefore] = tuple(reply, 4);
      const moments = [before, scopedBefore]
        .filter((value) => value !== '')
        .map(Number)
        .filter((value) => Number.isFinite(value));
      return {
        recentFailures: numbers(failures),
        jtiRevoked: jtiExists === 1,
        subjectRevokedBefore: moments.length === 0 ? undefined : Math.max(...moments),
      };
    },

    async recordFailure(event: FailureEvent): Promise<readonly number[]> {
      const { clientKey, kind, nowMs, limit, windowMs } = event;
      const bucketMs = bucketMsOf(windowMs);
      const bucket = Math.floor(nowMs / bucketMs);
      const reply = await run(
        SCRIPTS.record,
        [keys.failures(clientKey), keys.kinds(bucket), keys.offenders(bucket), keys.limited],
        [
          String(nowMs),
          String(limit),
          String(windowMs),
          kind,
          clientKey,
          String(windowMs + 2 * bucketMs),
          String(cap),
        ],
      );
      return numbers(reply);
    },

    async revokeToken(
      jti: string,
      expiresAtMs: number,
      nowMs: number,
      issuer?: string,
    ): Promise<void> {
      if (expiresAtMs <= nowMs) return;
      // PXAT: the entry leaves by itself when the token would have expired anyway.
      await client.sendCommand([
        'SET',
        keys.jti(jti, issuer),
        '1',
        'PXAT',
        String(Math.ceil(expiresAtMs)),
      ]);
    },

    async revokeSubject(
      subject: string,
      beforeSeconds: number,
      ttlMs: number,
      _nowMs: number,
      issuer?: string,
    ): Promise<void> {
      await run(
        SCRIPTS.revokeSubject,
        [keys.subject(subject, issuer)],
        [String(beforeSeconds), String(Math.ceil(ttlMs))],
      );
    },

    async report(query: SecurityReportQuery): Promise<SecurityReport> {
      const { nowMs, windowMs, top } = query;
      const current = Math.floor(nowMs / bucketMsOf(windowMs));
      const buckets = Array.from({ length: REPORT_BUCKETS }, (_, i) => current - i);
      const reply = await run(
        SCRIPTS.report,
        [...buckets.map(keys.kinds), ...buckets.map(keys.offenders), keys.limited],
        [String(nowMs), String(top)],
      );
      const [kindBuckets, offenders, count, limited] = tuple(reply, 4);
      const byKind = new Map<string, number>();
      for (const bucket of list(kindBuckets)) {
        const fields = strings(bucket);
        for (let i = 0; i + 1 < fields.length; i += 2) {
          const kind = fields[i] ?? '';
          byKind.set(kind, (byKind.get(kind) ?? 0) + Number(fields[i + 1]));
        }
      }
      const pairs = (value: unknown) => {
        const items = strings(value);
        const out: [string, number][] = [];
        for (let i = 0; i + 1 < items.length; i += 2) {
          out.push([items[i] ?? '', Number(items[i + 1])]);
        }
        return out;
      };
      return {
        windowSeconds: windowMs / 1000,
        generatedAt: new Date(nowMs).toISOString(),
        failuresByKind: countsByKind((kind: FailureKind) => byKind.get(kind) ?? 0),
        refusedRequests: byKind.get('refused') ?? 0,
        limitedClientCount: typeof count === 'number' ? count : 0,
        limitedClients: pairs(limited).map(([clientKey, until]) => ({
          clientKey,
          retryAfterSeconds: Math.max(1, Math.ceil((until - nowMs) / 1000)),
        })),
        topOffenders: pairs(offenders)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, top)
          .map(([clientKey, attempts]) => ({ clientKey, attempts })),
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (client.isOpen) client.destroy();
      await connecting;
    },

    isReady(): boolean {
      return client.isReady;
    },
  };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`claimgate: Redis store \`${name}\` must be a positive integer.`);
  }
  return value;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as readonly unknown[]) : [];
}

function tuple(value: unknown, length: number): readonly unknown[] {
  const items = list(value);
  if (items.length !== length) throw new Error('claimgate: unexpected reply from Redis script.');
  return items;
}

function strings(value: unknown): string[] {
  return list(value).map((item) => (typeof item === 'string' ? item : String(item)));
}

function numbers(value: unknown): number[] {
  return strings(value)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

/** Logs connection trouble once per outage and the recovery, without flooding. */
function createDefaultConnectionLogger(): (event: {
  readonly type: 'error' | 'ready';
  readonly message?: string;
}) => void {
  let failing = false;
  return (event) => {
    if (event.type === 'error') {
      if (!failing)
        console.warn(`claimgate: Redis connection error (${event.message ?? ''}); reconnecting.`);
      failing = true;
    } else if (failing) {
      failing = false;
      console.warn('claimgate: Redis connection restored.');
    }
  };
}
