import { decideRateLimit, type FailureKind } from '../policy/rate-limit.js';
import {
  bucketMsOf,
  countsByKind,
  REPORT_BUCKETS,
  type ClientEntry,
  type FailureEvent,
  type LimitedClient,
  type SecurityLookup,
  type SecurityLookupResult,
  type SecurityReport,
  type SecurityReportQuery,
  type SecurityStore,
} from './security-store.js';

/** Options of {@link createMemorySecurityStore}. */
export interface MemorySecurityStoreOptions {
  /**
   * The most clients whose failures are tracked at once; past it the least recently failing
   * half is forgotten (an attacker rotating addresses cannot grow memory without bound).
   * @default 10000
   */
  readonly maxClients?: number | undefined;
  /**
   * The most clients counted per report bucket for the top-offenders list (approximate top-k:
   * when a bucket is full, the clients with the fewest attempts are dropped).
   * @default 1000
   */
  readonly maxOffendersPerBucket?: number | undefined;
}

/** Sizes of a memory store's tables, to check its bounds. */
export interface MemorySecurityStoreStats {
  readonly trackedClients: number;
  /** Entries over every live offender bucket. */
  readonly offenderEntries: number;
  readonly revokedTokens: number;
  readonly revokedSubjects: number;
}

/** The in-memory {@link SecurityStore}, with its bounds observable. */
export interface MemorySecurityStore extends SecurityStore {
  stats(): MemorySecurityStoreStats;
}

/** The default of {@link MemorySecurityStoreOptions.maxClients}. */
export const DEFAULT_MAX_TRACKED_CLIENTS = 10_000;
/** The default of `maxOffendersPerBucket`, for both stores. */
export const DEFAULT_MAX_OFFENDERS_PER_BUCKET = 1000;

type Counts = Map<FailureKind | 'refused', number>;

/**
 * Creates a {@link SecurityStore} kept in this process: for a single instance, tests and
 * development. Failure tracking is bounded by `maxClients` (oldest evicted). Revocations are never
 * evicted, since evicting one would silently un-revoke a token; they leave when they expire, and
 * only the revoke API (not client traffic) adds them.
 * @throws TypeError when a bound is not a positive integer.
 */
export function createMemorySecurityStore(
  options: MemorySecurityStoreOptions = {},
): MemorySecurityStore {
  const maxClients = positiveInteger(
    options.maxClients ?? DEFAULT_MAX_TRACKED_CLIENTS,
    'maxClients',
  );
  const maxOffenders = positiveInteger(
    options.maxOffendersPerBucket ?? DEFAULT_MAX_OFFENDERS_PER_BUCKET,
    'maxOffendersPerBucket',
  );
  // Two generations, each at most half the bound: a failing client moves to `recent`; when
  // `recent` is full, `older` (the least recently failing half) is dropped whole. O(1) per call,
  // unlike evicting the first key of one big Map, which walks the holes left by deletions.
  const half = Math.max(1, Math.floor(maxClients / 2));
  let recent = new Map<string, number[]>();
  let older = new Map<string, number[]>();
  const failuresOf = (clientKey: string) => recent.get(clientKey) ?? older.get(clientKey);
  const kinds = new Map<number, Counts>();
  const offenders = new Map<number, Map<string, number>>();
  const revokedJtis = new Map<string, number>();
  const revokedSubjects = new Map<string, { before: number; untilMs: number }>();
  let revocationWrites = 0;

  function pruneBuckets<T>(buckets: Map<number, T>, current: number): void {
    for (const id of buckets.keys()) if (id <= current - REPORT_BUCKETS) buckets.delete(id);
  }

  function sweepRevocations(nowMs: number): void {
    for (const [jti, until] of revokedJtis) if (until <= nowMs) revokedJtis.delete(jti);
    for (const [sub, entry] of revokedSubjects) {
      if (entry.untilMs <= nowMs) revokedSubjects.delete(sub);
    }
  }

  function noteRevocationWrite(nowMs: number): void {
    revocationWrites += 1;
    if (revocationWrites % 1024 === 0) sweepRevocations(nowMs);
  }

  return {
    lookup(query: SecurityLookup): Promise<SecurityLookupResult> {
      const { nowMs } = query;
      const recentFailures =
        query.failuresOf === undefined
          ? []
          : (failuresOf(query.failuresOf.clientKey) ?? []).slice(0, query.failuresOf.limit);
      const { jti, subject, issuer } = query;
      // The unscoped entry (any issuer) and, for a token with an issuer, that issuer's entry.
      const scopes = issuer === undefined ? [undefined] : [undefined, issuer];
      let jtiRevoked = false;
      let subjectRevokedBefore: number | undefined;
      for (const scope of scopes) {
        if (jti !== undefined) {
          const until = revokedJtis.get(entryKey(jti, scope));
          if (until !== undefined && until > nowMs) jtiRevoked = true;
        }
        if (subject !== undefined) {
          const entry = revokedSubjects.get(entryKey(subject, scope));
          if (entry !== undefined && entry.untilMs > nowMs) {
            subjectRevokedBefore = Math.max(entry.before, subjectRevokedBefore ?? entry.before);
          }
        }
      }
      return Promise.resolve({ recentFailures, jtiRevoked, subjectRevokedBefore });
    },

    recordFailure(event: FailureEvent): Promise<readonly number[]> {
      const { clientKey, kind, nowMs, limit, windowMs } = event;
      const bucket = Math.floor(nowMs / bucketMsOf(windowMs));
      let counts = kinds.get(bucket);
      if (counts === undefined) {
        pruneBuckets(kinds, bucket);
        counts = new Map();
        kinds.set(bucket, counts);
      }
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      let top = offenders.get(bucket);
      if (top === undefined) {
        pruneBuckets(offenders, bucket);
        top = new Map();
        offenders.set(bucket, top);
      }
      top.set(clientKey, (top.get(clientKey) ?? 0) + 1);
      // Amortised top-k: let a bucket grow to twice its bound, then keep the heaviest half.
      if (top.size > 2 * maxOffenders) {
        const kept = [...top].sort((a, b) => b[1] - a[1]).slice(0, maxOffenders);
        top.clear();
        for (const [key, count] of kept) top.set(key, count);
      }

      const previous = failuresOf(clientKey) ?? [];
      if (kind === 'refused') return Promise.resolve(previous.slice(0, limit));
      const failures = [nowMs, ...previous.filter((t) => t > nowMs - windowMs)].slice(0, limit);
      older.delete(clientKey);
      if (!recent.has(clientKey) && recent.size >= half) {
        older = recent;
        recent = new Map();
      }
      recent.set(clientKey, failures);
      return Promise.resolve(failures);
    },

    revokeToken(jti: string, expiresAtMs: number, nowMs: number, issuer?: string): Promise<void> {
      if (expiresAtMs > nowMs) {
        const key = entryKey(jti, issuer);
        revokedJtis.set(key, Math.max(expiresAtMs, revokedJtis.get(key) ?? 0));
        noteRevocationWrite(nowMs);
      }
      return Promise.resolve();
    },

    revokeSubject(
      subject: string,
      beforeSeconds: number,
      ttlMs: number,
      nowMs: number,
      issuer?: string,
    ): Promise<void> {
      const key = entryKey(subject, issuer);
      const current = revokedSubjects.get(key);
      const live = current !== undefined && current.untilMs > nowMs ? current : undefined;
      revokedSubjects.set(key, {
        before: Math.max(beforeSeconds, live?.before ?? beforeSeconds),
        untilMs: Math.max(nowMs + ttlMs, live?.untilMs ?? 0),
      });
      noteRevocationWrite(nowMs);
      return Promise.resolve();
    },

    report(query: SecurityReportQuery): Promise<SecurityReport> {
      const { nowMs, limit, windowMs, top } = query;
      const current = Math.floor(nowMs / bucketMsOf(windowMs));
      const byKind = new Map<FailureKind | 'refused', number>();
      const attempts = new Map<string, number>();
      for (let id = current - REPORT_BUCKETS + 1; id <= current; id += 1) {
        for (const [kind, count] of kinds.get(id) ?? []) {
          byKind.set(kind, (byKind.get(kind) ?? 0) + count);
        }
        for (const [key, count] of offenders.get(id) ?? []) {
          attempts.set(key, (attempts.get(key) ?? 0) + count);
        }
      }
      const limited: LimitedClient[] = [];
      const policy = { failures: limit, windowSeconds: windowMs / 1000 };
      for (const [clientKey, failures] of [...older, ...recent]) {
        const decision = decideRateLimit(failures, policy, nowMs);
        if (decision.limited) {
          limited.push({ clientKey, retryAfterSeconds: decision.retryAfterSeconds });
        }
      }
      limited.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds);
      const topOffenders: ClientEntry[] = [...attempts]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, top)
        .map(([clientKey, count]) => ({ clientKey, attempts: count }));
      const failuresByKind = countsByKind((kind) => byKind.get(kind) ?? 0);
      return Promise.resolve({
        windowSeconds: windowMs / 1000,
        generatedAt: new Date(nowMs).toISOString(),
        failuresByKind,
        refusedRequests: byKind.get('refused') ?? 0,
        limitedClientCount: limited.length,
        limitedClients: limited.slice(0, top),
        topOffenders,
      });
    },

    close(): Promise<void> {
      return Promise.resolve();
    },

    stats(): MemorySecurityStoreStats {
      let offenderEntries = 0;
      for (const bucket of offenders.values()) offenderEntries += bucket.size;
      return {
        trackedClients: recent.size + older.size,
        offenderEntries,
        revokedTokens: revokedJtis.size,
        revokedSubjects: revokedSubjects.size,
      };
    },
  };
}

/**
 * The table key of a revocation entry: a JSON array, `[value]` for an unscoped entry and
 * `[issuer, value]` for an issuer-scoped one, so no pair of strings can collide with another pair
 * or with an unscoped value (unlike a concatenation).
 */
function entryKey(value: string, issuer: string | undefined): string {
  return JSON.stringify(issuer === undefined ? [value] : [issuer, value]);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`claimgate: memory store \`${name}\` must be a positive integer.`);
  }
  return value;
}
